"""One case from acceptance to the citizen's rating, checking timeline, outbox and audit chain at each step."""
from datetime import date

from sqlalchemy import select

from feedback.audit import verify_chain
from feedback.extensions import db
from feedback.models import Answer, CaseEvent, DisciplineDecision, OutboundMessage, Rating
from feedback.outcomes.services import rate_answer
from tests.conftest import login


def _kinds(case):
    return [e.kind for e in db.session.scalars(select(CaseEvent).where(CaseEvent.complaint_id == case.id)
                                               .order_by(CaseEvent.id))]


def _purposes():
    return [m.purpose for m in db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id))]


def test_full_outcome_path(app, client, world):
    case, code = world.case, world.case.tracking_code
    assert _purposes() == ["ack"]

    login(client, world.handler)
    client.post(f"/cases/{code}/verification/start")
    client.post(f"/cases/{code}/verification", data={
        "methods": ["interview", "camera", "counter_log"], "conclusion": "substantiated", "action": "submit",
        "findings": "Camera và sổ theo dõi quầy số 3 xác nhận công chức yêu cầu giấy tờ ngoài quy định."})
    assert _kinds(case)[-1] == "verification" and verify_chain() == (True, None)

    login(client, world.head)
    case_page = client.get(f"/cases/{code}").get_data(as_text=True)
    assert "Chờ thủ trưởng duyệt" in case_page and "Mở xác minh" in case_page  # the panels on the case page
    client.post(f"/cases/{code}/verification/review", data={"decision": "approve"})
    db.session.expire_all()
    assert case.status == "concluded" and verify_chain() == (True, None)

    client.post(f"/cases/{code}/discipline", data={"proposed_form": "khien_trach", "notes": "Vi phạm lần đầu."})
    client.post(f"/cases/{code}/discipline/review",
                data={"review_date": "2025-12-05", "review_participants": "Tổ một cửa, lãnh đạo phường",
                      "review_minutes": "Thống nhất hình thức khiển trách."})
    client.post(f"/cases/{code}/discipline/decision", data={
        "outcome": "decided", "form": "khien_trach", "decision_number": "31/QĐ-UBND", "decision_date": "2025-12-08",
        "signer": "Chủ tịch UBND phường Nha Trang"})
    decision = db.session.scalar(select(DisciplineDecision))
    assert decision.status == "decided" and decision.decision_date == date(2025, 12, 8)
    assert _kinds(case)[-3:] == ["discipline", "discipline", "discipline"] and verify_chain() == (True, None)
    # Discipline never goes to the citizen's timeline.
    assert not any(e.is_public for e in case.events if e.kind == "discipline")

    login(client, world.handler)
    draft = client.get(f"/cases/{code}/answer").get_data(as_text=True)
    assert f"mã {code}" in draft
    client.post(f"/cases/{code}/answer", data={"action": "submit", "body": (
        f"Kính gửi Ông/Bà,\nPhản ánh mã {code} đã được xác minh là đúng. Công chức Trần Văn Hùng đã bị khiển trách "
        "theo Quyết định số 31/QĐ-UBND. Trân trọng cảm ơn.")})
    login(client, world.head)
    client.post(f"/cases/{code}/answer/review", data={"decision": "approve", "publish": "y", "public_summary": "",
                                                      "public_body": ""})
    db.session.expire_all()
    answer = db.session.scalar(select(Answer))
    assert case.status == "published" and answer.published_at is not None
    assert "Trần Văn Hùng" not in answer.public_body and "Nguyễn Thị Lan" not in answer.public_summary
    assert "0905 123 456" not in answer.public_summary and "[đã ẩn]" in answer.public_summary
    assert _purposes() == ["ack", "answer", "rating_request"]
    assert verify_chain() == (True, None)

    rating = rate_answer(case, True)
    db.session.commit()
    assert db.session.scalar(select(Rating)).id == rating.id and rating.score == 4
    public = [e.kind for e in case.events if e.is_public]
    assert public[0] == "created" and public[-1] == "rating" and "answer" in public
    assert verify_chain() == (True, None)
