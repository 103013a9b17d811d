"""Findings of the attack review: addresses from X-Forwarded-For only behind configured proxies;
no open redirect through the login's `next`."""
import pytest
from sqlalchemy import select

from feedback.extensions import db
from feedback.models import Complainant
from tests import factories
from tests.portal.helpers import form, setup_directory

PASSWORD = "correct horse battery"


@pytest.mark.parametrize("target", ["/%09/evil.example", "/%0a/evil.example", "/%5C/evil.example", "//evil.example",
                                    "https://evil.example/", "/%20/evil.example"])
def test_login_next_never_leaves_the_site(app, client, target):
    factories.user("handler", email="d@example.vn")
    db.session.commit()
    client.get(f"/auth/login?next={target}")
    response = client.post(f"/auth/login?next={target}", data={"email": "d@example.vn", "password": PASSWORD})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil.example" not in location and not location.startswith("//")


def test_login_next_to_a_page_of_the_site_still_works(app, client):
    factories.user("handler", email="e@example.vn")
    db.session.commit()
    client.get("/auth/login?next=/cases/?status=received")
    response = client.post("/auth/login?next=/cases/?status=received", data={"email": "e@example.vn", "password": PASSWORD})
    assert response.headers["Location"].endswith("/cases/?status=received")


def test_rotating_x_forwarded_for_does_not_escape_the_limit_without_a_configured_proxy(make_app, app):
    limited = make_app(RATELIMIT_ENABLED=True, PORTAL_TRACK_LIMIT="3 per minute")
    client = limited.test_client()
    with limited.app_context():
        statuses = [client.post("/track", data={"code": "PA23456789", "secret": "0000"},
                                headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code for n in range(6)]
        db.session.remove()
    assert statuses[:3] != [429] * 3 and statuses[3:] == [429, 429, 429]


def test_the_stored_address_is_the_peer_unless_a_proxy_is_trusted(make_app, app):
    setup_directory()
    for proxies, expected in ((0, "127.0.0.1"), (1, "198.51.100.7")):
        instance = make_app(TRUSTED_PROXIES=proxies)
        client = instance.test_client()
        with instance.app_context():
            client.post("/gui-phan-anh", data=form(phone=f"090512345{proxies}"),
                        headers={"X-Forwarded-For": "198.51.100.7"})
            db.session.remove()
        stored = db.session.scalar(select(Complainant.ip_address).where(Complainant.phone.like(f"%12345{proxies}")))
        assert stored == expected, (proxies, stored)


def test_a_thousand_guesses_with_rotating_addresses_open_nothing(make_app, app):
    """Acceptance of issue 11: with no proxy configured, 1,000 guesses at a case's key open nothing."""
    from feedback.intake.services import create_case

    setup_directory()
    case = create_case(channel="web", description="Ẩn danh: thái độ hách dịch.").complaint
    db.session.commit()
    limited = make_app(RATELIMIT_ENABLED=True)
    client = limited.test_client()
    statuses = []
    with limited.app_context():
        for n in range(1000):
            response = client.post("/track", data={"code": case.tracking_code, "secret": f"{n:04d}"},
                                   headers={"X-Forwarded-For": f"198.51.{n // 250}.{n % 250}"})
            statuses.append(response.status_code)
        db.session.remove()
    assert 302 not in statuses  # nothing opened
    assert statuses.count(429) >= 990  # refused after the per-address and per-case limits
