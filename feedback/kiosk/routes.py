from flask import current_app, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from feedback.extensions import db, limiter
from feedback.kiosk import bp, services
from feedback.models.rating import RATING_REASONS, SCORES


def _refused():
    """The device is unknown or revoked: say so plainly, store nothing, forget the cookie."""
    response = make_response(render_template("kiosk/refused.html", refused=True), 403)
    response.delete_cookie(services.COOKIE_NAME, path="/kiosk")
    return response


def _activate(token):
    kiosk = services.kiosk_for_token(token)
    if kiosk is None:
        return _refused()
    services.touch(kiosk)
    db.session.commit()
    # The token leaves the address bar (and the browser history) at once.
    response = redirect(url_for("kiosk.screen"))
    response.set_cookie(
        services.COOKIE_NAME, services.cookie_value(kiosk), max_age=services.COOKIE_MAX_AGE, path="/kiosk",
        httponly=True, samesite="Strict", secure=request.is_secure,
    )
    return response


@bp.route("/activate", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def activate():
    """Exchange the device token an administrator issued for a long-lived signed cookie.

    The token comes in the address (`?token=`, e.g. from a QR code) or is typed into the form.
    """
    if request.method == "POST":
        return _activate(request.form.get("token", "").strip())
    if "token" in request.args:
        return _activate(request.args.get("token", ""))
    return render_template("kiosk/refused.html", refused=False)


@bp.route("/<token>")
@limiter.limit("30 per minute")
def activate_by_path(token):
    return _activate(token)


def _current_kiosk():
    token = request.headers.get(services.TOKEN_HEADER)
    if token:
        return services.kiosk_for_token(token)
    return services.kiosk_for_cookie(request.cookies.get(services.COOKIE_NAME))


def photo_url(staff):
    path = staff.photo_path
    if not path:
        return None
    if path.startswith(("http://", "https://", "/")):
        return path
    return url_for("static", filename=path)


@bp.route("/")
def screen():
    """The single-page kiosk screen; everything after loading happens in kiosk.js."""
    kiosk = _current_kiosk()
    if kiosk is None:
        return _refused()
    services.touch(kiosk)
    db.session.commit()
    staff = [
        {"id": s.id, "name": s.full_name, "position": s.position, "counter": s.counter_number, "photo": photo_url(s),
         "initials": "".join(w[0] for w in s.full_name.split()[-2:]).upper()}
        for s in services.counter_staff(kiosk)
    ]
    settings = {
        "apiUrl": url_for("kiosk.api_ratings"),
        "idleSeconds": current_app.config["KIOSK_IDLE_SECONDS"],
        "thanksSeconds": current_app.config["KIOSK_THANKS_SECONDS"],
        "caseThanksSeconds": current_app.config["KIOSK_CASE_THANKS_SECONDS"],
        "retrySeconds": current_app.config["KIOSK_RETRY_SECONDS"],
        "reloadMinutes": 30,
        "lowScores": list(services.LOW_SCORES),
        "storageKey": f"kiosk-unsent-{kiosk.id}",
    }
    return render_template(
        "kiosk/screen.html", kiosk=kiosk, staff=staff, settings=settings, scores=SCORES,
        negative_reasons=[(r, RATING_REASONS[r]) for r in services.NEGATIVE_REASONS],
        positive_reasons=[(r, RATING_REASONS[r]) for r in services.POSITIVE_REASONS],
    )


def _kiosk_limit_key():
    return request.headers.get(services.TOKEN_HEADER) or request.cookies.get(services.COOKIE_NAME) or request.remote_addr


@bp.route("/api/ratings", methods=["POST"])
@limiter.limit(lambda: current_app.config["KIOSK_RATING_LIMIT"], key_func=_kiosk_limit_key)
def api_ratings():
    """Store one rating sent by a registered kiosk (JSON); a replayed client_uuid is stored once."""
    kiosk = _current_kiosk()
    if kiosk is None:
        return jsonify(status="error", error=_("Thiết bị chưa được đăng ký hoặc đã bị thu hồi")), 403
    if not request.is_json:
        return jsonify(status="error", error=_("Dữ liệu phải được gửi ở dạng JSON.")), 400
    data = request.get_json(silent=True)
    if data is None:
        return jsonify(status="error", error=_("Dữ liệu JSON không đọc được.")), 400
    try:
        result = services.record_rating(kiosk, data)
    except services.RatingError as exc:
        db.session.rollback()
        return jsonify(status="error", error=exc.message, field=exc.field), 400
    services.touch(kiosk)
    db.session.commit()
    return jsonify(result), 200
