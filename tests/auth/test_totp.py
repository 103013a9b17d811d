"""TOTP: enrolment with a QR code, sign-in with codes from pyotp, replay refused, admins forced to enrol."""
from datetime import datetime, timedelta, timezone

import pyotp
import time_machine
from sqlalchemy import select

from feedback.extensions import db
from feedback.models import AuditEvent, User
from tests import factories
from tests.conftest import login

PASSWORD = "correct horse battery"
T0 = datetime(2026, 3, 2, 2, 0, 5, tzinfo=timezone.utc)


def _password_step(client, email):
    return client.post("/auth/login", data={"email": email, "password": PASSWORD})


def _signed_in(client):
    return client.get("/auth/account").status_code == 200


def _setup_secret(client):
    with client.session_transaction() as session:
        return session["totp_setup_secret"]


def test_admin_and_monitor_are_forced_to_enrol_before_being_signed_in(app, client):
    for role in ("admin", "monitor"):
        factories.user(role, email=f"{role}@example.vn")
    db.session.commit()
    for role in ("admin", "monitor"):
        client.post("/auth/logout")
        response = _password_step(client, f"{role}@example.vn")
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/auth/totp/setup")
        assert not _signed_in(client)
        page = client.get("/auth/totp/setup")
        assert "data:image/svg+xml;base64," in page.get_data(as_text=True)  # the QR code
        assert not _signed_in(client)


def test_handler_without_totp_signs_in_with_password_only(app, client):
    factories.user("handler", email="h@example.vn")
    db.session.commit()
    response = _password_step(client, "h@example.vn")
    assert response.status_code == 302 and "/auth/totp" not in response.headers["Location"]
    assert _signed_in(client)


def test_enrolment_then_login_with_pyotp_codes_and_replay_refused(app, client):
    user = factories.user("admin", email="admin@example.vn")
    db.session.commit()
    with time_machine.travel(T0, tick=False):
        _password_step(client, "admin@example.vn")
        client.get("/auth/totp/setup")
        secret = _setup_secret(client)
        wrong = client.post("/auth/totp/setup", data={"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"})
        assert "Mã xác thực không đúng" in wrong.get_data(as_text=True)
        assert not _signed_in(client)
        response = client.post("/auth/totp/setup", data={"code": pyotp.TOTP(secret).now()})
        assert response.status_code == 302
        assert _signed_in(client)
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.totp_enabled and stored.totp_secret == secret
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.totp_enabled")) is not None

    # Next sign-in: password, then a code; the code just used for enrolment is refused (replay).
    client.post("/auth/logout")
    with time_machine.travel(T0 + timedelta(seconds=5), tick=False):
        response = _password_step(client, "admin@example.vn")
        assert response.headers["Location"].endswith("/auth/totp")
        assert not _signed_in(client)
        replay = client.post("/auth/totp", data={"code": pyotp.TOTP(secret).now()})
        assert "Mã xác thực không đúng hoặc đã được dùng." in replay.get_data(as_text=True)
        assert not _signed_in(client)
    with time_machine.travel(T0 + timedelta(seconds=35), tick=False):
        code = pyotp.TOTP(secret).now()
        assert client.post("/auth/totp", data={"code": code}).status_code == 302
        assert _signed_in(client)
        client.post("/auth/logout")
        _password_step(client, "admin@example.vn")
        # The same code again, within its 30 seconds, is a replay.
        assert "đã được dùng" in client.post("/auth/totp", data={"code": code}).get_data(as_text=True)
        assert not _signed_in(client)


def test_totp_step_without_password_step_is_forbidden(app, client):
    assert client.get("/auth/totp").status_code == 403
    assert client.get("/auth/totp/setup").status_code == 403


def test_pending_user_with_totp_cannot_re_enrol_to_skip_the_second_factor(app, client):
    secret = pyotp.random_base32()
    factories.user("admin", email="admin@example.vn", totp_secret=secret, totp_enabled=True)
    db.session.commit()
    _password_step(client, "admin@example.vn")
    response = client.get("/auth/totp/setup")
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/totp")
    assert not _signed_in(client)


def test_wrong_totp_codes_count_towards_lockout(app, client):
    secret = pyotp.random_base32()
    user = factories.user("monitor", email="m@example.vn", totp_secret=secret, totp_enabled=True)
    db.session.commit()
    with time_machine.travel(T0, tick=False):
        _password_step(client, "m@example.vn")
        good = pyotp.TOTP(secret).now()
        bad = f"{(int(good) + 1) % 1000000:06d}"
        for _ in range(app.config["LOGIN_MAX_FAILURES"]):
            client.post("/auth/totp", data={"code": bad})
        response = client.post("/auth/totp", data={"code": good})
        assert response.status_code == 429
        assert not _signed_in(client)
    from feedback.models import LoginThrottle

    locks = db.session.scalars(select(LoginThrottle).where(LoginThrottle.key.startswith(f"{user.id}:"))).all()
    assert len(locks) == 1 and locks[0].locked_until is not None  # locked for this place only


def test_any_user_can_enable_totp_voluntarily_from_the_account_page(app, client):
    user = factories.user("operator", email="op@example.vn")
    db.session.commit()
    with time_machine.travel(T0, tick=False):
        # Signed session cookies carry their time: sign in inside the travelled time.
        login(client, user)
        assert "Bật xác thực hai lớp" in client.get("/auth/account").get_data(as_text=True)
        setup = client.get("/auth/totp/setup")
        assert setup.status_code == 200, (setup.status_code, setup.headers.get("Location"))
        secret = _setup_secret(client)
        response = client.post("/auth/totp/setup", data={"code": pyotp.TOTP(secret).now()})
        assert response.headers["Location"].endswith("/auth/account")
        assert "Đã bật" in client.get("/auth/account").get_data(as_text=True)
        # Once enabled, the setup page does not let a signed-in session replace it.
        assert client.get("/auth/totp/setup").headers["Location"].endswith("/auth/account")
        client.post("/auth/logout")
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        assert _password_step(client, "op@example.vn").headers["Location"].endswith("/auth/totp")
        client.post("/auth/totp", data={"code": pyotp.TOTP(secret).now()})
        assert _signed_in(client)
