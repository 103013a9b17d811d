"""Discipline with its clocks and its authority (issue 13): the steps, the 90/150-day time limit with
warnings, periods not yet considered, thời hiệu, the forms per staff kind (labour contracts too),
bãi nhiệm as the electing body's decision, the disciplined person's khiếu nại, the rating exceptions."""
from datetime import date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from feedback.extensions import db
from feedback.models import DisciplineDecision, Notification
from feedback.outcomes import services
from feedback.outcomes.jobs import watch_discipline_time_limits
from feedback.outcomes.services import OutcomeError
from tests.outcomes.conftest import make_world
from tests.outcomes.helpers import conclude

TODAY = date(2026, 3, 2)


def _noon(day):
    return datetime(day.year, day.month, day.day, 5, 0)  # 12:00 in Việt Nam


def _file(world, **kw):
    with time_machine.travel(_noon(TODAY), tick=False):
        conclude(world)
        decision = services.propose_discipline(world.case, world.head, **kw)
        services.record_review(world.case, world.head, review_date=TODAY, minutes="Kiểm điểm.",
                               participants="Tổ một cửa")
        db.session.commit()
    return decision


def _decide(world, form="khien_trach", on=TODAY + timedelta(days=10), actor=None, **kw):
    with time_machine.travel(_noon(on), tick=False):
        return services.decide_discipline(world.case, actor or world.head, form=form, decision_number="9/QĐ-UBND",
                                          decision_date=on, signer="Chủ tịch UBND phường", **kw)


def test_the_time_limit_is_90_days_150_when_complex_with_warnings_then_the_office_told(app):
    """Finding: discipline had no clocks."""
    world = make_world()
    decision = _file(world)
    assert decision.started_on == TODAY and services.discipline_due(decision) == TODAY + timedelta(days=90)
    assert watch_discipline_time_limits(TODAY + timedelta(days=60)) == {"warned": 0, "late": 0}
    warned = watch_discipline_time_limits(TODAY + timedelta(days=80))
    assert warned["warned"] >= 1 and watch_discipline_time_limits(TODAY + timedelta(days=81))["warned"] == 0
    late = watch_discipline_time_limits(TODAY + timedelta(days=91))
    assert late["late"] >= 1
    told = db.session.scalars(select(Notification).where(Notification.user_id == world.monitor.id,
                                                         Notification.kind == "discipline")).all()
    assert told and "quá thời hạn" in told[0].body
    decision.complex_case = True
    assert services.discipline_due(decision) == TODAY + timedelta(days=150)


def test_a_period_not_yet_considered_blocks_the_decision_and_extends_the_limit(app):
    world = make_world()
    decision = _file(world)
    with time_machine.travel(_noon(TODAY + timedelta(days=5)), tick=False):
        services.pause_discipline(world.case, world.head, ground="maternity", starts_on=TODAY + timedelta(days=5),
                                  ends_on=TODAY + timedelta(days=34), note="Giấy chứng nhận nghỉ thai sản")
        db.session.commit()
    with pytest.raises(OutcomeError, match="chưa xem xét"):
        _decide(world, on=TODAY + timedelta(days=10))
    # 30 days paused: the limit moves from day 90 to day 120.
    with time_machine.travel(_noon(TODAY + timedelta(days=40)), tick=False):
        assert services.discipline_due(decision) == TODAY + timedelta(days=120)
    _decide(world, on=TODAY + timedelta(days=40))
    assert decision.status == "decided"


def test_the_limitation_period_is_checked(app):
    world = make_world()
    world.case.incident_date = TODAY - timedelta(days=3 * 365)
    db.session.commit()
    _file(world)
    with pytest.raises(OutcomeError, match="hết thời hiệu"):
        _decide(world, form="khien_trach")  # 2 years for a violation at the level of khiển trách
    _decide(world, form="canh_cao")  # 5 years for the others


