"""Public statistics per unit (subtree) and period, computed with GROUP BY in the database.

- received: cases submitted in the period, by channel and by category;
- on time: of the cases answered in the period, the share with answered_at <= answer_due_at;
- average time to answer: working days (feedback.calendar: Mon-Fri without Vietnamese holidays)
  from the local day of submission (not counted) to the local day of the answer, counted once
  per distinct (submitted day, answered day) pair that SQL groups;
- satisfaction index: share of ratings scored 4 or 5 in the period, against the province's target
  for the period's year (feedback.monitoring.settings.satisfaction_target: the administrator's
  value for that year, else a straight line between the SATISFACTION_TARGETS milestones).
"""
import csv
import io
from dataclasses import asdict, dataclass, field
from datetime import date


from feedback.monitoring.settings import satisfaction_target
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import case, func, literal_column, select

from feedback.calendar import working_calendar
from feedback.extensions import db
from feedback.models import Category, Complaint, Rating, Unit
from feedback.models.case import CHANNELS
from feedback.monitoring.periods import parse_period  # noqa: F401  (re-exported for routes)

LOCAL_OFFSET_HOURS = 7  # Asia/Ho_Chi_Minh has no daylight saving time


@dataclass
class Figures:
    unit_code: str | None
    unit_name: str
    period: str
    period_label: str
    received: int = 0
    by_channel: list = field(default_factory=list)  # [{"code", "label", "count"}]
    by_category: list = field(default_factory=list)  # [{"code", "label", "count"}]
    answered: int = 0
    answered_on_time: int = 0
    on_time_share: float | None = None
    average_answer_working_days: float | None = None
    ratings: int = 0
    ratings_satisfied: int = 0
    satisfaction_index: float | None = None
    ratings_by_score: dict = field(default_factory=dict)
    satisfaction_target: float | None = None
    target_met: bool | None = None
    # The second indicator: citizens' ratings of the answer to their own case (Hài lòng / Chưa hài lòng).
    answer_ratings: int = 0
    answer_ratings_satisfied: int = 0
    answer_satisfaction: float | None = None


