"""Cases reach "Đã đóng" (issue 13): the unit head closes a final answer, the system closes one whose
dispute window passed without a dispute; a dispute in time still reopens a closed case."""
from datetime import datetime, timedelta

import time_machine

from feedback.extensions import db
from feedback.jobs.worker import PERIODIC_JOBS
from feedback.models import CaseEvent
from feedback.outcomes import services
from feedback.outcomes.jobs import close_settled_cases
from feedback.outcomes.services import dispute_answer
from tests.conftest import login
from tests.outcomes.helpers import answer, conclude

MONDAY = datetime(2026, 3, 2, 3, 0)  # Monday 10:00 in Việt Nam


def test_the_unit_head_closes_an_answered_case_from_the_answer_page(app, client, world):
    """Finding: no route or service closed a case; every real case stayed answered for ever."""
    conclude(world)
    with time_machine.travel(MONDAY, tick=False):
        answer(world)
    case = world.case
    login(client, world.handler)
    assert client.post(f"/cases/{case.tracking_code}/close", data={"note": "x"}).status_code == 403
    login(client, world.head)
    page = client.get(f"/cases/{case.tracking_code}/answer").get_data(as_text=True)
    assert "Đóng phản ánh" in page
    response = client.post(f"/cases/{case.tracking_code}/close", data={"note": "Người dân đã nhận kết quả."})
    assert response.status_code == 302
    db.session.expire_all()
    assert case.status == "closed" and case.closed_at is not None
    event = db.session.query(CaseEvent).filter_by(complaint_id=case.id, to_status="closed").one()
    assert event.actor_id == world.head.id and event.body == "Người dân đã nhận kết quả." and event.is_public
    # A second close is refused with a message, not a 500.
    again = client.post(f"/cases/{case.tracking_code}/close", data={}, follow_redirects=True)
    assert "Chỉ đóng được phản ánh đã trả lời" in again.get_data(as_text=True)


def test_a_case_not_yet_answered_cannot_be_closed(app, world):
    conclude(world)
    try:
        services.close_case(world.case, world.head)
    except services.OutcomeError as error:
        assert "đã trả lời" in str(error)
    else:
        raise AssertionError("closed before an answer")


def test_the_system_closes_cases_whose_dispute_window_passed_and_a_dispute_reopens_a_closed_one(app, world):
    conclude(world)
    with time_machine.travel(MONDAY, tick=False):
        answer(world)
    case = world.case
    deadline = services.dispute_deadline(services.sent_answer(case))
    assert "outcomes.close_settled" in PERIODIC_JOBS
    with time_machine.travel(deadline - timedelta(minutes=1), tick=False):
        assert close_settled_cases() == 0  # still within the window
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        assert close_settled_cases() == 1
        assert close_settled_cases() == 0
    db.session.expire_all()
    assert case.status == "closed"
    event = db.session.query(CaseEvent).filter_by(complaint_id=case.id, to_status="closed").one()
    assert event.actor_label == "system" and "15 ngày làm việc" in event.body


def test_a_head_closed_case_disputed_in_time_goes_to_the_monitoring_office_and_can_reopen(app, world):
    conclude(world)
    with time_machine.travel(MONDAY, tick=False):
        answer(world)
        services.close_case(world.case, world.head)
        db.session.commit()
    with time_machine.travel(MONDAY + timedelta(days=3), tick=False):
        dispute_answer(world.case, "Tôi vẫn bị yêu cầu nộp thêm giấy tờ.")
        db.session.commit()
        assert world.case.escalation_reason == "disputed"
        services.decide_review(world.case, world.monitor, reopen=True, note="Xác minh lại.")
        db.session.commit()
    assert world.case.status == "verifying"
