"""Public pages: answers board and pages, Atom feeds, notice-board PDFs, posters, hotlines, statistics."""
import re
from dataclasses import dataclass
from functools import cached_property
from datetime import date
from time import monotonic

from flask import Response, abort, current_app, jsonify, render_template, request, url_for
from flask_babel import get_locale
from markupsafe import Markup
from flask_babel import gettext as _
from sqlalchemy import select

from feedback.calendar import local_today
from feedback.extensions import db
from feedback.models import Category, PublishedAnswer, Unit
from feedback.models.outcome import CONCLUSIONS
from feedback.publication import bp, directory, printing, ranking, stats
from feedback.publication.search import BoardQuery, SearchTimeout, board_page, unit_feed


def _unit_or_404(code):
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        abort(404)
    return unit


def _parse_date(name, errors):
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = _("Ngày không hợp lệ, dùng dạng năm-tháng-ngày (ví dụ 2026-07-31).")
        return None


@dataclass
class _UnitChoice:
    code: str
    name: str
    path: str
    name_en: str | None = None

    @cached_property
    def option(self):
        """The pre-escaped <option>, indented by depth in the tree."""
        return self._option(self.name)

    @cached_property
    def option_en(self):
        return self._option(self.name_en or self.name)

    def _option(self, name):
        indent = "· " * max(0, self.path.count("/") - 2)
        return Markup('<option value="%s">%s%s</option>') % (self.code, indent, name)


def unit_options(units, selected):
    """<option>s for every unit (one string, built once per page) in the page's language, `selected` marked."""
    html = []
    english = str(get_locale()) == "en"
    for unit in units:
        option = unit.option_en if english else unit.option
        if unit.code == selected:
            option = Markup(option.replace("<option ", "<option selected ", 1))
        html.append(option)
    return Markup("").join(html)


@dataclass(frozen=True)
class _CategoryChoice:
    code: str
    name_vi: str
    name_en: str

    def name(self, locale="vi"):
        return self.name_en if locale == "en" else self.name_vi


_choices_cache = {}


def _filter_choices():
    """Units and categories for the filter lists: plain tuples, cached PUBLICATION_CHOICES_TTL seconds."""
    ttl = current_app.config.get("PUBLICATION_CHOICES_TTL", 60)
    key = str(db.engine.url)
    cached = _choices_cache.get(key)
    if ttl and cached and cached[0] > monotonic():
        return cached[1], cached[2]
    units = [_UnitChoice(u.code, u.name, u.path, u.name_en) for u in db.session.execute(
        select(Unit.code, Unit.name, Unit.path, Unit.name_en).where(Unit.currently_active(local_today())).order_by(Unit.path))]
    categories = [_CategoryChoice(c.code, c.name_vi, c.name_en) for c in db.session.execute(
        select(Category.code, Category.name_vi, Category.name_en)
        .where(Category.active.is_(True)).order_by(Category.sort_order, Category.name_vi))]
    if ttl:
        _choices_cache[key] = (monotonic() + ttl, units, categories)
    return units, categories