def _percent(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def _local_day(column):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date(column + literal_column(f"interval '{LOCAL_OFFSET_HOURS} hours'"))
    return func.date(column, f"+{LOCAL_OFFSET_HOURS} hours")


def _as_date(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def working_days(first, last, calendar=None):
    """Working days after `first` up to and including `last` (local dates)."""
    return (calendar or working_calendar()).working_days_between_dates(first, last)


def compute(unit, period):
    """Figures for `unit`'s subtree (None: the whole system) in `period` (monitoring.periods.Period)."""
    start, end = period.start_utc, period.end_utc
    figures = Figures(
        unit_code=unit.code if unit else None,
        unit_name=unit.name if unit else _("Toàn tỉnh"),
        period=period.code, period_label=period.label,
    )
    scope = []
    rating_scope = []
    if unit is not None:
        subtree = select(Unit.id).where(Unit.subtree_clause(unit))
        scope.append(func.coalesce(Complaint.unit_id, Complaint.target_unit_id).in_(subtree))
        rating_scope.append(Rating.unit_id.in_(subtree))
    received = [Complaint.submitted_at >= start, Complaint.submitted_at < end, *scope]

    counts = dict(db.session.execute(
        select(Complaint.channel, func.count()).where(*received).group_by(Complaint.channel)
    ).all())
    figures.by_channel = [{"code": code, "label": label, "count": counts.get(code, 0)}
                          for code, label in CHANNELS.items() if counts.get(code)]
    figures.received = sum(counts.values())

    by_category = db.session.execute(
        select(Category.code, Category.name_vi, func.count(Complaint.id))
        .select_from(Complaint).outerjoin(Category, Category.id == Complaint.category_id)
        .where(*received).group_by(Category.code, Category.name_vi)
        .order_by(func.count(Complaint.id).desc(), Category.name_vi)
    ).all()
    figures.by_category = [{"code": code, "label": name or _("Chưa phân loại"), "count": count}
                           for code, name, count in by_category]

    answered = [Complaint.answered_at.is_not(None), Complaint.answered_at >= start, Complaint.answered_at < end, *scope]
    total, on_time = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case(
            (Complaint.answered_at <= Complaint.answer_due_at, 1), else_=0)), 0))
        .where(*answered)
    ).one()
    figures.answered, figures.answered_on_time = int(total), int(on_time)
    figures.on_time_share = _percent(figures.answered_on_time, figures.answered)

    submitted_day, answered_day = _local_day(Complaint.submitted_at), _local_day(Complaint.answered_at)
    pairs = db.session.execute(
        select(submitted_day, answered_day, func.count()).where(*answered).group_by(submitted_day, answered_day)
    ).all()
    if pairs:
        calendar = working_calendar()
        days = sum(working_days(_as_date(a), _as_date(b), calendar) * n for a, b, n in pairs)
        figures.average_answer_working_days = round(days / sum(n for _a, _b, n in pairs), 1)

    # Two indicators, never added together: the service at the counter (5-level kiosk and survey ratings)
    # and the result of a complaint's handling (the citizen's rating of the answer).
    scores = dict(db.session.execute(
        select(Rating.score, func.count())
        .where(Rating.created_at >= start, Rating.created_at < end, Rating.source != "answer", *rating_scope)
        .group_by(Rating.score)
    ).all())
    answer_total, answer_satisfied = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((Rating.score >= 4, 1), else_=0)), 0))
        .where(Rating.created_at >= start, Rating.created_at < end, Rating.source == "answer", *rating_scope)
    ).one()
    figures.answer_ratings, figures.answer_ratings_satisfied = int(answer_total), int(answer_satisfied)
    figures.answer_satisfaction = _percent(figures.answer_ratings_satisfied, figures.answer_ratings)
    figures.ratings_by_score = {score: scores.get(score, 0) for score in (5, 4, 3, 2, 1)}
    figures.ratings = sum(scores.values())
    figures.ratings_satisfied = scores.get(4, 0) + scores.get(5, 0)
    figures.satisfaction_index = _percent(figures.ratings_satisfied, figures.ratings)
    figures.satisfaction_target = satisfaction_target(period.start.year)
    if figures.satisfaction_index is not None and figures.satisfaction_target is not None:
        figures.target_met = figures.satisfaction_index >= figures.satisfaction_target
    return figures


def as_dict(figures):
    data = asdict(figures)
    data["ratings_by_score"] = {str(k): v for k, v in figures.ratings_by_score.items()}
    return data


