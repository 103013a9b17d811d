"""A wrong "không thụ lý" is not final, and disputes are decided by the monitoring office (issue 13)."""
from datetime import datetime, timedelta

import time_machine
from sqlalchemy import func, select

from feedback.calendar import to_utc
from feedback.cases.services import decline_case
from feedback.extensions import db
from feedback.models import CaseEvent, CaseReview, Notification, OutboundMessage
from feedback.outcomes import services as outcomes
from feedback.portal.services import SESSION_CASES
from tests.cases.conftest import PHONE


def _at(*args):
    return time_machine.travel(to_utc(datetime(*args)), tick=False)


def _declined(world):
    with _at(2026, 5, 11, 9, 0):  # Monday
        complaint = world.case(staff=None)
        decline_case(complaint, world.head_a, "insufficient", note="Không rõ cán bộ nào")
        db.session.commit()
    return complaint


def _open_in_browser(client, complaint):
    with client.session_transaction() as session:
        session[SESSION_CASES] = [complaint.tracking_code]


def test_the_citizen_asks_for_a_review_of_a_decline_and_the_office_reopens_it_elsewhere(world, as_user, client):
    """Finding: "Không thụ lý" was final; a wrongly declined case could be neither reopened nor appealed."""
    complaint = _declined(world)
    as_user(None)
    with _at(2026, 5, 12, 9, 0):
        _open_in_browser(client, complaint)  # signed at the frozen time: a cookie from the future is refused
        page = client.get(f"/track?code={complaint.tracking_code}").get_data(as_text=True)
        assert "Đề nghị xem xét lại việc không thụ lý" in page
        done = client.post(f"/track/{complaint.tracking_code}/xem-xet-lai",
                           data={"dispute_reason": "Việc xảy ra tại bộ phận một cửa của xã Cam Lâm"},
                           follow_redirects=True).get_data(as_text=True)
        assert "Đã gửi đề nghị xem xét lại" in done
        again = client.post(f"/track/{complaint.tracking_code}/xem-xet-lai", data={"dispute_reason": "Lần nữa"},
                            follow_redirects=True).get_data(as_text=True)
        assert "đã đề nghị xem xét lại việc không thụ lý này" in again
    review = db.session.scalar(select(CaseReview))
    assert (review.kind, review.status) == ("decline", "pending")
    assert complaint.escalated and complaint.escalation_reason == "decline_review"
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == world.monitor.id, Notification.kind == "review")) == 1
    # The monitoring office sees it and sends it to the competent unit; both clocks restart.
    monitor = as_user(world.monitor)
    assert complaint.tracking_code in monitor.get("/cases/reviews").get_data(as_text=True)
    assert as_user(world.head_a).get("/cases/reviews").status_code == 403
    with _at(2026, 5, 13, 9, 0):
        response = as_user(world.monitor).post(f"/cases/{complaint.tracking_code}/review", data={
            f"r{complaint.id}-decision": "reopen", f"r{complaint.id}-unit_id": str(world.tree["b"].id),
            f"r{complaint.id}-note": "Thuộc thẩm quyền xã Cam Lâm"})
        assert response.status_code == 302
    db.session.expire_all()
    assert complaint.status == "received" and complaint.unit_id == world.tree["b"].id
    assert complaint.decline_reason is None and review.status == "reopened" and review.to_unit_id == world.tree["b"].id
    assert complaint.answer_due_at > to_utc(datetime(2026, 5, 13, 9, 0))
    told = db.session.scalars(select(OutboundMessage).where(OutboundMessage.to_address == PHONE)).all()[-1]
    assert "mở lại" in told.body
    assert complaint.tracking_code in as_user(world.head_b).get("/cases/").get_data(as_text=True)


def test_the_monitoring_office_reopens_a_declined_case_unasked(world, as_user):
    complaint = _declined(world)
    page = as_user(world.monitor).get(f"/cases/{complaint.tracking_code}").get_data(as_text=True)
    assert 'id="review"' in page
    assert 'id="review"' not in as_user(world.head_a).get(f"/cases/{complaint.tracking_code}").get_data(as_text=True)
    response = as_user(world.monitor).post(f"/cases/{complaint.tracking_code}/review", data={
        f"r{complaint.id}-decision": "reopen", f"r{complaint.id}-unit_id": str(world.tree["a"].id),
        f"r{complaint.id}-note": "Kiểm tra lại: thuộc thẩm quyền phường", "next": "case"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{complaint.tracking_code}")
    db.session.expire_all()
    assert complaint.status == "received" and complaint.unit_id == world.tree["a"].id
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.complaint_id == complaint.id,
                                                      CaseEvent.from_status == "declined"))
    assert event.actor_id == world.monitor.id and "thẩm quyền phường" in event.body


def test_a_confirmed_dispute_stands_and_the_same_answer_cannot_be_disputed_again(world):
    """Finding: disputes reopened the case in the same unit with no limit and no decision by the office."""
    from feedback.cases.workflow import transition

    complaint = world.case(staff=None)
    for status in ("accepted", "answered"):
        transition(complaint, status)
    from feedback.models import Answer
    db.session.add(Answer(complaint=complaint, body="Đã trả lời.", status="sent", approved_at=complaint.answered_at,
                          sent_at=complaint.answered_at))
    db.session.commit()
    outcomes.dispute_answer(complaint, "Tôi không đồng ý.")
    db.session.commit()
    # Not closable, by hand or by the job, while the office has not decided.
    assert outcomes.close_refusal(complaint) and "chờ cơ quan theo dõi" in outcomes.close_refusal(complaint)
    outcomes.decide_review(complaint, world.monitor, reopen=False, note="Câu trả lời đúng quy định.")
    db.session.commit()
    assert complaint.status == "answered"
    public = db.session.scalars(select(CaseEvent).where(CaseEvent.complaint_id == complaint.id,
                                                        CaseEvent.is_public, CaseEvent.kind == "escalation")).all()
    assert any("giữ nguyên câu trả lời" in e.body for e in public)
    try:
        outcomes.dispute_answer(complaint, "Lần nữa")
    except outcomes.OutcomeError as error:
        assert "đã đề nghị xem xét lại câu trả lời này" in str(error)
    else:
        raise AssertionError("the same answer was disputed twice")
    assert outcomes.close_refusal(complaint) is None


def test_only_the_monitoring_office_in_scope_decides(world):
    complaint = _declined(world)
    for user in (world.head_a, world.handler_a, world.head_b):
        try:
            outcomes.decide_review(complaint, user, reopen=True, note="x")
        except outcomes.OutcomeError:
            pass
        else:
            raise AssertionError(user)
    assert complaint.status == "declined"


def test_a_decline_review_after_the_window_is_refused(world):
    complaint = _declined(world)
    deadline = outcomes.decline_review_deadline(complaint)
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        try:
            outcomes.request_decline_review(complaint, "Muộn")
        except outcomes.OutcomeError as error:
            assert "quá thời hạn" in str(error)
        else:
            raise AssertionError("accepted after the window")
