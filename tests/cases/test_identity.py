"""Identity protection: the unit works without the complainant's identity until the monitoring office
approves a justified request; the request and the decision are audited."""
from sqlalchemy import select

from feedback.audit import verify_chain
from feedback.extensions import db
from feedback.models import AuditEvent, IdentityRevealRequest, Notification
from tests import factories
from tests.cases.conftest import NAME, PHONE


def _page(client, complaint):
    response = client.get(f"/cases/{complaint.tracking_code}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_reveal_requested_by_the_head_approved_by_the_monitor(world, as_user):
    complaint = world.case()
    complaint.assigned_to_id = world.handler_a.id
    db.session.commit()
    # Intake side and monitoring office see the identity; the handling unit does not.
    assert NAME in _page(as_user(world.operator), complaint) and PHONE in _page(as_user(world.monitor), complaint)
    head = as_user(world.head_a)
    page = _page(head, complaint)
    assert NAME not in page and PHONE not in page and "Yêu cầu xem danh tính người phản ánh" in page

    response = head.post(f"/cases/{complaint.tracking_code}/identity",
                         data={"reason": "Cần gọi lại để hẹn buổi làm việc đối chất"})
    assert response.status_code == 302
    req = db.session.scalar(select(IdentityRevealRequest))
    assert req.status == "requested" and req.requested_by_id == world.head_a.id
    assert db.session.scalar(select(Notification).where(Notification.user_id == world.monitor.id,
                                                        Notification.kind == "identity")) is not None
    page = _page(head, complaint)
    assert NAME not in page and "Đang chờ cơ quan theo dõi" in page
    again = head.post(f"/cases/{complaint.tracking_code}/identity", data={"reason": "Hỏi lại lần nữa cho chắc"})
    assert again.status_code == 400 and db.session.query(IdentityRevealRequest).count() == 1

    # Only a monitor whose subtree holds the case decides; others are refused.
    for user in (world.head_a, world.operator, world.handler_a):
        assert as_user(user).post(f"/cases/identity-requests/{req.id}", data={f"d{req.id}-decision": "approve"}).status_code == 403
    other_office = factories.unit("KH2", "Tỉnh khác", kind="province")
    outsider = factories.user("monitor", other_office, email="m2@example.vn")
    db.session.commit()
    assert as_user(outsider).post(f"/cases/identity-requests/{req.id}", data={f"d{req.id}-decision": "approve"}).status_code == 403
    assert req.status == "requested"

    monitor = as_user(world.monitor)
    listing = monitor.get("/cases/identity-requests").get_data(as_text=True)
    assert "hẹn buổi làm việc đối chất" in listing
    assert monitor.post(f"/cases/identity-requests/{req.id}",
                        data={f"d{req.id}-decision": "approve", f"d{req.id}-note": "Đồng ý, chỉ dùng để liên hệ"}).status_code == 302
    assert req.status == "approved" and req.decided_by_id == world.monitor.id and req.decided_at is not None
    approved = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "identity.reveal_approved"))
    assert approved.actor_id == world.monitor.id and approved.data["requested_by"] == world.head_a.id
    # Deciding twice changes nothing.
    monitor.post(f"/cases/identity-requests/{req.id}", data={f"d{req.id}-decision": "refuse"})
    assert req.status == "approved"

    # Now, and only now, the requester sees the identity; the handler and the other heads still do not.
    page = _page(as_user(world.head_a), complaint)
    assert NAME in page and PHONE in page
    assert NAME not in _page(as_user(world.handler_a), complaint)
    assert NAME not in _page(as_user(world.head_province), complaint)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "identity.requested")) is not None
    assert verify_chain() == (True, None)


def test_refused_reveal_keeps_the_identity_hidden(world, as_user):
    complaint = world.case()
    head = as_user(world.head_a)
    head.post(f"/cases/{complaint.tracking_code}/identity", data={"reason": "Muốn biết ai đã phản ánh"})
    req = db.session.scalar(select(IdentityRevealRequest))
    as_user(world.monitor).post(f"/cases/identity-requests/{req.id}", data={f"d{req.id}-decision": "refuse"})
    assert req.status == "refused"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "identity.reveal_refused")) is not None
    page = _page(as_user(world.head_a), complaint)
    assert NAME not in page and "Bị từ chối" in page
    bad = as_user(world.monitor).post(f"/cases/identity-requests/{req.id}", data={f"d{req.id}-decision": "maybe"})
    assert bad.status_code == 302 and req.status == "refused"


def test_anonymous_case_has_nothing_to_reveal(world, as_user):
    complaint = world.case(contact=False)
    head = as_user(world.head_a)
    assert "Phản ánh ẩn danh." in _page(head, complaint)
    response = head.post(f"/cases/{complaint.tracking_code}/identity", data={"reason": "Cần liên hệ người dân"})
    assert response.status_code == 400 and "ẩn danh" in response.get_data(as_text=True)
