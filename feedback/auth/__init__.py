"""Sign-in for staff: password, lockout after repeated failures, TOTP second factor."""
from flask import Blueprint

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
