"""Transfers the receiving unit accepts or returns, and no ping-pong: after two transfers the
monitoring office decides (issue 13)."""
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.models import Notification, TransferRequest


def _ask(as_user, head, complaint, unit, reason="Không thuộc thẩm quyền của đơn vị"):
    return as_user(head).post(f"/cases/{complaint.tracking_code}/transfer", data={"unit_id": str(unit.id),
                                                                                  "reason": reason})


def _decide(as_user, user, request_row, decision, note=""):
    return as_user(user).post(f"/cases/transfers/{request_row.id}",
                              data={f"t{request_row.id}-decision": decision, f"t{request_row.id}-note": note})


def _pending():
    db.session.expire_all()
    return db.session.scalar(select(TransferRequest).where(TransferRequest.status == "pending"))


def test_the_receiving_unit_returns_a_transfer_with_a_reason_and_the_case_stays(world, as_user):
    """Finding: transfers could not be refused or returned by the receiving unit."""
    complaint = world.case(staff=None)
    assert _ask(as_user, world.head_a, complaint, world.tree["b"]).status_code == 302
    row = _pending()
    page = as_user(world.head_b).get("/cases/transfers").get_data(as_text=True)
    assert complaint.tracking_code in page and "Không thuộc thẩm quyền của đơn vị" in page
    assert as_user(world.head_a).get("/cases/transfers").get_data(as_text=True).count(complaint.tracking_code) == 0
    # Neither the sender nor a handler of the receiving unit can decide.
    assert _decide(as_user, world.head_a, row, "accept").status_code == 404
    assert _decide(as_user, world.handler_b, row, "accept").status_code == 403
    no_reason = _decide(as_user, world.head_b, row, "return", "")
    assert no_reason.status_code == 302 and _pending() is not None  # refused: a reason is needed
    assert _decide(as_user, world.head_b, row, "return", "Việc thuộc phường Nha Trang").status_code == 302
    db.session.expire_all()
    assert row.status == "returned" and complaint.unit_id == world.tree["a"].id
    told = db.session.scalars(select(Notification).where(Notification.user_id == world.head_a.id)).all()
    assert any("bị trả lại" in n.body and "phường Nha Trang" in n.body for n in told)
    # The sending head sees the case again with its transfer form.
    assert "Chuyển xử lý sang đơn vị khác" in as_user(world.head_a).get(f"/cases/{complaint.tracking_code}").get_data(
        as_text=True)


def test_while_a_transfer_waits_no_second_one_can_be_asked(world, as_user):
    complaint = world.case(staff=None)
    _ask(as_user, world.head_a, complaint, world.tree["b"])
    page = as_user(world.head_a).get(f"/cases/{complaint.tracking_code}").get_data(as_text=True)
    assert 'id="pending-transfer"' in page and "Chuyển xử lý sang đơn vị khác" not in page
    assert _ask(as_user, world.head_a, complaint, world.tree["b"]).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(TransferRequest)) == 1


def test_after_two_transfers_the_monitoring_office_decides(world, as_user):
    """Finding: transfers could ping-pong without limit."""
    complaint = world.case(staff=None)
    _ask(as_user, world.head_a, complaint, world.tree["b"])
    _decide(as_user, world.head_b, _pending(), "accept")
    _ask(as_user, world.head_b, complaint, world.tree["a"], "Trả về phường")
    _decide(as_user, world.head_a, _pending(), "accept")
    db.session.expire_all()
    assert complaint.unit_id == world.tree["a"].id
    _ask(as_user, world.head_a, complaint, world.tree["b"], "Lần ba")
    third = _pending()
    assert third.needs_monitor
    assert "Lần ba" not in as_user(world.head_b).get("/cases/transfers").get_data(as_text=True)
    assert _decide(as_user, world.head_b, third, "accept").status_code == 404
    monitor_page = as_user(world.monitor).get("/cases/transfers").get_data(as_text=True)
    assert "Lần ba" in monitor_page and "Cơ quan theo dõi" in monitor_page
    assert _decide(as_user, world.monitor, third, "return", "Phường Nha Trang giải quyết").status_code == 302
    db.session.expire_all()
    assert third.status == "refused" and complaint.unit_id == world.tree["a"].id
