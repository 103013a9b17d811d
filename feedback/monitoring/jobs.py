"""Background work of the monitoring office: rollups, staff flags, report files."""
import os

from flask import current_app

from feedback.extensions import db
from feedback.models import ReportRun, utcnow
from feedback.monitoring.periods import parse_period


def refresh_rollups():
    """Periodic: bring the monthly rollup tables up to date."""
    from feedback.monitoring.rollups import refresh_rollups as refresh

    return refresh()


def evaluate_flags():
    """Periodic: apply the repeat-offender rule."""
    from feedback.monitoring.services import evaluate_flags as evaluate

    return [flag.id for flag in evaluate()]


def report_dir():
    path = os.path.join(current_app.instance_path, "reports")
    os.makedirs(path, exist_ok=True)
    return path


def build_report(run_id):
    """Build the file of a ReportRun, recording progress as it goes (the page shows a bar)."""
    from rq import get_current_job

    from feedback.monitoring.reports import build_report as build
    from feedback.monitoring.rollups import refresh_rollups as refresh

    run = db.session.get(ReportRun, run_id)
    if run is None or run.status == "done":
        return None
    job = get_current_job()

    def progress(percent):
        run.progress = percent
        run.status = "running"
        db.session.commit()
        if job is not None:
            job.meta["progress"] = percent
            job.save_meta()

    try:
        progress(1)
        refresh()
        path = os.path.join(report_dir(), f"report-{run.id}-{run.period}.{run.fmt}")
        build(run.unit, parse_period(run.period), run.fmt, path, progress)
        run.file_path, run.status, run.progress, run.finished_at = path, "done", 100, utcnow()
        db.session.commit()
        return path
    except Exception as exc:
        db.session.rollback()
        run = db.session.get(ReportRun, run_id)
        run.status, run.error = "failed", repr(exc)[:1000]
        db.session.commit()
        raise
