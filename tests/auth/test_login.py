"""Password sign-in, lockout after repeated failures, the one-time password flow and the account page."""
from datetime import datetime, timedelta, timezone

import time_machine
from sqlalchemy import select

from feedback.extensions import db
from feedback.models import AuditEvent, User
from tests import factories
from tests.conftest import login

PASSWORD = "correct horse battery"


def _login(client, email, password=PASSWORD):
    return client.post("/auth/login", data={"email": email, "password": password})


def test_login_success_signs_in_and_records_it(app, client):
    user = factories.user("handler", email="chuyenvien@example.vn")
    db.session.commit()
    response = _login(client, "ChuyenVien@example.vn")
    assert response.status_code == 302
    page = client.get("/auth/account")
    assert page.status_code == 200
    assert "chuyenvien@example.vn" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at is not None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login")).actor_id == user.id


def test_wrong_password_is_refused_with_a_vietnamese_message(app, client):
    factories.user("handler", email="a@example.vn")
    db.session.commit()
    response = _login(client, "a@example.vn", "sai mật khẩu")
    assert response.status_code == 401
    assert "Thư điện tử hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    assert client.get("/auth/account").status_code == 302  # still signed out


def test_unknown_email_and_inactive_account_are_refused_alike(app, client):
    factories.user("handler", email="old@example.vn", is_active_account=False)
    db.session.commit()
    assert _login(client, "nobody@example.vn").status_code == 401
    assert _login(client, "old@example.vn").status_code == 401


def test_lockout_slows_the_address_that_failed_with_back_off(app, client):
    factories.user("handler", email="b@example.vn")
    db.session.commit()
    limit = app.config["LOGIN_MAX_FAILURES"]
    attacker = {"REMOTE_ADDR": "203.0.113.66"}

    def attempt(password, at):
        with time_machine.travel(at, tick=False):
            return client.post("/auth/login", data={"email": "b@example.vn", "password": password}, environ_base=attacker)

    start = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
    for n in range(limit):
        assert attempt("wrong password", start).status_code == 401
    # Locked for this address: even the right password is refused, for a minute at first.
    response = attempt(PASSWORD, start)
    assert response.status_code == 429 and "Tài khoản tạm bị khóa" in response.get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.locked")) is not None
    # Then twice as long after each further round of failures, up to LOGIN_LOCKOUT_MINUTES.
    later = start + timedelta(minutes=2)
    for n in range(limit):
        assert attempt("wrong password", later).status_code == 401
    assert attempt(PASSWORD, later + timedelta(seconds=90)).status_code == 429
    assert attempt(PASSWORD, later + timedelta(minutes=3)).status_code == 302


