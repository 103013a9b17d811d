from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from feedback.audit import verify_chain
from feedback.cases.workflow import transition
from feedback.extensions import db
from feedback.intake.services import create_case
from feedback.models import Answer, AuditEvent, CaseEvent, OutboundMessage, Rating
from feedback.outcomes import services
from feedback.outcomes.services import OutcomeError, dispute_answer, rate_answer
from tests.conftest import login
from tests.outcomes.conftest import make_world
from tests.outcomes.helpers import answer, conclude

PERSONAL = ("0905 123 456", "lan.nguyen@gmail.com", "079123456789", "79A-123.45", "Nguyễn Thị Lan", "Trần Văn Hùng",
            "+84905123456")


def _messages(purpose):
    return db.session.scalars(select(OutboundMessage).where(OutboundMessage.purpose == purpose)).all()


def test_draft_from_template_approve_send_and_publish_redacted(app, client, world):
    conclude(world)
    case = world.case
    code = case.tracking_code
    login(client, world.handler)
    page = client.get(f"/cases/{code}/answer").get_data(as_text=True)
    # The category's template, filled in.
    assert f"đã nhận phản ánh mã {code}" in page and "Qua xác minh, nội dung phản ánh là đúng." in page
    assert "{ma_ho_so}" not in page and "Bộ phận Một cửa phường Nha Trang đã nhận" in page

    body = ("Kính gửi Ông/Bà,\nQua xác minh, ông Trần Văn Hùng, công chức quầy số 3, đã yêu cầu bà Nguyễn Thị Lan "
            "nộp bản sao CCCD 079123456789 ngoài quy định. Đơn vị đã tổ chức kiểm điểm. Mọi thắc mắc xin gọi "
            "0905 123 456.")
    assert client.post(f"/cases/{code}/answer", data={"body": body, "action": "save"}).status_code == 302
    assert client.post(f"/cases/{code}/answer", data={"body": "", "action": "submit"}).status_code == 400
    assert client.post(f"/cases/{code}/answer", data={"body": body, "action": "submit"}).status_code == 302
    assert db.session.scalar(select(Answer)).status == "submitted"
    # The handler cannot approve.
    assert client.post(f"/cases/{code}/answer/review", data={"decision": "approve"}).status_code == 403

    login(client, world.head)
    page = client.get(f"/cases/{code}/answer").get_data(as_text=True)
    assert "Duyệt trả lời" in page and "Công khai" in page
    # The approval form carries the automatically redacted texts.
    form_part = page[page.index('name="public_summary"'):]
    for value in PERSONAL:
        assert value not in form_part, value
    assert "Công chức Bộ phận Một cửa" in form_part and "[đã ẩn]" in form_part

    # The approver redacts more by editing, adds personal data by mistake: it is removed again.
    edited_summary = "Phản ánh việc yêu cầu bản sao CCCD ngoài quy định tại quầy số 3 (gọi 0905.123.456)."
    response = client.post(f"/cases/{code}/answer/review", data={
        "decision": "approve", "publish": "y", "public_summary": edited_summary,
        "public_body": body + " Liên hệ lan.nguyen@gmail.com, xe 79A-123.45.",
    })
    assert response.status_code == 302
    db.session.expire_all()
    item = db.session.scalar(select(Answer))
    assert item.status == "approved" and item.approved_by_id == world.head.id and item.sent_at is not None
    assert case.status == "published" and item.published_at is not None
    assert item.public_summary.startswith("Phản ánh việc yêu cầu bản sao CCCD ngoài quy định")
    for value in PERSONAL + ("0905.123.456",):
        assert value not in item.public_summary and value not in item.public_body, value
    assert "Công chức Bộ phận Một cửa" in item.public_body

    [sent] = _messages("answer")
    assert sent.to_address == "+84905123456" and sent.dedupe_key == f"answer:{item.id}" and code in sent.body
    [rating_request] = _messages("rating_request")
    assert rating_request.dedupe_key == f"rating_request:{item.id}" and f"/track?code={code}" in rating_request.body
    statuses = [e.to_status for e in case.events if e.kind == "status"]
    assert statuses[-2:] == ["answered", "published"]
    public_answer = [e for e in case.events if e.kind == "answer" and e.is_public]
    assert public_answer and public_answer[-1].body == item.body
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("answer.%"))).all()
    assert actions == ["answer.saved", "answer.submitted", "answer.approved", "answer.published"]
    assert verify_chain() == (True, None)


def test_head_returns_the_draft_with_a_note(app, client, world):
    conclude(world)
    code = world.case.tracking_code
    services.save_answer(world.case, world.handler, body="Trả lời sơ sài.", submit=True)
    db.session.commit()
    login(client, world.head)
    response = client.post(f"/cases/{code}/answer/review", data={"decision": "return", "note": ""})
    assert response.status_code == 400 and "lý do trả lại" in response.get_data(as_text=True)
    assert client.post(f"/cases/{code}/answer/review",
                       data={"decision": "return", "note": "Nêu rõ biện pháp đã xử lý."}).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Answer)).status == "returned" and world.case.status == "concluded"
    assert _messages("answer") == []
    login(client, world.handler)
    page = client.get(f"/cases/{code}/answer").get_data(as_text=True)
    assert "Nêu rõ biện pháp đã xử lý." in page and "Trả lời sơ sài." in page


