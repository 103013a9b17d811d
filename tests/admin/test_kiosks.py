"""Kiosks: the device token is shown once and only its hash is stored; revoke and re-issue."""
import re

from sqlalchemy import select

from feedback.extensions import db
from feedback.models import AuditEvent, Kiosk


def _token(response):
    return re.search(r'<code id="kiosk-token">([^<]+)</code>', response.get_data(as_text=True)).group(1)


def _kiosk():
    db.session.expire_all()
    return db.session.scalar(select(Kiosk))


def test_token_shown_once_and_only_its_hash_stored(app, as_province_admin, tree):
    response = as_province_admin.post("/admin/kiosks/new", data={
        "name": "Máy đánh giá quầy 3", "unit_id": tree["counter_a"].id, "counter_number": "3"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    token = _token(response)
    assert len(token) >= 24
    kiosk = _kiosk()
    assert kiosk.unit_id == tree["counter_a"].id and kiosk.counter_number == "3" and kiosk.active
    assert kiosk.token_hash == Kiosk.hash_token(token) and token not in kiosk.token_hash
    assert kiosk.token_hint == token[:6]
    listing = as_province_admin.get("/admin/kiosks").get_data(as_text=True)
    assert "Máy đánh giá quầy 3" in listing and token not in listing and kiosk.token_hint in listing
    assert token not in as_province_admin.get(f"/admin/kiosks/{kiosk.id}/edit").get_data(as_text=True)
    audit_data = [str(e.data) for e in db.session.scalars(select(AuditEvent))]
    assert all(token not in data for data in audit_data)


def test_revoke_and_reissue(app, as_province_admin, tree):
    first = _token(as_province_admin.post("/admin/kiosks/new", data={"name": "Máy đánh giá", "unit_id": tree["a"].id}))
    kiosk = _kiosk()
    as_province_admin.post(f"/admin/kiosks/{kiosk.id}/revoke")
    kiosk = _kiosk()
    assert kiosk.active is False and kiosk.revoked_at is not None
    assert kiosk.token_hash == Kiosk.hash_token(first)
    second = _token(as_province_admin.post(f"/admin/kiosks/{kiosk.id}/reissue"))
    kiosk = _kiosk()
    assert second != first and kiosk.active and kiosk.revoked_at is None
    assert kiosk.token_hash == Kiosk.hash_token(second)
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["admin.kiosk_created", "admin.kiosk_revoked", "admin.kiosk_token_reissued"]


def test_kiosk_needs_a_name_and_a_unit(app, as_province_admin, tree):
    text = as_province_admin.post("/admin/kiosks/new", data={"name": "", "unit_id": ""}).get_data(as_text=True)
    assert "Vui lòng nhập tên máy đánh giá." in text and "Lựa chọn không hợp lệ" in text
    assert _kiosk() is None