def test_a_strangers_wrong_passwords_never_lock_the_owner_out(app):
    """Finding: anyone could lock any account for 15 minutes with 5 wrong passwords."""
    factories.user("handler", email="owner@example.vn")
    db.session.commit()
    owner = app.test_client()
    assert owner.post("/auth/login", data={"email": "owner@example.vn", "password": PASSWORD},
                      environ_base={"REMOTE_ADDR": "198.51.100.5"}).status_code == 302  # a known device from now on
    owner.post("/auth/logout")
    stranger = app.test_client()
    for _ in range(3 * app.config["LOGIN_MAX_FAILURES"]):
        stranger.post("/auth/login", data={"email": "owner@example.vn", "password": "guess"},
                      environ_base={"REMOTE_ADDR": "198.51.100.5"})  # even from the owner's own office address
    assert stranger.post("/auth/login", data={"email": "owner@example.vn", "password": PASSWORD},
                         environ_base={"REMOTE_ADDR": "198.51.100.5"}).status_code == 429
    # The owner's browser is a known device: it signs in at once.
    assert owner.post("/auth/login", data={"email": "owner@example.vn", "password": PASSWORD},
                      environ_base={"REMOTE_ADDR": "198.51.100.5"}).status_code == 302
    # And from another address, too.
    elsewhere = app.test_client()
    assert elsewhere.post("/auth/login", data={"email": "owner@example.vn", "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "192.0.2.44"}).status_code == 302


def test_failures_below_the_limit_do_not_lock(app, client):
    factories.user("handler", email="c@example.vn")
    db.session.commit()
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        _login(client, "c@example.vn", "wrong password")
    assert _login(client, "c@example.vn").status_code == 302


def test_open_redirect_after_login_is_ignored(app, client):
    factories.user("handler", email="d@example.vn")
    db.session.commit()
    response = client.post("/auth/login?next=//evil.example.com/x", data={"email": "d@example.vn", "password": PASSWORD})
    assert response.status_code == 302
    assert "evil.example.com" not in response.headers["Location"]


def test_logout_signs_out(app, client):
    user = factories.user("handler")
    db.session.commit()
    login(client, user)
    assert client.get("/auth/account").status_code == 200
    client.post("/auth/logout")
    assert client.get("/auth/account").status_code == 302


def test_account_page_shows_name_role_unit_and_totp_status(app, client):
    units = factories.province_tree()
    user = factories.user("handler", units["a"], full_name="Trần Thị Bích")
    db.session.commit()
    login(client, user)
    text = client.get("/auth/account").get_data(as_text=True)
    assert "Trần Thị Bích" in text
    assert "Chuyên viên xử lý" in text
    assert "Phường Nha Trang" in text
    assert "Chưa bật" in text and "/auth/totp/setup" in text


def test_change_password(app, client):
    user = factories.user("handler", email="e@example.vn")
    db.session.commit()
    login(client, user)
    bad = client.post("/auth/account", data={"current_password": "nope", "new_password": "mat-khau-moi-123",
                                             "confirm": "mat-khau-moi-123"})
    assert "Mật khẩu hiện tại không đúng." in bad.get_data(as_text=True)
    mismatch = client.post("/auth/account", data={"current_password": PASSWORD, "new_password": "mat-khau-moi-123",
                                                  "confirm": "khac"})
    assert "Hai lần nhập mật khẩu mới không khớp." in mismatch.get_data(as_text=True)
    short = client.post("/auth/account", data={"current_password": PASSWORD, "new_password": "ngan",
                                               "confirm": "ngan"})
    assert "ít nhất 10 ký tự" in short.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)
    ok = client.post("/auth/account", data={"current_password": PASSWORD, "new_password": "mat-khau-moi-123",
                                           "confirm": "mat-khau-moi-123"})
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("mat-khau-moi-123")


def test_one_time_password_must_be_replaced_before_anything_else(app, client):
    user = factories.user("handler", email="f@example.vn", must_change_password=True)
    db.session.commit()
    assert _login(client, "f@example.vn").status_code == 302
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/account")
    client.post("/auth/account", data={"current_password": PASSWORD, "new_password": "mat-khau-rieng-9",
                                       "confirm": "mat-khau-rieng-9"})
    db.session.expire_all()
    assert db.session.get(User, user.id).must_change_password is False
    assert client.get("/").status_code == 200


def test_each_role_lands_on_its_work_page_after_signing_in(app, client):
    """Issue 14: every sign-in landed on the public home page instead of the role's work page."""
    tree = factories.province_tree()
    # (Monitors and administrators sign in with a second factor first; they land the same way after it.)
    homes = {"operator": "/console/", "unit_head": "/cases/", "handler": "/cases/"}
    for role, home in homes.items():
        factories.user(role, tree["a"], email=f"{role}@example.vn")
        db.session.commit()
        fresh = app.test_client()
        response = _login(fresh, f"{role}@example.vn")
        assert response.status_code == 302 and response.headers["Location"].endswith(home), (role, response.headers)
    # A page asked for before signing in still wins.
    fresh = app.test_client()
    response = fresh.post("/auth/login?next=/cases/notifications", data={"email": "handler@example.vn",
                                                                          "password": PASSWORD})
    assert response.headers["Location"].endswith("/cases/notifications")
