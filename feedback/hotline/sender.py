"""Outbound SMS through Twilio's REST API, registered as `feedback.messaging.SENDERS["sms"]`.

`feedback.messaging.deliver(message_id)` (an rq job) calls `TwilioSmsSender.send(message)`.
A message is sent at most once:

- the job claims it with one conditional UPDATE (queued/held -> sending) and commits
  before calling Twilio, so two jobs for the same message cannot both send it;
- when an attempt's outcome is unknown (a timeout or a 5xx: Twilio may have accepted it),
  the message goes back to 'queued' marked as such, and the next attempt first asks Twilio
  for recent messages to that number and adopts one with the same text instead of resending;
- the status callback URL carries the message id, so a delivery report for a message whose
  API answer was lost still finds it.

429, 5xx and timeouts raise so that rq retries with back-off; 21610 (the number sent STOP)
suppresses the message and records the opt-out; any other 4xx fails it.
"""
import logging
from datetime import timedelta

import requests
from flask import current_app
from sqlalchemy import case, func, select, update
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from feedback.extensions import db
from feedback.messaging import is_opted_out
from feedback.models import OutboundMessage, SmsOptOut, utcnow
from feedback.models.messaging import FINAL_MESSAGE_STATES, MESSAGE_STATES

log = logging.getLogger(__name__)

OPTED_OUT = 21610
# Error codes after which Twilio may or may not have accepted the message.
UNCERTAIN = {"timeout", "http-500", "http-502", "http-503", "http-504", "http-5xx"}


class RetryableSendError(Exception):
    """Twilio could not take the message now (429, 5xx, timeout): rq retries the job later."""


_clients = {}


def twilio_client():
    """A Twilio REST client for the configuration, pointed at TWILIO_API_BASE_URL when set."""
    config = current_app.config
    key = (config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], config.get("TWILIO_API_BASE_URL") or "",
           float(config.get("TWILIO_HTTP_TIMEOUT") or 15))
    client = _clients.get(key)
    if client is None:
        client = Client(key[0], key[1], http_client=TwilioHttpClient(timeout=key[3]))
        if key[2]:
            client.api.base_url = key[2].rstrip("/")
        _clients[key] = client
    return client


def status_callback_url(message_id):
    """Where Twilio reports delivery; the message id lets a report find a message whose answer was lost."""
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/hotline/sms/status?ref={message_id}"


# Twilio's MessageStatus -> our state (feedback.models.messaging.MESSAGE_STATES).
TWILIO_STATES = {
    "accepted": "queued", "scheduled": "queued", "queued": "queued", "sending": "sending", "sent": "sent",
    "delivered": "delivered", "read": "delivered", "undelivered": "undelivered", "failed": "failed",
    "canceled": "failed",
}


def apply_status_report(sid, twilio_status, error_code=None, ref=None):
    """A delivery report: move the message forward, never backwards; returns its state or None."""
    state = TWILIO_STATES.get((twilio_status or "").lower())
    if state is None or not sid:
        return None
    target = OutboundMessage.provider_sid == sid
    if ref and str(ref).isdigit():
        # The report may arrive before the sender stored Twilio's sid.
        target = target | ((OutboundMessage.id == int(ref)) & OutboundMessage.provider_sid.is_(None))
    earlier = [s for s in MESSAGE_STATES[: MESSAGE_STATES.index(state)] if s not in FINAL_MESSAGE_STATES]
    values = {"status": state, "updated_at": utcnow(), "provider_sid": func.coalesce(OutboundMessage.provider_sid, sid)}
    if error_code:
        values["error_code"] = str(error_code)[:20]
    db.session.execute(
        update(OutboundMessage).where(target, OutboundMessage.status.in_(earlier)).values(**values)
        .execution_options(synchronize_session=False)
    )
    if str(error_code) == str(OPTED_OUT):
        # The number had sent STOP to Twilio: remember it, so nothing more is tried.
        phone = db.session.scalar(select(OutboundMessage.to_address).where(OutboundMessage.provider_sid == sid))
        if phone and db.session.get(SmsOptOut, phone) is None:
            db.session.add(SmsOptOut(phone=phone, opted_out=True))
    return state


class TwilioSmsSender:
    @staticmethod
    def configured():
        config = current_app.config
        return bool(config.get("TWILIO_ACCOUNT_SID") and config.get("TWILIO_AUTH_TOKEN")
                    and config.get("TWILIO_PHONE_NUMBER"))

    @staticmethod
    def send(message):
        return send_sms(message.id)


