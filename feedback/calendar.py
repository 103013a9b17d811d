"""Working days and office hours with Vietnamese public holidays.

Deadlines in this system are counted in working days (or hours): Monday to
Friday, without the public holidays and days off the `holidays` package knows
(Tết, substituted days off), but with the Saturdays worked in exchange.
All datetimes given and returned are naive UTC, as stored in the database.
"""
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from flask import current_app, has_app_context

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_OFFICE_HOURS = "07:30-11:30,13:30-17:00"


@lru_cache(maxsize=64)
def _vietnam_holidays(year):
    return holidays.Vietnam(years=year)


def parse_office_hours(spec):
    """'07:30-11:30,13:30-17:00' -> [(time(7, 30), time(11, 30)), (time(13, 30), time(17, 0))]."""
    periods = []
    for part in spec.split(","):
        start, end = (time.fromisoformat(t.strip()) for t in part.split("-"))
        if end <= start:
            raise ValueError(f"office period ends before it starts: {part!r}")
        periods.append((start, end))
    return sorted(periods)


def to_local(moment):
    """Naive UTC -> aware local time."""
    return moment.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ)


def to_utc(local_moment):
    """Aware (or naive local) time -> naive UTC."""
    if local_moment.tzinfo is None:
        local_moment = local_moment.replace(tzinfo=LOCAL_TZ)
    return local_moment.astimezone(timezone.utc).replace(tzinfo=None)


class WorkingCalendar:
    """Vietnamese working days and the office's hours."""

    def __init__(self, office_hours=DEFAULT_OFFICE_HOURS):
        self.periods = parse_office_hours(office_hours)

    @classmethod
    def from_config(cls):
        if has_app_context():
            return cls(current_app.config.get("OFFICE_HOURS", DEFAULT_OFFICE_HOURS))
        return cls()

    def is_working_day(self, day):
        return _vietnam_holidays(day.year).is_working_day(day)

    def holiday_name(self, day):
        return _vietnam_holidays(day.year).get(day)

    def next_working_day(self, day):
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start, days):
        """Deadline `days` working days after `start`: the close of office on that day.

        The day a case arrives does not count, as in the administrative-procedure rules.
        """
        day = to_local(start).date()
        for _ in range(days):
            day = self.next_working_day(day)
        if days == 0 and not self.is_working_day(day):
            day = self.next_working_day(day)
        return to_utc(datetime.combine(day, self.periods[-1][1]))

    def add_working_hours(self, start, hours):
        """The moment `hours` office hours after `start` (e.g. Hà Nội's 8 working hours)."""
        remaining = timedelta(hours=hours)
        local = to_local(start).replace(tzinfo=None)
        day = local.date()
        while True:
            if self.is_working_day(day):
                for open_at, close_at in self.periods:
                    begin = max(local, datetime.combine(day, open_at))
                    end = datetime.combine(day, close_at)
                    if begin >= end:
                        continue
                    if end - begin >= remaining:
                        return to_utc(begin + remaining)
                    remaining -= end - begin
            day += timedelta(days=1)
            local = datetime.combine(day, time.min)

    def is_office_hours(self, moment):
        local = to_local(moment)
        if not self.is_working_day(local.date()):
            return False
        return any(start <= local.time() < end for start, end in self.periods)

    def working_days_between(self, start, end):
        """Working days from the day after `start` up to and including the day of `end`."""
        return self.working_days_between_dates(to_local(start).date(), to_local(end).date())

    def working_days_between_dates(self, first, last):
        """Working days after the local date `first` up to and including `last`."""
        count, day = 0, first
        while day < last:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def working_calendar():
    return WorkingCalendar.from_config()


def local_today():
    return datetime.now(LOCAL_TZ).date()


def local_date(moment: datetime) -> date:
    return to_local(moment).date()


def warm_holidays():
    """Build this year's and next year's holiday tables now, not in the first request that dates a case."""
    year = local_today().year
    for each in (year, year + 1):
        _vietnam_holidays(each)  # the package fills a year's table when it is constructed
