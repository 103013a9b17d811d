"""The law's tracks (issue 13): phản ánh, kiến nghị, khiếu nại, tố cáo and the urgency levels, each with
its own clocks and extensions, with a frozen clock across working days and the 30/4 - 1/5 holidays."""
from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from feedback.calendar import to_utc
from feedback.cases import rules
from feedback.cases.services import CaseError, accept_case, extend_deadline, set_urgency
from feedback.extensions import db
from feedback.models import CaseEvent
from tests import factories


def _at(*args):
    return time_machine.travel(to_utc(datetime(*args)), tick=False)


def test_a_denunciation_is_accepted_by_decision_within_7_working_days_and_resolved_in_30_days(world, as_user):
    """Finding: "nhũng nhiễu, đòi tiền" (in substance a tố cáo) got a 7-working-day answer deadline."""
    with _at(2026, 4, 27, 9, 0):  # Monday before the holidays
        complaint = world.case(description="Cán bộ địa chính đòi tiền mới làm hồ sơ", denunciation_flag=True)
    page = as_user(world.head_a).get(f"/cases/{complaint.tracking_code}").get_data(as_text=True)
    assert 'id="denunciation-flag"' in page
    with _at(2026, 4, 28, 10, 0):
        refused = as_user(world.head_a).post(f"/cases/{complaint.tracking_code}/accept", data={"kind": "to_cao"})
        assert refused.status_code == 400 and "số quyết định thụ lý" in refused.get_data(as_text=True)
        done = as_user(world.head_a).post(f"/cases/{complaint.tracking_code}/accept",
                                          data={"kind": "to_cao", "decision": "12/QĐ-UBND"})
        assert done.status_code == 302
    db.session.expire_all()
    assert (complaint.kind, complaint.acceptance_decision) == ("to_cao", "12/QĐ-UBND")
    # 30 days from acceptance (Luật Tố cáo 2018, Điều 30).
    assert complaint.answer_due_at == to_utc(datetime(2026, 4, 28, 10, 0)) + timedelta(days=30)
    page = as_user(world.head_a).get(f"/cases/{complaint.tracking_code}").get_data(as_text=True)
    assert "Luật Tố cáo 2018" in page and "Điều 30" in page
    # Two extensions of at most 30 days each, then no more.
    with _at(2026, 5, 20, 9, 0):
        with pytest.raises(CaseError, match="từ 1 đến 30 ngày"):
            extend_deadline(complaint, world.head_a, 31, "Phức tạp")
        first_due = complaint.answer_due_at
        extend_deadline(complaint, world.head_a, 30, "Vụ việc phức tạp")
        assert complaint.answer_due_at == first_due + timedelta(days=30)
        extend_deadline(complaint, world.head_a, 30, "Vụ việc đặc biệt phức tạp")
        with pytest.raises(CaseError, match="2 lần"):
            extend_deadline(complaint, world.head_a, 5, "Lần ba")
    assert complaint.extension_count == 2


def test_the_acceptance_clock_of_a_denunciation_is_7_working_days():
    start = to_utc(datetime(2026, 4, 28, 10, 0))  # Tuesday; 30/4, 1/5 holidays, then a weekend
    accept, answer = rules.deadlines("to_cao", "normal", None, start)
    # 29/4 (1), then 30/4 and 1/5 holidays and the weekend, 4/5 ... 8/5 (2-6), 11/5 (7).
    assert accept == to_utc(datetime(2026, 5, 11, 17, 0))
    assert answer == accept + timedelta(days=30)
    accept, answer = rules.deadlines("khieu_nai", "complex", None, start, accepted_at=start)
    assert answer == start + timedelta(days=45)


def test_a_khieu_nai_is_not_extended_its_complex_clock_is_45_days(world):
    with _at(2026, 6, 1, 9, 0):
        complaint = world.case()
        accept_case(complaint, world.head_a, kind="khieu_nai", urgency="complex", reason="Nhiều bên liên quan")
        db.session.commit()
        assert complaint.answer_due_at == to_utc(datetime(2026, 6, 1, 9, 0)) + timedelta(days=45)
        with pytest.raises(CaseError, match="không được gia hạn"):
            extend_deadline(complaint, world.head_a, 5, "x")


