"""What every response and request goes through: security headers, no caching of private pages,
and refusal of input no page can use (NUL bytes, numbers past the database's range)."""
import re

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_talisman import Talisman

# No inline script anywhere (JSON data blocks are not executed); inline style attributes remain on a
# few pages (chart bar widths), hence 'unsafe-inline' for styles only.
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Public pages that can show a case or a receipt (the rest of what is private needs a signed-in user).
PRIVATE_PUBLIC_ENDPOINTS = {"portal.track", "portal.receipt", "portal.add_info", "portal.rate", "portal.dispute"}
def _is_twilio_webhook():
    """Twilio signs its parameters as sent: the webhooks clean them themselves after checking the signature."""
    from feedback.hotline import WEBHOOKS

    blueprint, _dot, name = (request.endpoint or "").partition(".")
    return blueprint == "hotline" and name in WEBHOOKS
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")

talisman = Talisman()


def _too_big(value):
    """A whole number outside the bigint range (counted by its digits: no huge int() is ever built)."""
    number = value.strip()
    if not _WHOLE_NUMBER.fullmatch(number):
        return False
    digits = number.lstrip("-").lstrip("0")
    return len(digits) > 19 or (len(digits) == 19 and int(digits) > 2**63 - 1)


def _refuse_unusable_input():
    """400 with a plain message for NUL bytes anywhere, and whole numbers past 2^63 in the query string.

    (Form fields are free text, where a long run of digits is a citizen's own business; the forms
    validate their number fields themselves.)
    """
    if _is_twilio_webhook():
        return None
    if "\x00" in request.path:
        abort(400, description=_("Dữ liệu gửi lên có ký tự không hợp lệ."))
    sources = [request.args] + ([request.form] if request.method in ("POST", "PUT", "PATCH") else [])
    for source in sources:
        for key, values in source.lists():
            if any("\x00" in value for value in [key, *values]):
                abort(400, description=_("Dữ liệu gửi lên có ký tự không hợp lệ."))
    if request.path.startswith("/open311/"):
        return None  # Open311 query values are ids and dates, never read as numbers
    for values in request.args.listvalues():
        if any(_too_big(value) for value in values):
            abort(400, description=_("Số gửi lên quá lớn."))
    return None


def _no_store(response):
    """Pages for signed-in staff and a citizen's own case are never kept by browsers or proxies."""
    if request.endpoint in PRIVATE_PUBLIC_ENDPOINTS or (current_user and current_user.is_authenticated):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def init_app(app):
    talisman.init_app(
        app,
        force_https=False,  # TLS ends at the proxy; HSTS is sent on every https request
        strict_transport_security=True,
        strict_transport_security_max_age=31536000,
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="same-origin",
        session_cookie_secure=app.config.get("SESSION_COOKIE_SECURE", False),
        session_cookie_http_only=True,
    )
    app.before_request(_refuse_unusable_input)
    app.after_request(_no_store)
