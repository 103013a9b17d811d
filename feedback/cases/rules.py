"""The legal tracks of a case: its kind (phản ánh, kiến nghị, khiếu nại, tố cáo) and urgency decide its
clocks, its extensions and the law the screens cite. One place computes every deadline.

| kind | acceptance (thụ lý) | answer / resolution | extensions |
|---|---|---|---|
| phản ánh, kiến nghị | category's working days (urgent: working hours) | category's working days; urgent: working hours; complex: twice the days | one, ≤ 30 working days |
| khiếu nại | 10 working days (Luật Khiếu nại 2011, Đ.27) | 30 days from acceptance, complex 45 (Đ.28) | none (complex is the longer clock) |
| tố cáo | 7 working days (Luật Tố cáo 2018, Đ.24), by a decision to accept (Đ.29) | 30 days from acceptance (Đ.30) | two at most, each ≤ 30 days (Đ.30) |
"""
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from feedback.calendar import working_calendar

CASE_KINDS = {
    "phan_anh": _l("Phản ánh"),
    "kien_nghi": _l("Kiến nghị"),
    "khieu_nai": _l("Khiếu nại"),
    "to_cao": _l("Tố cáo"),
}
URGENCIES = {
    "urgent": _l("Khẩn"),
    "normal": _l("Bình thường"),
    "complex": _l("Phức tạp"),
}
DEFAULT_ACCEPT_DAYS = 1
DEFAULT_ANSWER_DAYS = 10
# An urgent phản ánh is accepted within this many office hours (its answer: the category's urgent hours).
URGENT_ACCEPT_HOURS = 2
DEFAULT_URGENT_ANSWER_HOURS = 8


@dataclass(frozen=True)
class Track:
    kind: str
    law: str
    accept_working_days: int | None  # None: the category's
    # Days (calendar) from acceptance to the answer, normal and complex; None: the category's working days.
    resolve_days: int | None
    resolve_days_complex: int | None
    max_extensions: int
    # Largest extension: working days (phản ánh) or calendar days (tố cáo).
    extension_limit: int
    extension_in_working_days: bool
    decision_to_accept: bool = False
    protects_denouncer: bool = False


TRACKS = {
    "phan_anh": Track("phan_anh", "Nghị định 20/2008/NĐ-CP (sửa đổi bởi Nghị định 92/2017/NĐ-CP) và quy chế "
                                  "tiếp nhận, xử lý phản ánh, kiến nghị của UBND tỉnh",
                      None, None, None, 1, 30, True),
    "kien_nghi": Track("kien_nghi", "Nghị định 20/2008/NĐ-CP (sửa đổi bởi Nghị định 92/2017/NĐ-CP) và quy chế "
                                    "tiếp nhận, xử lý phản ánh, kiến nghị của UBND tỉnh",
                       None, None, None, 1, 30, True),
    "khieu_nai": Track("khieu_nai", "Luật Khiếu nại 2011: thụ lý trong 10 ngày làm việc (Điều 27); giải quyết "
                                    "lần đầu không quá 30 ngày kể từ ngày thụ lý, vụ việc phức tạp không quá 45 "
                                    "ngày (Điều 28); Nghị định 124/2020/NĐ-CP",
                       10, 30, 45, 0, 0, False),
    "to_cao": Track("to_cao", "Luật Tố cáo 2018: xử lý ban đầu, thụ lý trong 7 ngày làm việc (Điều 24), quyết "
                              "định thụ lý (Điều 29); giải quyết không quá 30 ngày kể từ ngày thụ lý, gia hạn "
                              "tối đa hai lần, mỗi lần không quá 30 ngày (Điều 30); giữ bí mật người tố cáo "
                              "(Điều 47, 48)",
                    7, 30, 30, 2, 30, False, decision_to_accept=True, protects_denouncer=True),
}


def track(kind):
    return TRACKS.get(kind or "phan_anh", TRACKS["phan_anh"])


def _answer_for(category, urgency, start, calendar):
    days = category.answer_days if category else DEFAULT_ANSWER_DAYS
    if urgency == "urgent":
        hours = (getattr(category, "urgent_answer_hours", None) or DEFAULT_URGENT_ANSWER_HOURS)
        return calendar.add_working_hours(start, hours)
    if urgency == "complex":
        return calendar.add_working_days(start, 2 * days)
    return calendar.add_working_days(start, days)


def deadlines(kind, urgency, category, start, accepted_at=None):
    """(acceptance due, answer due) for a case of this kind and urgency received at `start`.

    For khiếu nại and tố cáo the resolution time runs from acceptance; until then it is counted
    from the last day acceptance may take.
    """
    calendar = working_calendar()
    rules = track(kind)
    if rules.accept_working_days is not None:
        accept_due = calendar.add_working_days(start, rules.accept_working_days)
    elif urgency == "urgent":
        accept_due = calendar.add_working_hours(start, URGENT_ACCEPT_HOURS)
    else:
        accept_due = calendar.add_working_days(start, category.accept_days if category else DEFAULT_ACCEPT_DAYS)
    if rules.resolve_days is None:
        return accept_due, _answer_for(category, urgency, start, calendar)
    days = rules.resolve_days_complex if urgency == "complex" else rules.resolve_days
    return accept_due, (accepted_at or accept_due) + timedelta(days=days)


def default_urgency(category):
    return getattr(category, "default_urgency", None) or "normal"
