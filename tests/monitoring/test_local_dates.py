"""Every "today", period boundary and displayed date is Asia/Ho_Chi_Minh, not UTC (issue 14)."""
from datetime import date, datetime, timedelta, timezone

import time_machine
from sqlalchemy import select

from feedback.extensions import db
from feedback.models import Complaint, DisciplineDecision
from feedback.monitoring.queries import named_staff
from feedback.models import utcnow
from tests import factories

# 02/12/2026 at 04:13 in Việt Nam is still 01/12 in UTC.
EARLY = datetime(2026, 12, 1, 21, 13, tzinfo=timezone.utc)


def test_a_decision_dated_today_is_in_the_named_staff_register_before_7_am(app):
    """Finding: between 00:00 and 07:00 a discipline decision dated today was missing from the register."""
    tree = factories.province_tree()
    clerk = factories.staff(tree["counter_a"], full_name="Lê Thị Hoa")
    with time_machine.travel(EARLY, tick=False):
        case = factories_case(tree, clerk)
        db.session.add(DisciplineDecision(complaint=case, staff_id=clerk.id, status="decided", form="khien_trach",
                                          decision_number="1/QĐ", decision_date=date(2026, 12, 2), signer="Chủ tịch"))
        db.session.commit()
    with time_machine.travel(EARLY + timedelta(minutes=5), tick=False):
        rows = named_staff(tree["province"], utcnow() - timedelta(days=30))
    [row] = [r for r in rows if r.staff.id == clerk.id]
    assert row.disciplined == 1  # disciplined once, today


def factories_case(tree, clerk):
    from feedback.intake.services import create_case

    return create_case(channel="web", description="Thái độ không đúng mực", target_unit=tree["a"],
                       staff=clerk).complaint


def test_a_kiosk_case_tapped_at_4_am_has_that_local_date(app, client):
    """Finding: a kiosk case received 02/12 at 04:13 showed incident date 01/12."""
    import uuid

    tree = factories.province_tree()
    clerk = factories.staff(tree["counter_a"], full_name="Trần Thị Lan", counter_number="3")
    _kiosk, token = factories.kiosk(tree["counter_a"], counter_number="3")
    db.session.commit()
    with time_machine.travel(EARLY, tick=False):
        response = client.post("/kiosk/api/ratings", headers={"X-Kiosk-Token": token}, json={
            "client_uuid": str(uuid.uuid4()), "score": 1, "staff_id": clerk.id, "reasons": ["asked_money"]})
    assert response.status_code == 200
    assert db.session.scalar(select(Complaint.incident_date)) == date(2026, 12, 2)