def test_an_urgent_case_runs_on_office_hours_and_urgency_changes_need_a_reason(world, as_user):
    """Finding: no urgency levels; Hà Nội and Đà Nẵng run urgent cases in hours, not days."""
    urgent = factories.category(code="khan", default_urgency="urgent", urgent_answer_hours=8, answer_days=10)
    with _at(2026, 6, 2, 14, 0):  # Tuesday 14:00: 3 office hours left today (to 17:00)
        complaint = world.case(category=urgent)
    assert complaint.urgency == "urgent"
    # 8 office hours: 14:00-17:00 (3 h), then Wednesday 07:30-11:30 (4 h) and 13:30-14:30 (1 h).
    assert complaint.answer_due_at == to_utc(datetime(2026, 6, 3, 14, 30))
    assert complaint.accept_due_at == to_utc(datetime(2026, 6, 2, 16, 0))
    with _at(2026, 6, 2, 15, 0):
        with pytest.raises(CaseError, match="lý do"):
            set_urgency(complaint, world.head_a, "normal", "")
        set_urgency(complaint, world.head_a, "normal", "Không cần xử lý gấp")
        db.session.commit()
    assert complaint.urgency == "normal"
    assert complaint.answer_due_at == to_utc(datetime(2026, 6, 16, 17, 0))  # 10 working days from 2/6
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.complaint_id == complaint.id,
                                                      CaseEvent.kind == "deadline"))
    assert event.is_public and "Không cần xử lý gấp" in event.body
    # A handler may accept, but not change the urgency at acceptance.
    second = world.case(category=urgent)
    second.assigned_to_id = world.handler_a.id
    db.session.commit()
    response = as_user(world.handler_a).post(f"/cases/{second.tracking_code}/accept",
                                             data={"kind": "phan_anh", "urgency": "normal", "reason": "x"})
    assert response.status_code == 400 and second.status == "received"


def test_a_complex_phan_anh_gets_twice_the_days_and_one_extension(world):
    with _at(2026, 6, 1, 9, 0):
        complaint = world.case()
        accept_case(complaint, world.head_a, urgency="complex", reason="Cần lấy ý kiến nhiều sở")
        db.session.commit()
        assert complaint.answer_due_at == to_utc(datetime(2026, 6, 29, 17, 0))  # 20 working days
        extend_deadline(complaint, world.head_a, 5, "Chờ ý kiến Sở Xây dựng")
        with pytest.raises(CaseError, match="1 lần"):
            extend_deadline(complaint, world.head_a, 5, "x")


@pytest.mark.parametrize("kind,urgency", [(k, u) for k in ("phan_anh", "kien_nghi") for u in rules.URGENCIES]
                         + [(k, u) for k in ("khieu_nai", "to_cao") for u in ("normal", "complex")])
def test_every_kind_and_urgency_gets_its_clock_from_acceptance(world, kind, urgency):
    """Received Tuesday 28/4/2026 10:00 (30/4 and 1/5 holidays, then a weekend), accepted Wednesday 6/5 09:00."""
    category = factories.category(code=f"c-{kind}-{urgency}", accept_days=1, answer_days=10, urgent_answer_hours=8)
    with _at(2026, 4, 28, 10, 0):
        complaint = world.case(category=category)
    with _at(2026, 5, 6, 9, 0):
        accept_case(complaint, world.head_a, kind=kind, urgency=urgency,
                    reason="Theo tính chất vụ việc" if urgency != complaint.urgency else None,
                    decision="7/QĐ-UBND" if kind == "to_cao" else None)
        db.session.commit()
    received, accepted = to_utc(datetime(2026, 4, 28, 10, 0)), to_utc(datetime(2026, 5, 6, 9, 0))
    expected = {
        ("normal", False): to_utc(datetime(2026, 5, 14, 17, 0)),   # 10 working days from 28/4
        ("complex", False): to_utc(datetime(2026, 5, 28, 17, 0)),  # 20 working days
        ("urgent", False): to_utc(datetime(2026, 4, 29, 10, 30)),  # 8 office hours
        ("normal", True): accepted + timedelta(days=30 if kind == "to_cao" else 30),
        ("complex", True): accepted + timedelta(days=30 if kind == "to_cao" else 45),
    }[(urgency, kind in ("khieu_nai", "to_cao"))]
    assert complaint.answer_due_at == expected, (kind, urgency)
    assert complaint.submitted_at == received
