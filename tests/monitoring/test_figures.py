"""Counts, on-time shares and satisfaction indices equal hand-computed values."""
from datetime import datetime, timedelta

from feedback.extensions import db
from feedback.models import utcnow
from feedback.monitoring import queries
from feedback.monitoring.periods import parse_period
from feedback.monitoring.rollups import refresh_rollups
from tests.conftest import login
from tests.monitoring.conftest import local, make_case, rate


def _march_cases(w):
    a, b = w["a"], w["b"]
    # Commune A: three cases in March 2026, two answered on time, one late.
    make_case(a, local(2026, 3, 2, 9), answered=local(2026, 3, 5, 9), due=local(2026, 3, 12, 17), category=w["cat"])
    make_case(a, local(2026, 3, 10, 9), answered=local(2026, 3, 11, 9), due=local(2026, 3, 20, 17), channel="sms")
    make_case(a, local(2026, 3, 20, 9), answered=local(2026, 4, 10, 9), due=local(2026, 4, 3, 17), category=w["cat"])
    # Commune B: two open cases, one past its deadline (relative to now), one not.
    make_case(w["b"], local(2026, 3, 25, 9), due=utcnow() - timedelta(days=2), status="accepted")
    make_case(b, local(2026, 3, 31, 23, 30), due=utcnow() + timedelta(days=5), status="verifying", channel="kiosk")
    # Outside the office's subtree: must never count.
    for day in (3, 4, 5, 6):
        make_case(w["other_ward"], local(2026, 3, day, 9), answered=local(2026, 3, day, 10))
    # The first of April (local time) belongs to April even though it is still 31 March in UTC.
    make_case(a, local(2026, 4, 1, 0, 30), due=utcnow() + timedelta(days=3))
    db.session.commit()


def test_case_figures_for_the_month(world):
    _march_cases(world)
    refresh_rollups()
    data = queries.case_dashboard(world["province"], parse_period("2026-03"))
    assert data.totals.received == 5
    assert data.totals.answered == 3
    assert data.totals.on_time == 2
    assert data.totals.on_time_share == 66.7
    # (3 + 1 + 21 days) / 3 answered
    assert data.totals.average_days == round((3 + 1 + 21) / 3, 1)
    by_unit = {unit.code: (f.received, open_count, overdue) for unit, f, open_count, overdue in data.by_unit}
    assert by_unit == {"XA-A": (3, 1, 0), "XA-B": (2, 2, 1)}
    assert dict((c, f.received) for c, f in data.by_channel) == {"web": 3, "sms": 1, "kiosk": 1}
    assert data.overdue_now == 1 and data.open_now == 3
    april = queries.case_dashboard(world["province"], parse_period("2026-04"))
    assert april.totals.received == 1
    quarter = queries.case_dashboard(world["province"], parse_period("2026-Q1"))
    assert quarter.totals.received == 5


def test_other_province_never_appears(world, client):
    _march_cases(world)
    refresh_rollups()
    data = queries.case_dashboard(world["province"], parse_period("2026"))
    assert all(unit.code.startswith(("XA", "KH")) for unit, *_ in data.by_unit)
    login(client, world["monitor"])
    page = client.get("/monitoring/?period=2026-03").get_data(as_text=True)
    assert "Phường Nha Trang" in page and "Hải Châu" not in page
    overdue = client.get("/monitoring/overdue").get_data(as_text=True)
    assert "Xã Cam Lâm" in overdue and "Hải Châu" not in overdue
    sat = client.get("/monitoring/satisfaction?period=2026").get_data(as_text=True)
    assert "Hải Châu" not in sat


def test_satisfaction_index_by_unit_counter_staff_and_target(world):
    when = local(2026, 5, 12, 10)
    rate(world["counter_a"], [5, 5, 4, 4, 4, 3, 2, 1, 5, 4], when, staff=world["clerk"], counter="3")
    rate(world["b"], [5, 5, 5, 5], when)
    rate(world["other_ward"], [1, 1, 1, 1, 1], when)
    db.session.commit()
    refresh_rollups()
    data = queries.satisfaction(world["province"], parse_period("2026-Q2"))
    assert data["target"] == 91.0  # 2026: on the line from 90% (2025) to 95% (2030)
    assert (data["overall"].total, data["overall"].satisfied, data["overall"].index) == (14, 11, 78.6)
    units = {row.unit.code: (row.total, row.index, row.below_target) for row in data["units"]}
    # 7 of 10 satisfied: below the 91% target; B has too few ratings to be flagged.
    assert units == {"XA-A-MC": (10, 70.0, True), "XA-B": (4, 100.0, False)}
    assert [(r.counter, r.total, r.index) for r in data["counters"]] == [("3", 10, 70.0)]
    assert [(r.staff.full_name, r.index) for r in data["staff"]] == [("Trần Thị Bích", 70.0)]
    assert queries.low_rated_staff(data["staff"]) == []  # 70% is not below the 70% line
    assert queries.satisfaction(world["province"], parse_period("2026-07"))["overall"].total == 0


def test_targets_2025_2030_and_administrator_years(world, client):
    from feedback.monitoring.settings import satisfaction_target

    assert satisfaction_target(2025) == 90.0
    assert satisfaction_target(2027) == 92.0  # on the line from 90% (2025) to 95% (2030)
    assert satisfaction_target(2030) == 95.0
    assert satisfaction_target(2031) == 95.0
    admin = __import__("tests.factories", fromlist=["user"]).user("admin", None, email="admin@kh.vn")
    db.session.commit()
    login(client, admin)
    response = client.post("/monitoring/settings", data={"target_year": 2027, "target_value": 93,
                                                         "threshold": 3, "window_months": 6})
    assert response.status_code == 302
    assert satisfaction_target(2027) == 93.0
    from feedback.monitoring.settings import flag_rule

    assert flag_rule() == (3, 6)


def test_rollup_refresh_only_counts_new_rows_once(world):
    when = local(2026, 5, 12, 10)
    rate(world["b"], [5, 1], when)
    db.session.commit()
    refresh_rollups()
    refresh_rollups()
    data = queries.satisfaction(world["province"], parse_period("2026-05"))
    assert data["overall"].total == 2
    rate(world["b"], [4], datetime(2026, 5, 13, 3))
    db.session.commit()
    from feedback.models import RollupState

    # The watermark is after these rows' month: the job still rebuilds from the watermark's month.
    db.session.get(RollupState, "ratings").watermark = datetime(2026, 5, 13)
    db.session.commit()
    refresh_rollups()
    assert queries.satisfaction(world["province"], parse_period("2026-05"))["overall"].total == 3


def test_a_monitor_at_the_monitoring_office_watches_its_parents_subtree(world, client):
    _march_cases(world)
    refresh_rollups()
    office_monitor = __import__("tests.factories", fromlist=["user"]).user("monitor", world["monitor_office"])
    db.session.commit()
    login(client, office_monitor)
    page = client.get("/monitoring/?period=2026-03").get_data(as_text=True)
    assert "Phường Nha Trang" in page and "Xã Cam Lâm" in page and "Hải Châu" not in page
