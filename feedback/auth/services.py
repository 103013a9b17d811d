"""Sign-in state changes: failures, lockout, TOTP."""
from datetime import datetime, timedelta, timezone

import secrets

import pyotp
from flask import current_app, request, session
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select

from feedback import audit
from feedback.extensions import db
from feedback.models import LoginThrottle, User, utcnow


def fresh_session(**keep):
    """A new session holding only the language and `keep`: nothing set before (sign-in, sign-out) survives."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    session.update({k: v for k, v in keep.items() if v is not None})


def find_user(email):
    return db.session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))


KNOWN_DEVICE_COOKIE = "known_device"
KNOWN_DEVICE_DAYS = 90


def _devices():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def known_device_cookie(user):
    """The value of the cookie that marks this browser as one the user signed in from."""
    return _devices().dumps({"u": user.id, "d": secrets.token_hex(8)})


def place_key(user):
    """Where this attempt comes from, for this account: its known device, else its address."""
    try:
        device = _devices().loads(request.cookies.get(KNOWN_DEVICE_COOKIE, ""))
    except BadSignature:
        device = None
    if isinstance(device, dict) and device.get("u") == user.id:
        return f"{user.id}:device:{device.get('d')}"
    return f"{user.id}:ip:{request.remote_addr}"[:120]


def is_locked(user):
    """True while this account is locked for the place the request comes from."""
    row = db.session.get(LoginThrottle, place_key(user))
    return row is not None and row.locked_until is not None and row.locked_until > utcnow()


def record_failure(user, email):
    """Count a failed password for this account and place; lock that pair, a minute at first, then longer."""
    if user is None:
        audit.record("auth.login_failed", actor_label=email[:60])
        return
    user.failed_logins += 1
    key = place_key(user)
    row = db.session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0, locks=0)
        db.session.add(row)
    row.failures += 1
    if row.failures >= current_app.config["LOGIN_MAX_FAILURES"]:
        minutes = min(2 ** row.locks, current_app.config["LOGIN_LOCKOUT_MINUTES"])
        row.locked_until = utcnow() + timedelta(minutes=minutes)
        row.locks += 1
        row.failures = 0
        audit.record("auth.locked", actor=user, obj=user, minutes=minutes)
    else:
        audit.record("auth.login_failed", actor=user, obj=user)


def record_success(user):
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    row = db.session.get(LoginThrottle, place_key(user))
    if row is not None:
        db.session.delete(row)
    audit.record("auth.login", actor=user, obj=user)


def new_totp_secret():
    return pyotp.random_base32()


def totp_uri(user, secret):
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="PAKN Khanh Hoa")


def verify_totp(user, code, secret=None):
    """Check a TOTP code, refusing a code already used (replay)."""
    secret = secret or user.totp_secret
    if not secret:
        return False
    code = (code or "").strip().replace(" ", "")
    totp = pyotp.TOTP(secret)
    now = datetime.now(timezone.utc)
    for offset in (0, -1, 1):
        counter = totp.timecode(now) + offset
        if totp.generate_otp(counter) == code:
            if user.totp_last_counter is not None and counter <= user.totp_last_counter:
                return False
            user.totp_last_counter = counter
            return True
    return False


def enable_totp(user, secret):
    user.totp_secret = secret
    user.totp_enabled = True
    audit.record("auth.totp_enabled", actor=user, obj=user)


def change_password(user, new_password):
    """Set a new password chosen by the user; a one-time password stops being required."""
    user.set_password(new_password)
    user.must_change_password = False
    user.end_sessions()  # a stolen session does not outlive the password it came with
    audit.record("auth.password_changed", actor=user, obj=user)
