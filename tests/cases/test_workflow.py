"""End to end: a web submission naming a counter clerk through routing, assignment, acceptance,
notes and messages, and the one extension; a case naming the unit head never reaches that unit."""
from datetime import timedelta

from sqlalchemy import select

from feedback.audit import verify_chain
from feedback.calendar import working_calendar
from feedback.extensions import db
from feedback.models import AuditEvent, CaseEvent, Complaint, Notification, OutboundMessage
from tests.cases.conftest import NAME, PHONE


def _web_submission(client, world):
    data = {
        "description": "Cán bộ quầy số 3 yêu cầu nộp thêm giấy tờ không có trong quy định và có thái độ khó chịu.",
        "incident_date": "", "incident_place": "Bộ phận Một cửa", "unit": "XA-A", "category": "thai-do",
        "staff": world.clerk.public_ref, "staff_description": "", "contact_mode": "contact", "full_name": NAME,
        "phone": "0905 123 456", "email": "", "consent_publish": "y", "website": "", "submission_key": "",
        "submit": "Gửi phản ánh",
    }
    response = client.post("/gui-phan-anh", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return db.session.scalar(select(Complaint).order_by(Complaint.id.desc()).limit(1))


def _events(complaint, kind=None):
    query = select(CaseEvent).where(CaseEvent.complaint_id == complaint.id).order_by(CaseEvent.id)
    if kind:
        query = query.where(CaseEvent.kind == kind)
    return db.session.scalars(query).all()


def _no_identity(html):
    for secret in ("905123456", "905 123 456", "Bí Mật", PHONE):
        assert secret not in html


def test_web_case_naming_a_clerk_from_routing_to_extension(world, client, as_user):
    complaint = _web_submission(as_user(None), world)
    code = complaint.tracking_code
    assert complaint.unit_id == world.tree["counter_a"].id and complaint.staff_id == world.clerk.id
    assert complaint.complainant.phone == PHONE

    # The commune head sees it in the queue (the counter lies in the commune's subtree).
    head = as_user(world.head_a)
    queue = head.get("/cases/").get_data(as_text=True)
    assert code in queue and "Lê Thị Hoa" in queue
    page = head.get(f"/cases/{code}").get_data(as_text=True)
    assert "Danh tính người phản ánh được bảo vệ" in page and "Thái độ phục vụ" in page
    _no_identity(page)

    # The clerk herself never sees it: not listed, not counted, 403 by URL.
    clerk = as_user(world.clerk_user)
    listing = clerk.get("/cases/").get_data(as_text=True)
    assert code not in listing
    assert clerk.get(f"/cases/{code}").status_code == 403

    # Assignment: a handler from another unit or the named clerk is refused, then a proper one.
    head = as_user(world.head_a)
    for crafted in (world.handler_b.id, world.clerk_user.id, 999999):
        refused = head.post(f"/cases/{code}/assign", data={"handler_id": str(crafted)})
        assert refused.status_code == 400 and "Lựa chọn không hợp lệ." in refused.get_data(as_text=True)
    assert complaint.assigned_to_id is None
    assert head.post(f"/cases/{code}/assign", data={"handler_id": str(world.handler_a.id)}).status_code == 302
    assert complaint.assigned_to_id == world.handler_a.id
    assert _events(complaint, "assignment")[0].body == "Chuyên viên An"
    assert db.session.scalar(select(Notification).where(Notification.user_id == world.handler_a.id,
                                                        Notification.kind == "assigned")) is not None

    # Another handler of the counter no longer sees it; the assigned one does and accepts it.
    assert as_user(world.handler_a2).get(f"/cases/{code}").status_code == 403
    handler = as_user(world.handler_a)
    assert code in handler.get("/cases/?mine=1").get_data(as_text=True)
    assert handler.post(f"/cases/{code}/accept").status_code == 302
    assert complaint.status == "accepted" and complaint.accepted_at is not None
    assert handler.post(f"/cases/{code}/accept").status_code == 400  # only once

    # Internal note: on the timeline, not public, nothing sent.
    before = db.session.query(OutboundMessage).count()
    handler.post(f"/cases/{code}/note", data={"kind": "note", "body": "Đã trích xuất camera quầy 3."})
    note = _events(complaint, "note")[-1]
    assert note.body == "Đã trích xuất camera quầy 3." and note.is_public is False
    assert db.session.query(OutboundMessage).count() == before

    # A question to the citizen goes through the outbox; the unit never handles the number.
    handler.post(f"/cases/{code}/note", data={"kind": "message", "is_question": "y",
                                               "body": "Xin cho biết bạn đến quầy vào buổi sáng hay chiều?"})
    message = db.session.scalar(select(OutboundMessage).where(OutboundMessage.purpose == "question"))
    assert message.to_address == PHONE and "buổi sáng hay chiều" in message.body and code in message.body
    out = _events(complaint, "message_out")[-1]
    assert out.is_public and "buổi sáng hay chiều" in out.body
    for user in (world.head_a, world.handler_a):
        _no_identity(as_user(user).get(f"/cases/{code}").get_data(as_text=True))
        _no_identity(as_user(user).get("/cases/").get_data(as_text=True))

    # Extension once: working days from the old deadline, told to the citizen; the second is refused.
    head = as_user(world.head_a)
    old_due = complaint.answer_due_at
    bad = head.post(f"/cases/{code}/extend", data={"days": "0", "reason": "x"})
    assert bad.status_code == 400 and "Từ 1 đến 30 ngày làm việc." in bad.get_data(as_text=True)
    assert head.post(f"/cases/{code}/extend", data={"days": "5", "reason": "Chờ trích xuất camera"}).status_code == 302
    assert complaint.extended and complaint.answer_due_at == working_calendar().add_working_days(old_due, 5)
    told = db.session.scalar(select(OutboundMessage).where(OutboundMessage.dedupe_key == f"extension:{complaint.id}:1"))
    assert told is not None and "Chờ trích xuất camera" in told.body and told.to_address == PHONE
    second = head.post(f"/cases/{code}/extend", data={"days": "3", "reason": "Thêm lần nữa"})
    assert second.status_code == 400
    assert "đã được gia hạn 1 lần" in second.get_data(as_text=True)
    assert complaint.answer_due_at == working_calendar().add_working_days(old_due, 5)
    assert _events(complaint, "extension")[0].is_public

    actions = [a for (a,) in db.session.execute(
        select(AuditEvent.action).where(AuditEvent.object_type == "complaints",
                                        AuditEvent.object_id == str(complaint.id)).order_by(AuditEvent.id))]
    for action in ("case.created", "case.assigned", "case.status", "case.note", "case.message", "case.extended"):
        assert action in actions
    assert verify_chain() == (True, None)


def test_case_naming_the_unit_head_never_reaches_that_unit(world, as_user):
    complaint = world.case(staff="head_a_staff")
    code = complaint.tracking_code
    assert complaint.unit_id == world.tree["province"].id
    routing = _events(complaint, "routing")[0]
    assert routing.body == "names_head:KH"
    for user in (world.head_a, world.handler_a, world.handler_a2, world.clerk_user):
        client = as_user(user)
        listing = client.get("/cases/").get_data(as_text=True)
        assert code not in listing
        assert client.get(f"/cases/{code}").status_code == 403
        assert client.get(f"/cases/?staff={world.head_a_staff.id}").get_data(as_text=True).count(code) == 0
    # The level above handles it.
    assert code in as_user(world.head_province).get("/cases/").get_data(as_text=True)


def test_queue_filters_counts_and_due_sorting(world, as_user):
    first = world.case()
    second = world.case(staff=None, description="Đề nghị bố trí thêm ghế chờ tại Bộ phận Một cửa phường.")
    third = world.case(staff=None, unit=world.tree["b"], description="Phản ánh tại xã B")
    second.answer_due_at = first.answer_due_at - timedelta(days=3)
    first.status = "accepted"
    db.session.commit()
    client = as_user(world.head_a)
    html = client.get("/cases/").get_data(as_text=True)
    assert html.index(second.tracking_code) < html.index(first.tracking_code)
    assert third.tracking_code not in html
    only_accepted = client.get("/cases/?status=accepted").get_data(as_text=True)
    assert first.tracking_code in only_accepted and second.tracking_code not in only_accepted
    by_staff = client.get(f"/cases/?staff={world.clerk.id}").get_data(as_text=True)
    assert first.tracking_code in by_staff and second.tracking_code not in by_staff
    # Overdue and due-soon filters, counted by the clock.
    second.answer_due_at = first.submitted_at - timedelta(hours=1)
    first.answer_due_at = working_calendar().add_working_days(first.submitted_at, 1)
    db.session.commit()
    overdue = client.get("/cases/?due=overdue").get_data(as_text=True)
    assert second.tracking_code in overdue and first.tracking_code not in overdue
    soon = client.get("/cases/?due=soon").get_data(as_text=True)
    assert first.tracking_code in soon and second.tracking_code not in soon
    # Unknown filter values are ignored, never a 500.
    assert client.get("/cases/?status=bogus&category=x&staff=y&page=-4").status_code == 200
    # Numbers past the database's range are refused plainly (issue 11), never a 500.
    huge = client.get(f"/cases/?category={10**30}&staff=-1&page={10**30}")
    assert huge.status_code == 400 and "Số gửi lên quá lớn." in huge.get_data(as_text=True)
    # Handlers: cases assigned to them or unassigned in their subtree.
    first.assigned_to_id = world.handler_a2.id
    db.session.commit()
    handler_view = as_user(world.handler_a).get("/cases/").get_data(as_text=True)
    assert first.tracking_code not in handler_view and second.tracking_code in handler_view
