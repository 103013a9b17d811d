"""Sign-in state changes: failures, lockout, TOTP."""
from datetime import datetime, timedelta, timezone

import pyotp
from flask import current_app
from sqlalchemy import func, select

from feedback import audit
from feedback.extensions import db
from feedback.models import User, utcnow


def find_user(email):
    return db.session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))


def is_locked(user):
    return user.locked_until is not None and user.locked_until > utcnow()


def record_failure(user, email):
    """Count a failed password; lock the account after too many."""
    if user is None:
        audit.record("auth.login_failed", actor_label=email[:60])
        return
    user.failed_logins += 1
    if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
        user.locked_until = utcnow() + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
        user.failed_logins = 0
        audit.record("auth.locked", actor=user, obj=user)
    else:
        audit.record("auth.login_failed", actor=user, obj=user)


def record_success(user):
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
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
