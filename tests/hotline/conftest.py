"""Helpers for the hotline tests: requests signed exactly as Twilio signs them, the REST stand-in."""
import itertools
import secrets
import xml.etree.ElementTree as ET

import pytest
from twilio.request_validator import RequestValidator

from tests.twilio_standin import TwilioStandIn

PUBLIC = "https://hotline.example.vn"
TOKEN = "test-auth-token"  # TestConfig.TWILIO_AUTH_TOKEN
CITIZEN = "+84905123456"
_seq = itertools.count(1)


def sid(prefix):
    return prefix + secrets.token_hex(16)


def signature(url, params, token=TOKEN):
    return RequestValidator(token).compute_signature(url, params)


def twilio_post(client, path, params, *, base=PUBLIC, token=TOKEN, headers=None, sign_url=None):
    """POST form `params` to `path` (may carry a query string) with Twilio's X-Twilio-Signature."""
    url = sign_url or base + path
    all_headers = {"X-Twilio-Signature": signature(url, params, token)}
    all_headers.update(headers or {})
    return client.post(path, data=params, headers=all_headers)


def sms_params(body, *, from_=CITIZEN, message_sid=None):
    return {"MessageSid": message_sid or sid("SM"), "SmsSid": message_sid or "", "AccountSid": "AC" + "1" * 32,
            "From": from_, "To": "+18005550100", "Body": body, "NumMedia": "0"}


def call_params(call_sid, from_=CITIZEN, **extra):
    params = {"CallSid": call_sid, "AccountSid": "AC" + "1" * 32, "From": from_, "To": "+18005550100",
              "CallStatus": "in-progress", "Direction": "inbound"}
    params.update(extra)
    return params


def twiml(response):
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/xml"
    return ET.fromstring(response.data)


def sms_text(response):
    root = twiml(response)
    return "".join(m.text or "" for m in root.iter("Message"))


@pytest.fixture
def standin():
    server = TwilioStandIn(account_sid="AC" + "a" * 32, auth_token="standin-secret").start()
    yield server
    server.stop()


@pytest.fixture
def twilio_settings(standin):
    return {
        "TWILIO_ACCOUNT_SID": standin.account_sid,
        "TWILIO_AUTH_TOKEN": standin.auth_token,
        "TWILIO_PHONE_NUMBER": "+18005550100",
        "TWILIO_API_BASE_URL": standin.url,
        "TWILIO_HTTP_TIMEOUT": 1.0,
    }
