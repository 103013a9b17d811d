from sqlalchemy import select, update

from feedback import audit
from feedback.extensions import db
from feedback.models import AuditEvent
from tests.conftest import login
from tests.outcomes.helpers import conclude


def test_audit_view_lists_filters_and_pages(app, client, world):
    conclude(world)
    login(client, world.monitor)
    page = client.get("/audit/").get_data(as_text=True)
    assert "verification.approved" in page and "case.created" in page and "Kiểm tra tính toàn vẹn" in page

    page = client.get("/audit/?action=verification.").get_data(as_text=True)
    assert "verification.started" in page and "case.created" not in page
    page = client.get("/audit/?action=case.status&actor=head@example.vn").get_data(as_text=True)
    assert page.count("<code>case.status</code>") == 2  # accepted, concluded (by the head)
    page = client.get(f"/audit/?object_type=complaints&object_id={world.case.id}").get_data(as_text=True)
    assert "case.created" in page and "verification.started" not in page
    page = client.get("/audit/?date_from=2000-01-01&date_to=2000-01-02").get_data(as_text=True)
    assert "Không có sự kiện nào" in page
    response = client.get("/audit/?date_from=hôm-qua")
    assert "Ngày không hợp lệ" in response.get_data(as_text=True)

    for i in range(60):
        audit.record("test.filler", actor_label="system", n=i)
    db.session.commit()
    first = client.get("/audit/?action=test.filler").get_data(as_text=True)
    assert first.count("<code>test.filler</code>") == 50 and "<small>n=59</small>" in first and "Trang sau" in first
    ids = db.session.scalars(select(AuditEvent.id).where(AuditEvent.action == "test.filler")
                             .order_by(AuditEvent.id.desc())).all()
    second = client.get(f"/audit/?action=test.filler&before={ids[49]}").get_data(as_text=True)
    assert second.count("<code>test.filler</code>") == 10 and "<small>n=9</small>" in second and "<small>n=10</small>" not in second
    assert "Trang sau" not in second


def test_verify_button_detects_a_tampered_row(app, client, world):
    conclude(world)
    login(client, world.admin)
    page = client.post("/audit/verify").get_data(as_text=True)
    assert "Chuỗi nhật ký toàn vẹn" in page
    target = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "verification.submitted"))
    db.session.execute(update(AuditEvent).where(AuditEvent.id == target.id).values(actor_label="hacker"))
    db.session.commit()
    page = client.post("/audit/verify").get_data(as_text=True)
    assert "Chuỗi nhật ký bị phá vỡ" in page and f"dòng số {target.id}" in page


def test_audit_view_only_for_monitors_and_admins(app, client, world):
    for user in (world.handler, world.head, world.clerk_user):
        login(client, user)
        assert client.get("/audit/").status_code == 403
        assert client.post("/audit/verify").status_code == 403
    with client.session_transaction() as session:
        session.clear()
    response = client.get("/audit/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
