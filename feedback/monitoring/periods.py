"""Reporting periods: '2026' (year), '2026-Q3' (quarter), '2026-07' (month)."""
import re
from dataclasses import dataclass
from datetime import date, datetime, time

from feedback.calendar import to_utc

_PATTERN = re.compile(r"^(\d{4})(?:-(Q[1-4]|\d{2}))?$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    code: str
    start: date  # first day
    end: date  # first day after the period
    kind: str  # year | quarter | month

    @property
    def label(self):
        if self.kind == "year":
            return f"Năm {self.start.year}"
        if self.kind == "quarter":
            return f"Quý {(self.start.month - 1) // 3 + 1} năm {self.start.year}"
        return f"Tháng {self.start.month:02d}/{self.start.year}"

    @property
    def start_utc(self):
        """The period's first local midnight, as stored (naive UTC)."""
        return to_utc(datetime.combine(self.start, time.min))

    @property
    def end_utc(self):
        return to_utc(datetime.combine(self.end, time.min))

    def months(self):
        """First days of the months in the period."""
        found, day = [], self.start
        while day < self.end:
            found.append(day)
            day = add_months(day, 1)
        return found


def add_months(day, count):
    month = day.month - 1 + count
    return date(day.year + month // 12, month % 12 + 1, 1)


def parse_period(code):
    """Parse a period code or raise ValueError with a message for the user."""
    match = _PATTERN.match((code or "").strip())
    if not match:
        raise ValueError("Kỳ báo cáo không hợp lệ: dùng dạng 2026, 2026-Q3 hoặc 2026-07.")
    year, part = int(match.group(1)), (match.group(2) or "").upper()
    if not part:
        return Period(str(year), date(year, 1, 1), date(year + 1, 1, 1), "year")
    if part.startswith("Q"):
        quarter = int(part[1])
        start = date(year, 3 * (quarter - 1) + 1, 1)
        return Period(f"{year}-Q{quarter}", start, add_months(start, 3), "quarter")
    month = int(part)
    if not 1 <= month <= 12:
        raise ValueError("Tháng không hợp lệ (01-12).")
    start = date(year, month, 1)
    return Period(f"{year}-{month:02d}", start, add_months(start, 1), "month")


def recent_periods(today, years=3, months=12):
    """The periods a public page offers to choose, newest first: {"year": [...], "quarter": [...], "month": [...]}
    (only those already begun)."""
    this_quarter = (today.month - 1) // 3 + 1
    quarters = [(y, q) for y in (today.year, today.year - 1) for q in (4, 3, 2, 1)
                if (y, q) <= (today.year, this_quarter)]
    return {
        "year": [parse_period(str(today.year - n)) for n in range(years)],
        "quarter": [parse_period(f"{y}-Q{q}") for y, q in quarters],
        "month": [parse_period(add_months(month_start(today), -n).strftime("%Y-%m")) for n in range(months)],
    }


def month_start(day):
    return date(day.year, day.month, 1)
