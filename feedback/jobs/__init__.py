"""The only place that talks to rq.

Code that wants work done in the background calls `enqueue()` inside its own
transaction: that writes a `JobOutbox` row, nothing more. Once the transaction
has committed, the relay moves pending rows to rq in batches (a Redis pipeline),
so a job is never enqueued for a change that rolled back, Redis is never on the
request's path, and a job written while Redis is down is enqueued when it is back.
Without Redis (the embedded default) the relay runs the jobs in-process instead.
Jobs take ids (JSON-serialisable arguments), never ORM objects.
"""
import importlib
import logging

from flask import current_app, g, has_request_context
from sqlalchemy import select

from feedback.extensions import db
from feedback.models import JobOutbox, utcnow

log = logging.getLogger(__name__)

# Retries for jobs that talk to the outside world (Twilio, e-mail): seconds between tries.
RETRY_INTERVALS = [10, 30, 60, 300, 900]


def enqueue(func_path, *args, queue="default"):
    """Schedule `func_path(*args)` to run after the current transaction commits.

    A Core INSERT on the session's connection (same transaction): it runs on webhooks' hot
    path, where the ORM unit of work for this row cost about a third of the request's CPU.
    """
    db.session.connection().execute(
        _INSERT_JOB, {"func": func_path, "args": list(args), "queue": queue, "created_at": utcnow()}
    )
    if has_request_context():
        g.jobs_pending = True


_INSERT_JOB = JobOutbox.__table__.insert()


def resolve(func_path):
    module_name, _, attr = func_path.rpartition(".")
    return getattr(importlib.import_module(module_name), attr)


def redis_connection():
    """A Redis client for REDIS_URL, or None on the embedded default."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    clients = current_app.extensions.setdefault("feedback_redis", {})
    if url not in clients:
        from redis import Redis

        # One client (and connection pool) per app and URL; redis-py re-creates its pool after a fork.
        clients[url] = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    return clients[url]


def jobs_inline():
    return current_app.config.get("JOBS_INLINE") or not current_app.config.get("REDIS_URL")


def _pending(limit):
    query = select(JobOutbox).where(JobOutbox.enqueued_at.is_(None)).order_by(JobOutbox.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        # Several relays (one per worker) share the work without sending a row twice.
        query = query.with_for_update(skip_locked=True)
    return db.session.scalars(query).all()


def relay_pending(limit=None):
    """Move committed jobs to rq (or run them here without Redis); returns how many moved."""
    limit = limit or current_app.config.get("OUTBOX_RELAY_BATCH", 200)
    if jobs_inline():
        return _run_inline(limit)
    from redis.exceptions import RedisError
    from rq import Queue, Retry

    rows = _pending(limit)
    if not rows:
        db.session.rollback()
        return 0
    intervals = current_app.config.get("JOBS_RETRY_INTERVALS") or RETRY_INTERVALS
    connection = redis_connection()
    try:
        by_queue = {}
        for row in rows:
            by_queue.setdefault(row.queue, []).append(
                Queue.prepare_data(
                    row.func,
                    args=row.args,
                    job_id=f"outbox-{row.id}",
                    retry=Retry(max=len(intervals), interval=list(intervals)),
                    result_ttl=3600,
                    failure_ttl=30 * 24 * 3600,
                )
            )
        with connection.pipeline() as pipe:
            for queue_name, datas in by_queue.items():
                Queue(queue_name, connection=connection).enqueue_many(datas, pipeline=pipe)
            pipe.execute()
    except RedisError as exc:
        db.session.rollback()
        log.warning("job relay: Redis unavailable, %d jobs stay in the outbox: %s", len(rows), exc)
        return 0
    now = utcnow()
    for row in rows:
        row.enqueued_at = now
        row.job_id = f"outbox-{row.id}"
    db.session.commit()
    return len(rows)


def _run_inline(limit):
    ran = 0
    while True:
        rows = _pending(limit)
        if not rows:
            db.session.rollback()
            return ran
        ids = [row.id for row in rows]
        for row_id in ids:
            row = db.session.get(JobOutbox, row_id)
            func_path, args = row.func, list(row.args)
            row.enqueued_at = utcnow()
            row.job_id = "inline"
            db.session.commit()
            try:
                resolve(func_path)(*args)
                db.session.commit()
            except Exception as exc:  # a failed job must not break the request that queued it
                db.session.rollback()
                log.exception("inline job %s failed", func_path)
                row = db.session.get(JobOutbox, row_id)
                row.last_error = repr(exc)[:2000]
                db.session.commit()
            ran += 1


def init_app(app):
    """Run queued jobs after each request when there is no Redis."""

    @app.after_request
    def _run_jobs_inline(response):
        if g.get("jobs_pending") and jobs_inline():
            g.jobs_pending = False
            try:
                relay_pending()
            except Exception:  # the response is already decided; the row stays for later
                log.exception("inline job relay failed")
                db.session.rollback()
        return response