def _set(message_id, only_from=None, **values):
    query = update(OutboundMessage).where(OutboundMessage.id == message_id)
    if only_from is not None:
        query = query.where(OutboundMessage.status.in_(only_from))
    values.setdefault("updated_at", utcnow())
    result = db.session.execute(query.values(**values).execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


def mark_sent(message_id, sid):
    """Record Twilio's sid; a delivery report that came first keeps its (later) state."""
    now = utcnow()
    _set(
        message_id,
        provider_sid=func.coalesce(OutboundMessage.provider_sid, sid),
        status=case((OutboundMessage.status.in_(("queued", "held", "sending")), "sent"), else_=OutboundMessage.status),
        sent_at=func.coalesce(OutboundMessage.sent_at, now),
        error_code=None,
    )


def suppress(message_id, phone, reason):
    row = db.session.get(SmsOptOut, phone)
    if row is None:
        db.session.add(SmsOptOut(phone=phone, opted_out=True))
    else:
        row.opted_out = True
    db.session.flush()
    _set(message_id, status="suppressed", error_code=str(OPTED_OUT), last_error=reason)


def _find_accepted(client, to, from_, body, since):
    """Twilio's sid of a message with this text it already took after `since` (None if none)."""
    for sent in client.messages.list(to=to, from_=from_, limit=20):
        created = sent.date_created.replace(tzinfo=None) if sent.date_created else None
        if body in (sent.body or "") and (created is None or created >= since):
            return sent.sid
    return None


def send_sms(message_id):
    """Send one outbox SMS once; returns its new status or raises RetryableSendError."""
    message = db.session.get(OutboundMessage, message_id)
    if message is None or message.status not in ("queued", "held"):
        return message.status if message else None
    to, body, uncertain = message.to_address, message.body, message.error_code in UNCERTAIN
    since = message.created_at - timedelta(minutes=5)
    if is_opted_out(to):
        _set(message_id, only_from=("queued", "held"), status="suppressed", last_error="opted out (STOP)")
        return "suppressed"
    # Claim it: one job, one send. Committed before Twilio is called.
    if not _set(message_id, only_from=("queued", "held"), status="sending", attempts=OutboundMessage.attempts + 1):
        db.session.expire_all()
        return db.session.get(OutboundMessage, message_id).status
    attempts = message.attempts
    config = current_app.config
    client = twilio_client()
    try:
        if uncertain:
            found = _find_accepted(client, to, config["TWILIO_PHONE_NUMBER"], body, since)
            if found:
                log.info("sms %s: Twilio already had it as %s; not sending again", message_id, found)
                mark_sent(message_id, found)
                return "sent"
        sent = client.messages.create(
            to=to, from_=config["TWILIO_PHONE_NUMBER"], body=body, status_callback=status_callback_url(message_id),
        )
    except TwilioRestException as exc:
        db.session.rollback()
        if exc.code == OPTED_OUT:
            suppress(message_id, to, f"Twilio {exc.code}: {exc.msg}"[:2000])
            return "suppressed"
        if exc.status == 429 or exc.status >= 500:
            code = "http-429" if exc.status == 429 else f"http-{exc.status}" if f"http-{exc.status}" in UNCERTAIN else "http-5xx"
            return _retry_later(message_id, attempts, code, f"Twilio HTTP {exc.status}: {exc.msg}")
        _set(message_id, status="failed", error_code=str(exc.code or exc.status), last_error=str(exc.msg)[:2000])
        return "failed"
    except (requests.Timeout, requests.ConnectionError) as exc:
        db.session.rollback()
        # A refused connection never reached Twilio; anything else may have.
        sure_not_sent = isinstance(exc, requests.ConnectTimeout) or "refused" in str(exc).lower()
        return _retry_later(message_id, attempts, "connect" if sure_not_sent else "timeout", repr(exc))
    mark_sent(message_id, sent.sid)
    return "sent"


def _retry_later(message_id, attempts, code, error):
    if attempts >= current_app.config.get("SMS_MAX_ATTEMPTS", 8):
        _set(message_id, status="failed", error_code=code, last_error=error[:2000])
        return "failed"
    # Back to 'queued' so that deliver() takes it again; the code says whether Twilio may have it.
    _set(message_id, status="queued", error_code=code, last_error=error[:2000])
    raise RetryableSendError(f"sms {message_id}: {code} ({error[:200]})")
