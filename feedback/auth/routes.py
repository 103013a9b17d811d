import base64
import io
import time

import qrcode
import qrcode.image.svg
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from feedback import audit
from feedback.auth import bp, services
from feedback.auth.forms import ChangePasswordForm, LoginForm, TotpForm
from feedback.extensions import db, limiter
from feedback.models import User

PENDING_KEY = "pending_user_id"


def _safe_next(target):
    r"""A path on this site, or None: no scheme, no host, and nothing a browser would drop or bend into one
    (tabs, newlines and other control characters, spaces, backslashes: "/\t/evil.example" becomes "//evil.example")."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if any(ord(c) < 0x21 or c in "\\\x7f" for c in target):
        return None
    return target


# Where each role works: sign-in lands there, not on the public home page.
ROLE_HOMES = {"operator": "console.index", "unit_head": "cases.queue", "handler": "cases.queue",
              "monitor": "monitoring.dashboard", "admin": "admin.index"}


def home_for(user):
    return url_for(ROLE_HOMES.get(user.role, "main.index"))


def _finish_login(user):
    next_url = session.get("next_url")
    services.record_success(user)
    db.session.commit()
    services.fresh_session()
    login_user(user)
    now = time.time()
    session["signed_in_at"] = session["seen_at"] = now
    response = redirect(_safe_next(next_url) or home_for(user))
    if services.place_key(user).split(":")[1] != "device":
        # This browser is now a known device: a stranger's wrong passwords elsewhere never lock it out.
        response.set_cookie(services.KNOWN_DEVICE_COOKIE, services.known_device_cookie(user),
                            max_age=services.KNOWN_DEVICE_DAYS * 86400, httponly=True, samesite="Lax",
                            secure=request.is_secure, path="/auth")
    return response


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login():
    """Password step; users with a second factor continue to the TOTP step."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.find_user(form.email.data)
        if user is not None and services.is_locked(user):
            flash(_("Tài khoản tạm bị khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau."), "error")
            return render_template("auth/login.html", form=form), 429
        if user is None or not user.is_active or not user.check_password(form.password.data):
            services.record_failure(user, form.email.data)
            db.session.commit()
            flash(_("Thư điện tử hoặc mật khẩu không đúng."), "error")
            return render_template("auth/login.html", form=form), 401
        next_url = _safe_next(request.args.get("next"))
        if user.totp_enabled or user.needs_totp:
            # The password step done: a new session carries only what the second step needs.
            services.fresh_session(**{PENDING_KEY: user.id, "next_url": next_url})
            return redirect(url_for("auth.totp" if user.totp_enabled else "auth.totp_setup"))
        session["next_url"] = next_url
        return _finish_login(user)
    return render_template("auth/login.html", form=form)


def _pending_user():
    user_id = session.get(PENDING_KEY)
    user = db.session.get(User, user_id) if user_id else None
    if user is None or not user.is_active:
        abort(403)
    return user


@bp.route("/totp", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def totp():
    """Second step: the 6-digit code from the authenticator app."""
    user = _pending_user()
    form = TotpForm()
    if form.validate_on_submit():
        if services.is_locked(user):
            flash(_("Tài khoản tạm bị khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau."), "error")
            return render_template("auth/totp.html", form=form), 429
        if services.verify_totp(user, form.code.data):
            return _finish_login(user)
        services.record_failure(user, user.email)
        db.session.commit()
        form.code.errors.append(_("Mã xác thực không đúng hoặc đã được dùng."))
    return render_template("auth/totp.html", form=form)


def _qr_svg(data):
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@bp.route("/totp/setup", methods=["GET", "POST"])
def totp_setup():
    """Enrol an authenticator app: scan the QR code, then confirm one code."""
    if current_user.is_authenticated:
        user = current_user
    else:
        user = _pending_user()
    if user.totp_enabled:
        # Re-enrolling would let a password alone replace the second factor: an admin resets it instead.
        if current_user.is_authenticated:
            flash(_("Xác thực hai lớp đã được bật cho tài khoản này."), "info")
            return redirect(url_for("auth.account"))
        return redirect(url_for("auth.totp"))
    secret = session.get("totp_setup_secret") or services.new_totp_secret()
    session["totp_setup_secret"] = secret
    form = TotpForm()
    if form.validate_on_submit():
        if services.verify_totp(user, form.code.data, secret=secret):
            services.enable_totp(user, secret)
            session.pop("totp_setup_secret", None)
            db.session.commit()
            flash(_("Đã bật xác thực hai lớp."), "success")
            if current_user.is_authenticated:
                return redirect(url_for("auth.account"))
            return _finish_login(user)
        form.code.errors.append(_("Mã xác thực không đúng. Kiểm tra đồng hồ của điện thoại và thử lại."))
    uri = services.totp_uri(user, secret)
    return render_template("auth/totp_setup.html", form=form, qr=_qr_svg(uri), secret=secret)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (a POST with the CSRF token): this user's sessions end on the server, copies of the cookie included."""
    if current_user.is_authenticated:
        current_user.end_sessions()
        audit.record("auth.logout", actor=current_user, obj=current_user)
        db.session.commit()
    logout_user()
    services.fresh_session()
    flash(_("Đã đăng xuất."), "info")
    return redirect(url_for("main.index"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The signed-in user's own account: who they are, second factor, password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("Mật khẩu hiện tại không đúng."))
        elif form.new_password.data == form.current_password.data:
            form.new_password.errors.append(_("Mật khẩu mới phải khác mật khẩu hiện tại."))
        else:
            user = current_user._get_current_object()
            services.change_password(user, form.new_password.data)
            db.session.commit()
            login_user(user)  # this session goes on under the new session version; the others end
            flash(_("Đã đổi mật khẩu."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form, user=current_user)