def as_csv(figures):
    """The same figures as CSV rows (section, key, label, value), UTF-8 with BOM for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "key", "label", "value"])
    writer.writerow(["scope", "unit", figures.unit_name, figures.unit_code or ""])
    writer.writerow(["scope", "period", figures.period_label, figures.period])
    writer.writerow(["received", "total", _("Tổng số phản ánh tiếp nhận"), figures.received])
    for row in figures.by_channel:
        writer.writerow(["channel", row["code"], row["label"], row["count"]])
    for row in figures.by_category:
        writer.writerow(["category", row["code"] or "", row["label"], row["count"]])
    writer.writerow(["answers", "answered", _("Số đã trả lời"), figures.answered])
    writer.writerow(["answers", "answered_on_time", _("Số trả lời đúng hạn"), figures.answered_on_time])
    writer.writerow(["answers", "on_time_share", _("Tỷ lệ trả lời đúng hạn (%)"), _fmt(figures.on_time_share)])
    writer.writerow(["answers", "average_answer_working_days", _("Thời gian trả lời bình quân (ngày làm việc)"),
                     _fmt(figures.average_answer_working_days)])
    writer.writerow(["satisfaction", "ratings", _("Số lượt đánh giá"), figures.ratings])
    for score, count in figures.ratings_by_score.items():
        writer.writerow(["satisfaction", f"score_{score}", str(score), count])
    writer.writerow(["satisfaction", "satisfaction_index", _("Chỉ số hài lòng (%)"), _fmt(figures.satisfaction_index)])
    writer.writerow(["satisfaction", "satisfaction_target", _("Chỉ tiêu của tỉnh (%)"), _fmt(figures.satisfaction_target)])
    writer.writerow(["answer_satisfaction", "answer_ratings", _("Số lượt đánh giá câu trả lời"), figures.answer_ratings])
    writer.writerow(["answer_satisfaction", "answer_ratings_satisfied", _("Số lượt hài lòng với câu trả lời"),
                     figures.answer_ratings_satisfied])
    writer.writerow(["answer_satisfaction", "answer_satisfaction", _("Tỷ lệ hài lòng với kết quả giải quyết (%)"),
                     _fmt(figures.answer_satisfaction)])
    return "\ufeff" + out.getvalue()


def _fmt(value):
    return "" if value is None else value


# --- charts: inline SVG, rendered on the server ---------------------------------------------

# Chart geometry: a viewBox about as wide as a phone, so 15-unit text stays ~14 px there, and each
# label on its own lines above its bar (a label column cut long category names off on phones).
CHART_WIDTH, CHART_FONT, CHART_LINE_CHARS = 400, 15, 44


def _label_lines(label, limit=CHART_LINE_CHARS):
    """A label wrapped at word boundaries into lines of at most `limit` characters."""
    lines, line = [], ""
    for word in str(label).split():
        if line and len(line) + 1 + len(word) > limit:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + [line] if line else lines or [""]


def bar_chart(rows, title, *, suffix="", max_value=None, target=None, width=CHART_WIDTH):
    """A horizontal bar chart as inline SVG; rows are (label, value). `target` draws a marker line."""
    if not rows:
        return Markup("")
    bar_h, gap, pad, line_h, value_w = 20, 12, 6, CHART_FONT + 3, 64
    top = max_value if max_value is not None else max((v or 0) for _l, v in rows) or 1
    plot_w = width - value_w
    parts, y = [], 6
    for label, value in rows:
        for line in _label_lines(label):
            y += line_h
            parts.append(f'<text x="0" y="{y - 4}" font-size="{CHART_FONT}">{escape(line)}</text>')
        w = 0 if not value else max(1, plot_w * float(value) / float(top))
        shown = "—" if value is None else f"{value:g}{suffix}"
        parts.append(f'<rect x="0" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#b3261e" rx="3"/>')
        parts.append(f'<text x="{w + pad:.1f}" y="{y + bar_h - 5}" font-size="{CHART_FONT}" font-weight="bold">'
                     f'{escape(shown)}</text>')
        y += bar_h + gap
    height = y + (24 if target is not None else 0)
    if target is not None:
        x = plot_w * float(target) / float(top)
        parts.append(f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 22}" stroke="#1e7a3c" '
                     f'stroke-width="2" stroke-dasharray="5 3"/>')
        parts.append(f'<text x="{min(x, width - 80):.1f}" y="{height - 6}" text-anchor="middle" '
                     f'font-size="{CHART_FONT - 1}" fill="#1e7a3c">{escape(_("Chỉ tiêu"))} {target:g}%</text>')
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
            f'width="100%" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>')
    return Markup(head + "".join(parts) + "</svg>")


def charts(figures):
    from feedback.models.rating import SCORES

    return {
        "channel": bar_chart([(r["label"], r["count"]) for r in figures.by_channel], _("Phản ánh theo kênh")),
        "category": bar_chart([(r["label"], r["count"]) for r in figures.by_category], _("Phản ánh theo loại")),
        "scores": bar_chart([(SCORES[s], c) for s, c in figures.ratings_by_score.items()], _("Đánh giá theo mức")),
        "satisfaction": bar_chart(
            [(_("Chỉ số hài lòng"), figures.satisfaction_index),
             (_("Trả lời đúng hạn"), figures.on_time_share)],
            _("Chỉ số hài lòng và tỷ lệ đúng hạn"), suffix="%", max_value=100, target=figures.satisfaction_target,
        ),
    }
