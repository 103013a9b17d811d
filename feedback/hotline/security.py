"""Twilio's request signature, checked against the public address Twilio called.

Behind a TLS proxy the app sees http://internal-host/...; Twilio signed
https://public-host/... So the URL is rebuilt from PUBLIC_BASE_URL, the path and
the query string exactly as sent, and checked with twilio's RequestValidator.
"""
from functools import lru_cache, wraps

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator


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


def twilio_signed(view):
    """403 unless the request carries Twilio's valid signature."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not is_signed():
            current_app.logger.warning("hotline: rejected unsigned or mis-signed request to %s", request.path)
            abort(403)
        return view(*args, **kwargs)

    return wrapped