def test_answer_needs_a_conclusion_and_no_publication_without_consent(app, client):
    world = make_world(consent_publish=False)
    code = world.case.tracking_code
    login(client, world.handler)
    response = client.post(f"/cases/{code}/answer", data={"body": "Trả lời.", "action": "submit"})
    assert response.status_code == 400 and "Cần xác minh" in response.get_data(as_text=True)
    conclude(world)
    services.save_answer(world.case, world.handler, body="Trả lời.", submit=True)
    db.session.commit()
    login(client, world.head)
    page = client.get(f"/cases/{code}/answer").get_data(as_text=True)
    assert "không đồng ý công khai" in page and 'name="public_body"' not in page
    response = client.post(f"/cases/{code}/answer/review",
                           data={"decision": "approve", "publish": "y", "public_body": "x"})  # crafted
    assert response.status_code == 400
    db.session.expire_all()
    assert world.case.status == "concluded" and db.session.scalar(select(Answer)).published_at is None


def test_suggestion_is_answered_without_verification(app):
    world = make_world(category_kind="suggestion", named=False)
    assert services.answer_refusal(world.case) is None
    answer(world, body="Cảm ơn kiến nghị; đơn vị sẽ bố trí thêm ghế chờ.")
    assert world.case.status == "answered"
    assert [e.to_status for e in world.case.events if e.kind == "status"][-1] == "answered"


def test_anonymous_citizen_gets_no_message_but_can_rate(app):
    world = make_world()
    tree = world.tree
    anonymous = create_case(channel="web", description="Ẩn danh: quầy 3 đòi tiền.", category=world.category,
                            target_unit=tree["a"], staff=world.clerk).complaint
    transition(anonymous, "accepted", actor=world.head)
    anonymous.assigned_to_id = world.handler.id
    db.session.commit()
    world.case = anonymous
    conclude(world)
    item = answer(world)
    assert item.status == "approved" and item.sent_at is None
    assert db.session.scalar(select(OutboundMessage).where(OutboundMessage.complaint_id == anonymous.id)) is None
    assert rate_answer(anonymous, True).score == 4


def test_rating_once(app, world):
    conclude(world)
    with pytest.raises(OutcomeError, match="chưa có câu trả lời"):
        rate_answer(world.case, True)
    answer(world)
    rating = rate_answer(world.case, False, "Câu trả lời chưa nêu biện pháp xử lý.")
    db.session.commit()
    assert (rating.source, rating.score, rating.complaint_id, rating.unit_id) == (
        "answer", 2, world.case.id, world.counter.id)
    assert rating.comment == "Câu trả lời chưa nêu biện pháp xử lý."
    with pytest.raises(ValueError, match="đã đánh giá"):
        rate_answer(world.case, True)
    assert db.session.query(Rating).count() == 1
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "rating"))
    assert event.is_public and "Chưa hài lòng" in event.body
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "answer.rated")) is not None


def test_dispute_within_window_goes_to_the_monitoring_office_which_reopens_it(app, client, world):
    conclude(world)
    with time_machine.travel(datetime(2026, 3, 2, 3, 0), tick=False):  # Monday 10:00 in Vietnam
        answer(world)
    with time_machine.travel(datetime(2026, 3, 19, 3, 0), tick=False):  # 13 working days later
        with pytest.raises(ValueError, match="lý do"):
            dispute_answer(world.case, "  ")
        event = dispute_answer(world.case, "Đơn vị chưa xử lý cán bộ, tôi vẫn bị yêu cầu nộp thêm giấy tờ.")
        db.session.commit()
    case = world.case
    assert case.status == "answered" and case.escalated and case.escalation_reason == "disputed"
    assert event.kind == "escalation" and event.is_public
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "answer.disputed")) is not None
    with pytest.raises(ValueError, match="xem xét lại"):
        dispute_answer(case, "Lần nữa.")
    with pytest.raises(ValueError, match="xem xét lại"):
        rate_answer(case, True)
    # The monitoring office decides: examined again by the same unit; the handler starts a new verification.
    with time_machine.travel(datetime(2026, 3, 20, 3, 0), tick=False):
        services.decide_review(case, world.monitor, reopen=True, note="Cần xác minh lại với camera quầy 3.")
        db.session.commit()
    assert case.status == "verifying"
    login(client, world.monitor)
    assert client.get(f"/cases/{case.tracking_code}/verification").status_code == 200
    new = services.start_verification(case, world.handler)
    assert new.status == "draft" and new.id != services.approved_verification(case).id


def test_dispute_after_window_refused(app, world):
    conclude(world)
    with time_machine.travel(datetime(2026, 3, 2, 3, 0), tick=False):
        answer(world)
    deadline = services.dispute_deadline(services.sent_answer(world.case))
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        with pytest.raises(ValueError, match="quá thời hạn 15 ngày làm việc"):
            dispute_answer(world.case, "Không đồng ý.")
    assert world.case.status == "answered" and not world.case.escalated
    # 15 working days after Monday 2 March 2026 (no holiday in between) is Monday 23 March.
    assert deadline.date() == datetime(2026, 3, 23).date()
