"""Findings of the attack review: no security headers, private pages cached, and hostile query values
(NUL bytes, numbers past the bigint range) answering 500."""
import pytest

from feedback.extensions import db
from tests import factories
from tests.conftest import login

BAD_CHARACTER = "Dữ liệu gửi lên có ký tự không hợp lệ."
TOO_BIG = "Số gửi lên quá lớn."
HUGE = str(2**63)

PUBLIC_HOSTILE = [
    "/open311/v2/requests.json?service_request_id=1%00",
    "/open311/v2/requests/%00.json",
    "/open311/v2/requests.json?service_code=a%00b",
    "/answers?unit=XA%00",
    "/answers?category=%00",
    "/answers?q=thai%00do",
    f"/answers?before={HUGE}",
    f"/answers?after={HUGE}",
    f"/answers?unit={HUGE}",
    "/statistics?unit=%00",
    "/track?code=PA%00",
    "/hotlines?q=%00",
]
STAFF_HOSTILE = [
    "/audit/?action=%00",
    f"/audit/?before={HUGE}",
    f"/cases/?page={HUGE}",
    "/cases/?q=%00",
    f"/hotline/outbox?before={HUGE}",
]


@pytest.mark.parametrize("path", PUBLIC_HOSTILE)
def test_hostile_public_query_values_get_a_plain_400(client, path):
    response = client.get(path)
    assert response.status_code == 400, path
    assert BAD_CHARACTER in _error_text(response) or TOO_BIG in _error_text(response)


def _error_text(response):
    if not response.is_json:
        return response.get_data(as_text=True)
    data = response.get_json()
    return data[0]["description"] if isinstance(data, list) else data["error"]  # Open311's format, or ours


@pytest.mark.parametrize("path", STAFF_HOSTILE)
def test_hostile_staff_query_values_get_a_plain_400(app, client, path):
    tree = factories.province_tree()
    admin = factories.user("admin", tree["province"], email="qt@example.vn")
    db.session.commit()
    login(client, admin)
    response = client.get(path)
    assert response.status_code == 400, (path, response.status_code)


def test_a_nul_in_a_form_post_is_refused_and_nothing_is_stored(client):
    response = client.post("/gui-phan-anh", data={"description": "Thái độ\x00 kém", "unit": "", "contact_mode": "anonymous"})
    assert response.status_code == 400 and BAD_CHARACTER in response.get_data(as_text=True)


def test_every_page_carries_the_security_headers(client):
    response = client.get("/")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain http: HSTS would be ignored
    secure = client.get("/", base_url="https://hotline.example.vn")
    assert "max-age=31536000" in secure.headers["Strict-Transport-Security"]


def test_pages_that_can_show_a_case_or_identity_are_not_stored_by_browsers(app, client):
    assert client.get("/track").headers.get("Cache-Control") == "no-store"
    assert "no-store" not in (client.get("/answers").headers.get("Cache-Control") or "")
    handler = factories.user("handler", factories.province_tree()["a"], email="cv@example.vn")
    db.session.commit()
    login(client, handler)
    assert client.get("/cases/").headers.get("Cache-Control") == "no-store"
