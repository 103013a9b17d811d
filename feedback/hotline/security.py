"""Twilio's request signature, checked against the public address Twilio called.

Behind a TLS proxy the app sees http://internal-host/...; Twilio signed
https://public-host/... So the URL is rebuilt from PUBLIC_BASE_URL, the path and
the query string exactly as sent, and checked with twilio's RequestValidator.
"""
import re
from functools import lru_cache, wraps

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator

# Twilio's ids are letters and digits (e.g. SM + 32 hex); our columns hold 64 characters.
_SID = re.compile(r"[A-Za-z0-9]{1,64}")
SID_FIELDS = ("MessageSid", "SmsSid", "CallSid", "RecordingSid", "AccountSid")
# Other values that reach a column of fixed size; longer ones are refused, not cut.
MAX_LENGTHS = {"RecordingUrl": 500, "ErrorCode": 20}
MAX_BIGINT = 2**63 - 1


@lru_cache(maxsize=4)
def _validator(token):
    return RequestValidator(token)


def public_url():
    """The URL Twilio requested: PUBLIC_BASE_URL + path + '?' + the raw query string."""
    url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + request.script_root + request.path
    query = request.query_string.decode("latin-1")
    return f"{url}?{query}" if query else url


def is_signed():
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    return _validator(token).validate(public_url(), request.form, signature)


def _cleaned_form():
    """The signed parameters with NUL bytes removed (PostgreSQL refuses them); 400 for impossible ids."""
    form = {key: value.replace("\x00", "") for key, value in request.form.items()}
    for name in SID_FIELDS:
        if form.get(name) and not _SID.fullmatch(form[name]):
            abort(400, description=f"{name} is not a Twilio id")
    for name, value in form.items():
        limit = MAX_LENGTHS.get(name) or (500 if name.startswith("MediaUrl") else None)
        if limit and len(value) > limit:
            abort(400, description=f"{name} is longer than {limit} characters")
    return form


def webhook_form():
    """The current webhook's parameters, checked (see `_cleaned_form`)."""
    form = request.environ.get("feedback.twilio_form")
    if form is None:
        form = request.environ["feedback.twilio_form"] = _cleaned_form()
    return form


def bounded_int(value):
    """A non-negative integer that fits a bigint column, else None."""
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if number <= MAX_BIGINT else None


def twilio_signed(view):
    """403 unless the request carries Twilio's valid signature; 400 for parameters no column can hold."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not is_signed():
            current_app.logger.warning("hotline: rejected unsigned or mis-signed request to %s", request.path)
            abort(403)
        webhook_form()
        return view(*args, **kwargs)

    return wrapped