@bp.route("/answers")
def answers():
    """The board of published answers, filtered and searched, newest first or by relevance."""
    errors = {}
    args = request.args
    query = BoardQuery(q=(args.get("q") or "").strip()[:200], cursor=args.get("cursor") or None)
    unit_code = (args.get("unit") or "").strip()
    if unit_code:
        query.unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        if query.unit is None:
            errors["unit"] = _("Không tìm thấy đơn vị này.")
    category_code = (args.get("category") or "").strip()
    if category_code:
        category = db.session.scalar(select(Category).where(Category.code == category_code))
        if category is None:
            errors["category"] = _("Không tìm thấy loại phản ánh này.")
        else:
            query.category_id = category.id
    conclusion = (args.get("conclusion") or "").strip()
    if conclusion:
        if conclusion in CONCLUSIONS:
            query.conclusion = conclusion
        else:
            errors["conclusion"] = _("Kết luận không hợp lệ.")
    query.date_from = _parse_date("from", errors)
    query.date_to = _parse_date("to", errors)
    if query.date_from and query.date_to and query.date_from > query.date_to:
        errors["to"] = _("Ngày kết thúc phải sau ngày bắt đầu.")
    query.sort = "relevance" if args.get("sort") == "relevance" and query.q else "new"
    page, timeout = None, False
    if not errors:
        try:
            page = board_page(query)
        except SearchTimeout:
            timeout = True
    units, categories = _filter_choices()
    next_args = None
    if page is not None and page.next_cursor:
        next_args = {k: v for k, v in args.items() if k != "cursor" and v}
        next_args["cursor"] = page.next_cursor
    status = 400 if errors else 200
    return render_template(
        "publication/answers.html", page=page, errors=errors, timeout=timeout, units=units,
        categories=categories, conclusions=CONCLUSIONS, args=args, query=query, next_args=next_args,
        locale=str(get_locale()), unit_options=unit_options(units, args.get("unit")),
        conclusion_labels={code: _(label) for code, label in CONCLUSIONS.items()},
        **_notice_board_months(),
    ), status


def _notice_board_months():
    """This month and the last, as the notice-board PDF's period ("2026-12")."""
    today = local_today()
    last = date(today.year - (today.month == 1), 12 if today.month == 1 else today.month - 1, 1)
    return {"this_month": today.strftime("%Y-%m"), "last_month": last.strftime("%Y-%m")}


@bp.route("/answers/<ref>")
def answer(ref):
    """One published answer at its stable public address."""
    row = db.session.scalar(select(PublishedAnswer).where(PublishedAnswer.public_ref == ref))
    if row is None:
        abort(404)
    return render_template("publication/answer.html", row=row, conclusions=CONCLUSIONS, locale=str(get_locale()))


@bp.route("/answers/feed/<unit_code>.atom")
def feed(unit_code):
    """Atom feed of a unit's (and its subtree's) newest published answers."""
    unit = _unit_or_404(unit_code)
    rows = unit_feed(unit)
    xml = render_template("publication/feed_atom.xml", unit=unit, rows=rows, conclusions=CONCLUSIONS,
                          base=current_app.config["PUBLIC_BASE_URL"])
    return Response(xml, mimetype="application/atom+xml")


_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


@bp.route("/units/<code>/answers-<period>.pdf")
def month_pdf(code, period):
    """The month's published answers of a unit as a printable PDF for the notice board."""
    unit = _unit_or_404(code)
    match = _PERIOD.match(period)
    if not match or not 1 <= int(match.group(2)) <= 12:
        abort(404)
    data = printing.month_answers_pdf(unit, int(match.group(1)), int(match.group(2)))
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="answers-{code}-{period}.pdf"'})


@bp.route("/units/<code>/poster")
def poster(code):
    """A printable A4 poster: the unit's hotline, the system's hotline and SMS number, a QR code to the form."""
    unit = _unit_or_404(code)
    return render_template("publication/poster.html", unit=unit, info=printing.poster_info(unit),
                           qr_svg=printing.qr_svg(printing.form_url(unit)))


