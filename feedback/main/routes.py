from flask import current_app, jsonify, redirect, render_template, request, send_from_directory, session, url_for
from sqlalchemy import text

from feedback.extensions import db, limiter
from feedback.jobs import redis_connection
from feedback.main import bp


@bp.route("/")
def index():
    """The portal's front page."""
    return render_template("main/index.html")


@bp.route("/lang/<code>")
def set_language(code):
    """Switch between Vietnamese and English and go back where the visitor was."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    target = request.args.get("next") or url_for("main.index")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("main.index")
    return redirect(target)


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for it on every page; it was a 404 in every log."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=7 * 24 * 3600)


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """Liveness for the load balancer: the database must answer; the queue is reported, never fatal.

    With Redis down the system is degraded, not out: intake goes on, jobs wait in the outbox
    (`jobs_waiting`, `oldest_job_seconds`) and are relayed when Redis is back.
    """
    from feedback.jobs import backlog

    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
        checks["jobs_waiting"], checks["oldest_job_seconds"] = backlog()
    except Exception as exc:  # report, do not raise: this page must always answer
        db.session.rollback()
        checks["database"] = f"error: {type(exc).__name__}"
    connection = redis_connection()
    if connection is None:
        checks["queue"] = "in-process"
    else:
        try:
            connection.ping()
            checks["queue"] = "ok"
        except Exception as exc:
            checks["queue"] = "degraded"
            checks["queue_error"] = type(exc).__name__
    ok = checks["database"] == "ok"
    return jsonify(status="ok" if ok else "error", **checks), 200 if ok else 503
