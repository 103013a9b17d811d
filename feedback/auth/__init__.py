"""Sign-in for staff: password, lockout after repeated failures, TOTP second factor."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("auth", __name__, url_prefix="/auth")


def init_app(app):
    from feedback.auth import routes  # noqa: F401
    from feedback.extensions import db, login_manager
    from feedback.models import User

    @login_manager.user_loader
    def load_user(session_id):
        """The user of a session id "<user id>.<session version>"; an ended session (old version) has none."""
        user_id, _dot, version = (session_id or "").partition(".")
        if not (user_id.isdigit() and version.isdigit()) or len(user_id) > 12:
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.is_active or str(user.session_version) != version:
            return None
        return user

    app.register_blueprint(bp)
    app.before_request(_expire_idle_or_old_sessions)
    app.before_request(_require_password_change)
    from feedback import navigation
    from feedback.models.org import ROLES

    navigation.register_staff("auth.account", _l("Tài khoản"), roles=ROLES.keys(), order=900)


# Pages a user who must replace a one-time password may still open.
_OPEN_ENDPOINTS = {"auth.account", "auth.logout", "auth.login", "auth.totp", "auth.totp_setup", "static",
                   "main.set_language", "main.healthz"}


def _expire_idle_or_old_sessions():
    """Staff sessions end after STAFF_IDLE_MINUTES without a request and STAFF_SESSION_HOURS in all."""
    import time

    from flask import current_app, flash, redirect, request, session, url_for
    from flask_babel import gettext as _
    from flask_login import current_user, logout_user

    from feedback.auth.services import fresh_session

    if not current_user.is_authenticated:
        return None
    now = time.time()
    config = current_app.config
    signed_in, seen = session.get("signed_in_at", 0), session.get("seen_at", 0)
    if now - seen > config["STAFF_IDLE_MINUTES"] * 60 or now - signed_in > config["STAFF_SESSION_HOURS"] * 3600:
        logout_user()
        fresh_session()
        flash(_("Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại."), "warning")
        if request.method == "GET" and request.endpoint != "static":
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return redirect(url_for("auth.login"))
    if now - seen > 60:  # refreshed once a minute, not on every request
        session["seen_at"] = now
    return None


def _require_password_change():
    """After an administrator set a one-time password, the user chooses their own before anything else."""
    from flask import flash, redirect, request, url_for
    from flask_babel import gettext as _
    from flask_login import current_user

    if request.endpoint in _OPEN_ENDPOINTS or not current_user.is_authenticated:
        return None
    if current_user.must_change_password:
        flash(_("Tài khoản đang dùng mật khẩu tạm thời. Vui lòng đặt mật khẩu mới."), "warning")
        return redirect(url_for("auth.account"))
    return None
