"""Sign-in for staff: password, lockout after repeated failures, TOTP second factor."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("auth", __name__, url_prefix="/auth")


def init_app(app):
    from feedback.auth import routes  # noqa: F401
    from feedback.extensions import db, login_manager
    from feedback.models import User

    @login_manager.user_loader
    def load_user(user_id):
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.is_active else None

    app.register_blueprint(bp)
    app.before_request(_require_password_change)
    from feedback import navigation
    from feedback.models.org import ROLES

    navigation.register_staff("auth.account", _l("Tài khoản"), roles=ROLES.keys(), order=900)


# Pages a user who must replace a one-time password may still open.
_OPEN_ENDPOINTS = {"auth.account", "auth.logout", "auth.login", "auth.totp", "auth.totp_setup", "static",
                   "main.set_language", "main.healthz"}


def _require_password_change():
    """After an administrator set a one-time password, the user chooses their own before anything else."""
    from flask import flash, redirect, request, url_for
    from flask_babel import gettext as _
    from flask_login import current_user

    if request.endpoint in _OPEN_ENDPOINTS or not current_user.is_authenticated:
        return None
    if current_user.must_change_password:
        flash(_("Bạn đang dùng mật khẩu tạm thời. Vui lòng đặt mật khẩu mới."), "warning")
        return redirect(url_for("auth.account"))
    return None