def test_labour_contract_staff_get_the_labour_code_forms(app):
    """Finding: staff on labour contracts were offered cảnh cáo and buộc thôi việc."""
    world = make_world(staff_kind="other", is_leader=True)
    assert services.allowed_forms(world.clerk) == ["khien_trach", "keo_dai_nang_luong", "cach_chuc", "sa_thai"]
    assert "Bộ luật Lao động năm 2019 (Điều 124)" in services.default_legal_basis(world.clerk)
    _file(world)
    with pytest.raises(OutcomeError, match="không áp dụng"):
        _decide(world, form="canh_cao")
    with pytest.raises(OutcomeError, match="Hội đồng kỷ luật"):
        _decide(world, form="sa_thai")  # the heaviest forms need the council first
    _decide(world, form="keo_dai_nang_luong")


def test_vien_chuc_legal_basis_names_the_amending_decree(app):
    world = make_world(staff_kind="vien_chuc")
    assert "71/2023/NĐ-CP" in services.default_legal_basis(world.clerk)


def test_bai_nhiem_is_recorded_from_the_electing_bodys_resolution_by_the_monitoring_office(app):
    """Finding: "bãi nhiệm" (an HĐND vote) could be recorded by any unit head."""
    world = make_world(staff_kind="can_bo")
    _file(world)
    with pytest.raises(OutcomeError, match="cơ quan bầu"):
        _decide(world, form="bai_nhiem")
    with pytest.raises(OutcomeError, match="cơ quan đã biểu quyết"):
        _decide(world, form="bai_nhiem", actor=world.monitor)
    decision = _decide(world, form="bai_nhiem", actor=world.monitor, electing_body="HĐND phường Nha Trang, kỳ họp thứ 5")
    assert decision.electing_body.startswith("HĐND phường")


def test_the_disciplined_persons_appeal_is_recorded_and_an_annulment_lifts_the_rating_flag(app):
    world = make_world()
    _file(world)
    decision = _decide(world)
    db.session.commit()
    year = decision.decision_date.year
    assert services.assessment_flag(world.clerk, year) == "không hoàn thành nhiệm vụ"
    services.record_appeal(world.case, world.head, filed_on=TODAY + timedelta(days=15), summary="Không đồng ý")
    with pytest.raises(OutcomeError, match="chưa được giải quyết"):
        services.record_appeal(world.case, world.head, filed_on=TODAY + timedelta(days=16), summary="Lần nữa")
    services.decide_appeal(world.case, world.head, outcome="annulled", decided_on=TODAY + timedelta(days=40),
                           note="Quyết định số 20/QĐ-UBND hủy quyết định kỷ luật")
    db.session.commit()
    assert services.assessment_flag(world.clerk, year) is None


def test_a_violation_already_counted_in_an_earlier_rating_is_not_counted_again(app):
    """Finding: "không hoàn thành nhiệm vụ" ignored the exceptions."""
    world = make_world()
    _file(world)
    decision = _decide(world, already_assessed_year=2025)
    db.session.commit()
    assert decision.decision_date.year == 2026
    assert services.assessment_flag(world.clerk, 2026) is None


def test_the_steps_are_separate_meetings_with_participants(app):
    """Finding: kiểm điểm -> Hội đồng kỷ luật -> quyết định were one meeting."""
    world = make_world()
    with time_machine.travel(_noon(TODAY), tick=False):
        conclude(world)
        services.propose_discipline(world.case, world.head)
        with pytest.raises(OutcomeError, match="không còn phù hợp"):
            services.record_meeting(world.case, world.head, meeting_date=TODAY, minutes="x", participants="y")
        with pytest.raises(OutcomeError, match="thành phần tham dự"):
            services.record_review(world.case, world.head, review_date=TODAY, minutes="x", participants="")
        services.record_review(world.case, world.head, review_date=TODAY, minutes="Kiểm điểm", participants="Tổ")
        services.record_meeting(world.case, world.head, meeting_date=TODAY, minutes="Hội đồng", participants="5 người")
    decision = db.session.scalar(select(DisciplineDecision))
    assert (decision.status, decision.review_participants, decision.meeting_participants) == ("meeting", "Tổ", "5 người")
