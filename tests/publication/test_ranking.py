"""The public ranking of units (issue 14): on-time rate, overdue, average time to answer, satisfaction,
by level and period, with the same figures in CSV and JSON."""
from datetime import datetime, timedelta

from feedback.calendar import to_utc
from feedback.extensions import db
from feedback.intake.services import create_case
from feedback.models import Rating
from tests import factories


def _answered(unit, on_time, day):
    case = create_case(channel="web", description="Phản ánh", target_unit=unit).complaint
    case.submitted_at = to_utc(datetime(2026, 3, day, 9, 0))
    case.answer_due_at = case.submitted_at + timedelta(days=10)
    case.answered_at = case.submitted_at + timedelta(days=2 if on_time else 20)
    case.status = "answered"
    return case


def test_units_are_ranked_by_on_time_rate_with_csv_and_json(client, app):
    tree = factories.province_tree()
    good, late = tree["b"], tree["a"]
    for day in (2, 3, 4, 5):
        _answered(good, True, day)
    for day, on_time in ((2, True), (3, False), (4, False)):
        _answered(late, on_time, day)
    overdue = create_case(channel="web", description="Quá hạn", target_unit=late).complaint
    overdue.answer_due_at = to_utc(datetime(2026, 1, 5, 17, 0))
    for score in (5, 4, 2):
        db.session.add(Rating(unit_id=good.id, score=score, source="kiosk", created_at=to_utc(datetime(2026, 3, 9))))
    db.session.commit()
    page = client.get("/xep-hang?level=commune&period=2026-Q1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.index(f'id="rank-{good.code}"') < html.index(f'id="rank-{late.code}"')
    data = client.get("/xep-hang.json?level=commune&period=2026-Q1").get_json()
    rows = {r["code"]: r for r in data["units"]}
    assert (rows[good.code]["rank"], rows[good.code]["on_time_share"], rows[good.code]["satisfaction"]) == (1, 100.0, 66.7)
    assert (rows[late.code]["rank"], rows[late.code]["on_time_share"], rows[late.code]["overdue"]) == (2, 33.3, 1)
    assert rows[good.code]["average_days"] is not None
    csv = client.get("/xep-hang.csv?level=commune&period=2026-Q1").get_data(as_text=True)
    assert f"1,{good.code}," in csv and f"2,{late.code}," in csv
    assert client.get("/xep-hang?level=nope").status_code == 400
