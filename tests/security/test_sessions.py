"""Findings of the attack review: logout was a GET and a cookie saved before it still opened staff pages;
sessions did not rotate at sign-in and never timed out."""
import time

import time_machine
from flask.sessions import SecureCookieSessionInterface

from feedback.extensions import db
from tests import factories

PASSWORD = "correct horse battery"


def _sign_in(client, email):
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client.get_cookie("session").value


def _with_cookie(app, value):
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def test_a_cookie_saved_before_logout_opens_nothing_afterwards(app, client):
    factories.user("handler", factories.province_tree()["a"], email="cv@example.vn")
    db.session.commit()
    saved = _sign_in(client, "cv@example.vn")
    assert _with_cookie(app, saved).get("/cases/").status_code == 200
    assert client.post("/auth/logout").status_code == 302
    replay = _with_cookie(app, saved).get("/cases/")
    assert replay.status_code == 302 and "/auth/login" in replay.headers["Location"]


def test_logout_is_a_post_with_the_csrf_token(make_app, app):
    factories.user("handler", email="cv2@example.vn")
    db.session.commit()
    strict = make_app(WTF_CSRF_ENABLED=True)
    client = strict.test_client()
    with strict.app_context():
        assert client.get("/auth/logout").status_code == 405
        assert client.post("/auth/logout").status_code == 400  # no token: refused
        db.session.remove()


def test_the_session_is_new_after_sign_in(app, client):
    factories.user("handler", email="cv3@example.vn")
    db.session.commit()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"  # session fixation: a value set before sign-in
        session["lang"] = "en"
    _sign_in(client, "cv3@example.vn")
    with client.session_transaction() as session:
        assert "planted" not in session and session["lang"] == "en" and session["_user_id"]


def test_idle_and_absolute_time_outs_end_staff_sessions(app, client):
    factories.user("handler", factories.province_tree()["a"], email="cv4@example.vn")
    db.session.commit()
    start = time.time()
    with time_machine.travel(start, tick=False) as clock:
        _sign_in(client, "cv4@example.vn")
        assert client.get("/cases/").status_code == 200
        clock.shift(31 * 60)  # 31 minutes without a request
        expired = client.get("/cases/")
        assert expired.status_code == 302 and "/auth/login" in expired.headers["Location"]
        _sign_in(client, "cv4@example.vn")
        for _ in range(24):  # busy all day: a request every 29 minutes, 11.6 hours in all
            clock.shift(29 * 60)
            assert client.get("/cases/").status_code == 200
        clock.shift(29 * 60)  # past 12 hours since signing in: sign in again, however busy
        assert client.get("/cases/").status_code == 302


def test_a_password_change_ends_the_other_sessions_but_not_this_one(app):
    factories.user("handler", factories.province_tree()["a"], email="cv5@example.vn")
    db.session.commit()
    laptop, phone = app.test_client(), app.test_client()
    _sign_in(laptop, "cv5@example.vn")
    _sign_in(phone, "cv5@example.vn")
    response = laptop.post("/auth/account", data={"current_password": PASSWORD, "new_password": "another long secret 42",
                                                  "confirm": "another long secret 42"})
    assert response.status_code == 302
    assert laptop.get("/cases/").status_code == 200
    assert phone.get("/cases/").status_code == 302


def test_a_session_id_without_its_version_is_not_accepted(app):
    user = factories.user("handler", factories.province_tree()["a"], email="cv6@example.vn")
    db.session.commit()
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    forged = serializer.dumps({"_user_id": str(user.id), "_fresh": True, "signed_in_at": time.time(),
                               "seen_at": time.time()})
    assert _with_cookie(app, forged).get("/cases/").status_code == 302
