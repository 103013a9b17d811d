"""Transfers between units with the clock rule, and declining a duplicate by merging it into the original."""
from datetime import datetime

import time_machine
from sqlalchemy import select

from feedback.calendar import to_utc
from feedback.extensions import db
from feedback.models import AuditEvent, CaseEvent, Complaint, Notification, OutboundMessage, TransferRequest
from tests import factories
from tests.cases.conftest import PHONE


def _events(complaint, kind):
    return db.session.scalars(select(CaseEvent).where(CaseEvent.complaint_id == complaint.id,
                                                      CaseEvent.kind == kind).order_by(CaseEvent.id)).all()


def test_transfer_restarts_both_deadlines_from_the_transfer_date(world, as_user):
    with time_machine.travel(to_utc(datetime(2026, 4, 21, 9, 0)), tick=False):  # Tuesday
        complaint = world.case(staff=None)
    world.tree["b"].head_staff_id = None
    db.session.commit()
    code = complaint.tracking_code
    old_answer_due = complaint.answer_due_at
    # Transferred on Wednesday 29 April: 30/4 and 1/5 are holidays, then a weekend.
    with time_machine.travel(to_utc(datetime(2026, 4, 29, 10, 0)), tick=False):
        client = as_user(world.head_a)
        missing = client.post(f"/cases/{code}/transfer", data={"unit_id": str(world.tree["b"].id), "reason": ""})
        assert missing.status_code == 400 and "Vui lòng nêu lý do chuyển xử lý." in missing.get_data(as_text=True)
        crafted = client.post(f"/cases/{code}/transfer", data={"unit_id": str(world.tree["a"].id), "reason": "x"})
        assert crafted.status_code == 400  # not to itself
        done = client.post(f"/cases/{code}/transfer",
                           data={"unit_id": str(world.tree["b"].id), "reason": "Việc thuộc thẩm quyền xã Cam Lâm"})
        assert done.status_code == 302
        assert complaint.unit_id == world.tree["a"].id  # it stays until the receiving unit accepts
        request_row = db.session.scalar(select(TransferRequest))
        accepted = as_user(world.head_b).post(f"/cases/transfers/{request_row.id}",
                                              data={f"t{request_row.id}-decision": "accept"})
        assert accepted.status_code == 302
    db.session.expire_all()
    assert complaint.unit_id == world.tree["b"].id and complaint.assigned_to_id is None
    # Acceptance: 1 working day from Wed 29/4 -> Mon 4/5; answer: 10 working days -> Fri 15/5, 17:00 local.
    assert complaint.accept_due_at == to_utc(datetime(2026, 5, 4, 17, 0))
    assert complaint.answer_due_at == to_utc(datetime(2026, 5, 15, 17, 0))
    assert complaint.answer_due_at != old_answer_due
    event = [e for e in _events(complaint, "transfer") if e.is_public][0]
    assert event.is_public and "Thời hạn tính lại từ ngày chuyển" in event.body and "15/05/2026" in event.body
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.transferred")).data["to_unit"] == "XA-B"
    told = db.session.scalars(select(OutboundMessage).where(OutboundMessage.to_address == PHONE)).all()[-1]
    assert "15/05/2026" in told.body and "Xã Cam Lâm" in told.body
    # It left unit A and reached unit B's head.
    assert as_user(world.head_a).get(f"/cases/{code}").status_code == 403
    assert code in as_user(world.head_b).get("/cases/").get_data(as_text=True)
    head_b_notes = db.session.scalars(select(Notification).where(Notification.user_id == world.head_b.id)).all()
    assert head_b_notes and all(n.kind == "transfer" for n in head_b_notes)


def test_transfer_refuses_a_unit_led_by_the_named_person(world, as_user):
    chief_b = factories.staff(world.tree["b"], position="Chủ tịch UBND xã")
    world.tree["b"].head_staff_id = chief_b.id
    complaint = world.case(staff=None)
    complaint.staff_id = chief_b.id  # e.g. the clerk's name was corrected by intake
    db.session.commit()
    response = as_user(world.head_a).post(f"/cases/{complaint.tracking_code}/transfer",
                                          data={"unit_id": str(world.tree["b"].id), "reason": "Không thuộc thẩm quyền"})
    assert response.status_code == 400 and complaint.unit_id == world.tree["a"].id


def test_decline_as_duplicate_merges_both_timelines(world, as_user):
    original = world.case()
    duplicate = world.case(description="Lần thứ hai: quầy số 3 đòi thêm giấy tờ.")
    other_unit = world.case(staff=None, unit=world.tree["b"])
    client = as_user(world.head_a)
    code = duplicate.tracking_code
    no_code = client.post(f"/cases/{code}/decline", data={"reason": "duplicate", "duplicate_code": ""})
    assert no_code.status_code == 400 and "Vui lòng nhập mã phản ánh gốc." in no_code.get_data(as_text=True)
    outside = client.post(f"/cases/{code}/decline", data={"reason": "duplicate",
                                                          "duplicate_code": other_unit.tracking_code})
    assert outside.status_code == 400 and "trong phạm vi được xem" in outside.get_data(as_text=True)
    itself = client.post(f"/cases/{code}/decline", data={"reason": "duplicate", "duplicate_code": code})
    assert itself.status_code == 400
    bad_reason = client.post(f"/cases/{code}/decline", data={"reason": "because"})
    assert bad_reason.status_code == 400 and duplicate.status == "received"
    done = client.post(f"/cases/{code}/decline", data={"reason": "duplicate",
                                                       "duplicate_code": original.tracking_code.lower()})
    assert done.status_code == 302
    assert duplicate.status == "declined" and duplicate.decline_reason == "duplicate"
    assert duplicate.duplicate_of_id == original.id
    assert _events(duplicate, "merge")[-1].body == f"merged_into:{original.tracking_code}"
    assert _events(original, "merge")[-1].body == f"merged_from:{duplicate.tracking_code}"
    # Both stay readable, each linking to the other.
    dup_page = client.get(f"/cases/{code}").get_data(as_text=True)
    orig_page = client.get(f"/cases/{original.tracking_code}").get_data(as_text=True)
    assert f'/cases/{original.tracking_code}"' in dup_page and "Lần thứ hai" in dup_page
    assert "Trùng với phản ánh đã tiếp nhận (gộp hồ sơ)" in dup_page
    assert f'/cases/{code}"' in orig_page
    told = db.session.scalar(select(OutboundMessage).where(OutboundMessage.dedupe_key == f"declined:{duplicate.id}"))
    assert told is not None and "Trùng với phản ánh" in told.body
    assert original.tracking_code not in told.body  # another citizen's code is never sent


def test_decline_for_other_reasons(world, as_user):
    complaint = world.case(staff=None)
    client = as_user(world.head_a)
    response = client.post(f"/cases/{complaint.tracking_code}/decline",
                           data={"reason": "insufficient", "note": "Không rõ thời gian, địa điểm"})
    assert response.status_code == 302 and complaint.status == "declined"
    status = _events(complaint, "status")[-1]
    assert status.to_status == "declined" and "Không đủ thông tin" in status.body and status.is_public
    note = _events(complaint, "note")[-1]
    assert note.body == "Không rõ thời gian, địa điểm" and not note.is_public
    assert "Không rõ thời gian" not in status.body
    # A declined case takes no more actions.
    assert client.post(f"/cases/{complaint.tracking_code}/extend", data={"days": "2", "reason": "x"}).status_code == 400
    assert db.session.get(Complaint, complaint.id).extended is False
