"""Working days and hours: Tết, a Friday afternoon, a substituted day off and office hours.

Times are written in local time (Asia/Ho_Chi_Minh) and converted, as the calendar stores naive UTC.
"""
from datetime import date, datetime, time

import pytest

from feedback.calendar import WorkingCalendar, parse_office_hours, to_local, to_utc, working_calendar

CAL = WorkingCalendar("07:30-11:30,13:30-17:00")


def local(*args):
    return to_utc(datetime(*args))


def as_local(moment):
    return to_local(moment).replace(tzinfo=None)


def test_utc_round_trip_is_seven_hours():
    assert local(2026, 3, 2, 8, 0) == datetime(2026, 3, 2, 1, 0)
    assert as_local(datetime(2026, 3, 2, 1, 0)) == datetime(2026, 3, 2, 8, 0)


@pytest.mark.parametrize("day", [date(2026, 2, d) for d in range(16, 21)])
def test_tet_2026_is_not_working_time(day):
    assert not CAL.is_working_day(day)
    assert CAL.holiday_name(day)


def test_a_case_received_before_tet_is_due_after_it():
    # Friday 13 February 2026, 15:00: the next working day is Monday 23 February (16-20 Tết, weekends around).
    received = local(2026, 2, 13, 15, 0)
    assert as_local(CAL.add_working_days(received, 1)) == datetime(2026, 2, 23, 17, 0)
    assert as_local(CAL.add_working_days(received, 3)) == datetime(2026, 2, 25, 17, 0)
    assert CAL.working_days_between(received, local(2026, 2, 23, 9, 0)) == 1


def test_a_case_received_friday_afternoon_counts_from_monday():
    friday = local(2026, 3, 6, 16, 30)
    assert as_local(CAL.add_working_days(friday, 1)) == datetime(2026, 3, 9, 17, 0)
    assert as_local(CAL.add_working_days(friday, 5)) == datetime(2026, 3, 13, 17, 0)
    # Ten working days: two full weeks, the weekend in between does not count.
    assert as_local(CAL.add_working_days(friday, 10)) == datetime(2026, 3, 20, 17, 0)


def test_received_on_a_saturday_the_zero_day_deadline_is_monday():
    saturday = local(2026, 3, 7, 10, 0)
    assert as_local(CAL.add_working_days(saturday, 0)) == datetime(2026, 3, 9, 17, 0)


def test_substituted_day_off_and_its_make_up_saturday():
    # 2 May 2025 (Friday) was a day off, worked back on Saturday 26 April 2025.
    assert not CAL.is_working_day(date(2025, 5, 2))
    assert CAL.is_working_day(date(2025, 4, 26))
    assert not CAL.is_working_day(date(2025, 4, 27))  # the Sunday after stays a rest day
    # Received Friday 25 April afternoon: the make-up Saturday is the first working day.
    assert as_local(CAL.add_working_days(local(2025, 4, 25, 15, 0), 1)) == datetime(2025, 4, 26, 17, 0)
    # Received Tuesday 29 April: 30/4, 1/5 holidays, 2/5 the substituted day off, then the weekend.
    assert as_local(CAL.add_working_days(local(2025, 4, 29, 9, 0), 1)) == datetime(2025, 5, 5, 17, 0)
    assert CAL.is_office_hours(local(2025, 4, 26, 9, 0))
    assert not CAL.is_office_hours(local(2025, 5, 2, 9, 0))


def test_working_hours_across_lunch():
    start = local(2026, 3, 10, 10, 30)  # Tuesday
    assert as_local(CAL.add_working_hours(start, 2)) == datetime(2026, 3, 10, 14, 30)
    assert as_local(CAL.add_working_hours(start, 1)) == datetime(2026, 3, 10, 11, 30)


def test_working_hours_across_a_weekend():
    friday = local(2026, 3, 13, 16, 0)
    # 1 h on Friday, 4 h Monday morning, 3 h Monday afternoon: Hà Nội's 8 working hours.
    assert as_local(CAL.add_working_hours(friday, 8)) == datetime(2026, 3, 16, 16, 30)


def test_working_hours_started_out_of_hours_begin_at_the_next_opening():
    evening = local(2026, 3, 10, 19, 0)
    assert as_local(CAL.add_working_hours(evening, 1)) == datetime(2026, 3, 11, 8, 30)
    lunch = local(2026, 3, 10, 12, 15)
    assert as_local(CAL.add_working_hours(lunch, 0.5)) == datetime(2026, 3, 10, 14, 0)


def test_working_hours_across_tet():
    before = local(2026, 2, 13, 16, 0)
    assert as_local(CAL.add_working_hours(before, 2)) == datetime(2026, 2, 23, 8, 30)


@pytest.mark.parametrize("moment, open_", [
    ((2026, 3, 10, 7, 29), False), ((2026, 3, 10, 7, 30), True), ((2026, 3, 10, 11, 29), True),
    ((2026, 3, 10, 11, 30), False), ((2026, 3, 10, 12, 45), False), ((2026, 3, 10, 13, 30), True),
    ((2026, 3, 10, 16, 59), True), ((2026, 3, 10, 17, 0), False), ((2026, 3, 14, 9, 0), False),
    ((2026, 2, 17, 9, 0), False), ((2026, 9, 2, 9, 0), False),
])
def test_office_hours(moment, open_):
    assert CAL.is_office_hours(local(*moment)) is open_


def test_office_hours_come_from_configuration(app):
    app.config["OFFICE_HOURS"] = "08:00-12:00,13:00-17:30"
    try:
        calendar = working_calendar()
        assert calendar.is_office_hours(local(2026, 3, 10, 17, 15))
        assert not calendar.is_office_hours(local(2026, 3, 10, 7, 45))
        assert as_local(calendar.add_working_days(local(2026, 3, 10, 9, 0), 1)) == datetime(2026, 3, 11, 17, 30)
    finally:
        app.config["OFFICE_HOURS"] = "07:30-11:30,13:30-17:00"


@pytest.mark.parametrize("spec", ["17:00-07:30", "07:30", "7h30-11h30"])
def test_bad_office_hours_are_refused(spec):
    with pytest.raises(ValueError):
        parse_office_hours(spec)


def test_warmed_holidays_leave_no_table_to_build_for_a_case_dated_today_or_next_year():
    """wsgi.py warms the tables so a worker's first case does not build them inside a request."""
    from feedback import calendar

    calendar._vietnam_holidays.cache_clear()
    calendar.warm_holidays()
    built = calendar._vietnam_holidays.cache_info().misses
    today = calendar.local_today()
    calendar.WorkingCalendar().add_working_days(datetime.combine(today, time(9)), 15)
    calendar.WorkingCalendar().is_working_day(date(today.year + 1, 6, 1))
    assert calendar._vietnam_holidays.cache_info().misses == built == 2
