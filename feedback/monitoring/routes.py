from datetime import timedelta

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from feedback import jobs
from feedback.auth.access import roles_required
from feedback.calendar import local_today
from feedback.extensions import db
from feedback.models import ReportRun, RollupState, Staff, StaffFlag, utcnow
from feedback.models.case import CHANNELS
from feedback.models.monitoring import FLAG_DECISIONS
from feedback.models.outcome import CONCLUSIONS, DISCIPLINE_FORMS, LIGHTER_MEASURES
from feedback.monitoring import bp, queries, services
from feedback.monitoring.forms import FlagDecisionForm, OfficialSurveyForm, ReportForm, SettingsForm
from feedback.monitoring.periods import parse_period
from feedback.monitoring.rollups import refresh_rollups
from feedback.monitoring.settings import flag_rule, satisfaction_target

MONITOR_ROLES = ("monitor", "admin")
# Rows of a long per-staff table shown at once (a province names hundreds; the rest are a page away).
ROWS_PER_PAGE = 100


def _period():
    code = request.args.get("period") or str(local_today().year)
    try:
        return parse_period(code)
    except ValueError as exc:
        flash(str(exc), "error")
        return parse_period(str(local_today().year))


def _root():
    return services.scope_root(current_user)


def _page_of(rows):
    """One page of an already ordered list: (its rows, the page number, the number of pages)."""
    pages = max(1, -(-len(rows) // ROWS_PER_PAGE))
    try:
        page = min(pages, max(1, int(request.args.get("page", 1))))
    except ValueError:
        page = 1
    return rows[(page - 1) * ROWS_PER_PAGE:page * ROWS_PER_PAGE], page, pages


def _staff_in_scope(public_ref):
    staff = db.session.scalar(select(Staff).where(Staff.public_ref == public_ref))
    if staff is None or not services.visible_to(current_user, staff.unit):
        abort(404)
    return staff


@bp.route("/")
@roles_required(*MONITOR_ROLES)
def dashboard():
    """Cases received, open, overdue and on time across the office's subtree."""
    period = _period()
    if db.session.get(RollupState, "cases") is None:
        # A new installation: build the rollups once now rather than show zeros until the job runs.
        refresh_rollups()
    data = queries.case_dashboard(_root(), period)
    return render_template("monitoring/dashboard.html", period=period, data=data, channels=CHANNELS)


@bp.route("/overdue")
@roles_required(*MONITOR_ROLES)
def overdue():
    """Open cases past their deadline and who holds each."""
    return render_template("monitoring/overdue.html", rows=queries.overdue_cases(_root()), now=utcnow())


@bp.route("/escalated")
@roles_required(*MONITOR_ROLES)
def escalated():
    """The office's own work queue: disputed answers, cases naming unit heads, late cases."""
    return render_template("monitoring/escalated.html", rows=queries.escalated_cases(_root()), now=utcnow())


@bp.route("/staff")
@roles_required(*MONITOR_ROLES)
def named_staff():
    """Everyone named in a case within the rolling window, with the counts and flags."""
    threshold, months = flag_rule()
    try:
        months = max(1, min(60, int(request.args.get("months", months))))
    except ValueError:
        pass
    since = utcnow() - timedelta(days=round(months * 30.44))
    everyone = queries.named_staff(_root(), since)
    rows, page, pages = _page_of(everyone)
    open_flags = {f.staff_id: f for f in db.session.scalars(select(StaffFlag).where(StaffFlag.decided_at.is_(None)))}
    year = local_today().year
    failed = queries.staff_with_decisions_in(year, [row.staff.id for row in rows])
    return render_template("monitoring/named_staff.html", rows=rows, months=months, threshold=threshold,
                           open_flags=open_flags, year=year, failed=failed, page=page, pages=pages,
                           total=len(everyone), first=(page - 1) * ROWS_PER_PAGE)


@bp.route("/staff/<public_ref>")
@roles_required(*MONITOR_ROLES)
def staff_detail(public_ref):
    """The cases behind a staff member's numbers, their discipline history and flags."""
    staff = _staff_in_scope(public_ref)
    flags = db.session.scalars(select(StaffFlag).where(StaffFlag.staff_id == staff.id)
                              .order_by(StaffFlag.id.desc())).all()
    year = local_today().year
    return render_template(
        "monitoring/staff_detail.html", staff=staff, cases=queries.staff_cases(staff),
        decisions=queries.discipline_history(staff), flags=flags, form=FlagDecisionForm(),
        assessment=queries.assessment_flag(staff, year), year=year, conclusions=CONCLUSIONS,
        forms=DISCIPLINE_FORMS, measures=LIGHTER_MEASURES, decisions_labels=FLAG_DECISIONS,
    )


@bp.route("/flags/<int:flag_id>/decide", methods=["POST"])
@roles_required("monitor")
def decide_flag(flag_id):
    """Record what the office decided about a flagged staff member."""
    flag = db.session.get(StaffFlag, flag_id)
    if flag is None or not services.visible_to(current_user, flag.staff.unit):
        abort(404)
    form = FlagDecisionForm()
    if form.validate_on_submit():
        try:
            services.decide_flag(flag, form.decision.data, form.note.data, current_user)
            db.session.commit()
            flash(_("Đã ghi nhận quyết định."), "success")
        except ValueError as exc:
            flash(str(exc), "error")
    else:
        flash(_("Vui lòng chọn quyết định hợp lệ."), "error")
    return redirect(url_for("monitoring.staff_detail", public_ref=flag.staff.public_ref))


@bp.route("/satisfaction")
@roles_required(*MONITOR_ROLES)
def satisfaction():
    """Satisfaction index per unit, counter and staff member against the year's target."""
    period = _period()
    data = queries.satisfaction(_root(), period)
    staff_rows, page, pages = _page_of(data["staff"])
    return render_template(
        "monitoring/satisfaction.html", period=period, data=data,
        low_staff=queries.low_rated_staff(data["staff"]),
        commendations=queries.commendations(_root(), period, data["staff"]),
        official=services.official_survey(_root(), period.start.year),
        staff_rows=staff_rows, page=page, pages=pages, first=(page - 1) * ROWS_PER_PAGE,
    )


def _own_run(run_id):
    run = db.session.get(ReportRun, run_id)
    if run is None or (current_user.role != "admin" and run.requested_by_id != current_user.id):
        abort(404)
    return run


@bp.route("/reports", methods=["GET", "POST"])
@roles_required(*MONITOR_ROLES)
def reports():
    """Ask for a periodic report; it is built in the background."""
    form = ReportForm()
    if form.validate_on_submit():
        run = ReportRun(period=parse_period(form.period.data).code, fmt=form.fmt.data,
                        unit_id=_root().id if _root() else None, requested_by_id=current_user.id)
        db.session.add(run)
        db.session.flush()
        jobs.enqueue("feedback.monitoring.jobs.build_report", run.id)
        db.session.commit()
        return redirect(url_for("monitoring.report_status_page", run_id=run.id))
    runs = db.session.scalars(select(ReportRun).where(ReportRun.requested_by_id == current_user.id)
                              .order_by(ReportRun.id.desc()).limit(20)).all()
    return render_template("monitoring/reports.html", form=form, runs=runs)


@bp.route("/reports/<int:run_id>")
@roles_required(*MONITOR_ROLES)
def report_status_page(run_id):
    """A progress bar until the report is ready, then the download."""
    return render_template("monitoring/report_status.html", run=_own_run(run_id))


@bp.route("/reports/<int:run_id>.json")
@roles_required(*MONITOR_ROLES)
def report_status(run_id):
    run = _own_run(run_id)
    return jsonify(status=run.status, progress=run.progress,
                   download=url_for("monitoring.report_download", run_id=run.id) if run.status == "done" else None,
                   error=_("Không tạo được báo cáo.") if run.status == "failed" else None)


@bp.route("/reports/<int:run_id>/download")
@roles_required(*MONITOR_ROLES)
def report_download(run_id):
    run = _own_run(run_id)
    if run.status != "done" or not run.file_path:
        abort(404)
    mimetype = ("application/pdf" if run.fmt == "pdf" else
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return send_file(run.file_path, mimetype=mimetype, as_attachment=True,
                     download_name=f"bao-cao-pakn-{run.period}.{run.fmt}")


@bp.route("/reports/<int:run_id>/preview")
@roles_required(*MONITOR_ROLES)
def report_preview(run_id):
    """The report's tables as a web page, to read before downloading."""
    from feedback.monitoring.reports import build_report_data

    run = _own_run(run_id)
    data = build_report_data(run.unit, parse_period(run.period))
    return render_template("monitoring/report_preview.html", run=run, data=data)


@bp.route("/survey", methods=["GET", "POST"])
@roles_required("monitor")
def official_survey():
    """The official satisfaction index (the province's survey), entered by the monitoring office."""
    from feedback.models import Unit

    root = _root()
    query = select(Unit).where(Unit.currently_active(local_today())).order_by(Unit.path)
    if root is not None:
        query = query.where(Unit.subtree_clause(root))
    units = db.session.scalars(query).all()
    form = OfficialSurveyForm()
    form.unit.choices = [(u.code, u.name) for u in units]
    if request.method == "GET":
        form.year.data = local_today().year - 1
    if form.validate_on_submit():
        unit = next((u for u in units if u.code == form.unit.data), None)
        try:
            services.save_official_survey(current_user, unit, year=form.year.data,
                                          index_value=float(form.index_value.data), source=form.source.data,
                                          sample_size=form.sample_size.data)
            db.session.commit()
            flash(_("Đã lưu chỉ số hài lòng chính thức."), "success")
            return redirect(url_for("monitoring.official_survey"))
        except ValueError as exc:
            db.session.rollback()
            form.unit.errors = [str(exc)]
    return render_template("monitoring/survey.html", form=form, surveys=services.official_surveys_in_scope(current_user)), \
        422 if form.errors else 200


@bp.route("/settings", methods=["GET", "POST"])
@roles_required("admin")
def settings():
    """Satisfaction targets per year and the repeat-offender rule."""
    from feedback.triage.services import current_thresholds, save_thresholds

    threshold, months = flag_rule()
    triage = {f"triage_{k}": round(v * 100) for k, v in current_thresholds().items()}
    form = SettingsForm(data={"threshold": threshold, "window_months": months, **triage}) \
        if request.method == "GET" else SettingsForm()
    if form.validate_on_submit():
        targets = {}
        if form.target_year.data and form.target_value.data is not None:
            targets[form.target_year.data] = float(form.target_value.data)
        try:
            services.save_settings(current_user, targets, form.threshold.data, form.window_months.data)
            save_thresholds(current_user, {name: getattr(form, f"triage_{name}").data
                                           for name in ("unit", "staff", "category")})
            db.session.commit()
            flash(_("Đã lưu thiết lập."), "success")
            return redirect(url_for("monitoring.settings"))
        except ValueError as exc:
            flash(str(exc), "error")
    this_year = local_today().year
    targets = [(y, satisfaction_target(y)) for y in range(this_year - 1, this_year + 5)]
    return render_template("monitoring/settings.html", form=form, targets=targets)