@bp.route("/units/<code>/poster.pdf")
def poster_pdf(code):
    unit = _unit_or_404(code)
    return Response(printing.poster_pdf(unit), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="poster-{code}.pdf"'})


@bp.route("/hotlines")
def hotlines():
    """Every active unit's hotline, e-mail, address, hours and ways to send feedback, by the unit tree."""
    q = (request.args.get("q") or "").strip()[:100]
    tree, count = directory.hotline_tree(q)
    return render_template("publication/hotlines.html", tree=tree, count=count, q=q)


def _stats_request():
    errors = {}
    unit = None
    unit_code = (request.args.get("unit") or "").strip()
    if unit_code:
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            errors["unit"] = _("Không tìm thấy đơn vị này.")
    return unit, _period_arg(errors), errors


def _period_arg(errors):
    """The ?period= of a statistics or ranking page (this year by default); a bad one is noted in `errors`."""
    try:
        return stats.parse_period(request.args.get("period") or str(local_today().year))
    except ValueError:
        errors["period"] = _("Kỳ không hợp lệ: dùng dạng 2026, 2026-Q3 hoặc 2026-07.")
        return stats.parse_period(str(local_today().year))


@bp.route("/statistics")
def statistics():
    """Public statistics per unit (subtree) and period, with server-rendered charts."""
    unit, period, errors = _stats_request()
    figures = stats.compute(unit, period)
    units, _categories = _filter_choices()
    download_args = {k: v for k, v in request.args.items() if k in ("unit", "period") and v}
    return render_template(
        "publication/statistics.html", figures=figures, unit=unit, period=period, errors=errors, units=units,
        official=_official_survey(unit, period),
        charts=stats.charts(figures), download_args=download_args, locale=str(get_locale()),
        unit_options=unit_options(units, unit.code if unit else None),
    ), 400 if errors else 200


@bp.route("/statistics.json")
def statistics_json():
    unit, period, errors = _stats_request()
    if errors:
        return jsonify(errors=errors), 400
    data = stats.as_dict(stats.compute(unit, period))
    survey = _official_survey(unit, period)
    data["official_survey"] = None if survey is None else {
        "year": survey.year, "index": survey.index_value, "sample_size": survey.sample_size, "source": survey.source}
    return jsonify(data)


def _official_survey(unit, period):
    """The official survey figure for the unit (or the province) and the period's year, if entered."""
    from feedback.monitoring.services import official_survey

    return official_survey(unit, period.start.year)


@bp.route("/statistics.csv")
def statistics_csv():
    unit, period, errors = _stats_request()
    if errors:
        return Response("\n".join(errors.values()), status=400, mimetype="text/plain")
    name = f"thong-ke-{unit.code if unit else 'toan-tinh'}-{period.code}.csv"
    return Response(stats.as_csv(stats.compute(unit, period)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.app_template_global()
def public_periods():
    """Recent years, quarters and months for a public page's period choice."""
    from feedback.monitoring.periods import recent_periods

    return recent_periods(local_today())


@bp.app_template_global()
def answer_url(row):
    return url_for("publication.answer", ref=row.public_ref)


def _ranking_request():
    level = request.args.get("level") or "commune"
    errors = {}
    if level not in ranking.LEVELS:
        errors["level"] = _("Cấp không hợp lệ.")
        level = "commune"
    return level, _period_arg(errors), errors


@bp.route("/xep-hang")
def rankings():
    """The public ranking of units: on-time rate, overdue, average time to answer, satisfaction."""
    level, period, errors = _ranking_request()
    rows = ranking.ranking(level, period)
    return render_template("publication/ranking.html", rows=rows, level=level, period=period, errors=errors,
                           min_answered=ranking.MIN_ANSWERED), 400 if errors else 200


@bp.route("/xep-hang.json")
def rankings_json():
    level, period, errors = _ranking_request()
    if errors:
        return jsonify(errors=errors), 400
    return jsonify(level=level, period=period.code, units=ranking.as_dicts(ranking.ranking(level, period)))


@bp.route("/xep-hang.csv")
def rankings_csv():
    import csv
    import io

    level, period, errors = _ranking_request()
    if errors:
        return Response("\n".join(errors.values()), status=400, mimetype="text/plain")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["rank", "code", "name", "received", "answered", "on_time", "on_time_share", "overdue",
                     "average_working_days", "ratings", "satisfaction"])
    for row in ranking.ranking(level, period):
        writer.writerow([row.rank or "", row.code, row.name, row.received, row.answered, row.on_time,
                         "" if row.on_time_share is None else row.on_time_share, row.overdue,
                         "" if row.average_days is None else row.average_days, row.ratings,
                         "" if row.satisfaction is None else row.satisfaction])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="xep-hang-{level}-{period.code}.csv"'})
