"""The only place that talks to rq.

Code that wants work done in the background calls `enqueue()` inside its own
transaction: that writes a `JobOutbox` row, nothing more. Once the transaction
has committed, the relay moves due rows to rq in batches (a Redis pipeline),
so a job is never enqueued for a change that rolled back, Redis is never on the
request's path, and a job written while Redis is down is enqueued when it is back.

The database, not Redis, is the record of what must still happen. rq only carries
a row's id to `run_outbox_job`, which marks the row started and finished; a failed
try goes back to waiting with `run_after` set (retries do not depend on rq's
scheduler), and `recover_lost_jobs` hands a row to rq again when its rq job was lost
with Redis, or its worker died. Jobs must therefore be idempotent: a re-run after a
crash may repeat work that had already been done, never skip it.

Without Redis (the embedded default) the `flask worker` loop claims due rows and runs
them in its own process, one claim per row, so each runs once however many runners there are.
Jobs take ids (JSON-serialisable arguments), never ORM objects.
"""
import importlib
import logging
from datetime import timedelta

from flask import current_app, g, has_request_context
from sqlalchemy import delete, func, or_, select, update

from feedback.extensions import db
from feedback.models import JobOutbox, utcnow

log = logging.getLogger(__name__)

# Seconds between the tries of a failed job (Twilio, e-mail, reports); then it is marked failed.
RETRY_INTERVALS = [10, 30, 60, 300, 900]
RUNNER = "feedback.jobs.run_outbox_job"
# A row handed to rq this long ago whose rq job is gone or ended without finishing it is relayed again.
LOST_GRACE = timedelta(seconds=20)
# rq states in which the job is still on its way: its row is left alone.
WAITING_STATES = {b"queued", b"deferred", b"scheduled"}
RECOVER_BATCH = 1000


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
        clients[url] = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=30)
    return clients[url]


def jobs_inline():
    return current_app.config.get("JOBS_INLINE") or not current_app.config.get("REDIS_URL")


def _stale_after():
    return timedelta(seconds=current_app.config.get("JOB_STALE_SECONDS", 120))


def _due_now(now):
    """Rows waiting to be handed over whose retry time, if any, has come."""
    return JobOutbox.enqueued_at.is_(None), or_(JobOutbox.run_after.is_(None), JobOutbox.run_after <= now)


def _due(limit, now):
    query = (
        select(JobOutbox)
        .where(*_due_now(now))
        .order_by(JobOutbox.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # Several relays (one per worker) share the work without sending a row twice.
        query = query.with_for_update(skip_locked=True)
    return db.session.scalars(query).all()


def _rq_job_id(row):
    # A row relayed again (its first rq job lost or ended) gets a fresh rq id.
    return f"outbox-{row.id}" if not row.attempts else f"outbox-{row.id}-{row.attempts}"


def relay_pending(limit=None):
    """Move due jobs to rq (or run them here without Redis); returns how many moved."""
    limit = limit or current_app.config.get("OUTBOX_RELAY_BATCH", 200)
    if jobs_inline():
        return run_due_inline(limit)
    from redis.exceptions import RedisError
    from rq import Queue

    now = utcnow()
    rows = _due(limit, now)
    if not rows:
        db.session.rollback()
        return 0
    connection = redis_connection()
    job_ids = {row.id: _rq_job_id(row) for row in rows}
    try:
        by_queue = {}
        for row in rows:
            by_queue.setdefault(row.queue, []).append(
                Queue.prepare_data(RUNNER, args=[row.id], job_id=job_ids[row.id], description=row.func,
                                   result_ttl=3600, failure_ttl=7 * 24 * 3600)
            )
        with connection.pipeline() as pipe:
            for queue_name, datas in by_queue.items():
                Queue(queue_name, connection=connection).enqueue_many(datas, pipeline=pipe)
            pipe.execute()
    except RedisError as exc:
        db.session.rollback()
        log.warning("job relay: Redis unavailable, %d jobs stay in the outbox: %s", len(rows), exc)
        return 0
    for row in rows:
        row.enqueued_at = now
        row.job_id = job_ids[row.id]
    db.session.commit()
    return len(rows)


def run_due_inline(limit=200):
    """Without Redis: claim each due row with one conditional UPDATE and run it here."""
    ran = 0
    while True:
        now = utcnow()
        ids = db.session.scalars(
            select(JobOutbox.id)
            .where(*_due_now(now))
            .order_by(JobOutbox.id).limit(limit)
        ).all()
        db.session.rollback()
        if not ids:
            return ran
        for row_id in ids:
            claimed = db.session.execute(
                update(JobOutbox).where(JobOutbox.id == row_id, JobOutbox.enqueued_at.is_(None))
                .values(enqueued_at=utcnow(), job_id="inline", started_at=utcnow(), attempts=JobOutbox.attempts + 1)
                .execution_options(synchronize_session=False)
            ).rowcount
            db.session.commit()
            if claimed:  # another runner may have taken it between the SELECT and here
                _execute(row_id)
                ran += 1


def run_outbox_job(outbox_id):
    """rq's entry point: run one outbox row's job unless it already finished or is running elsewhere."""
    now = utcnow()
    claimed = db.session.execute(
        update(JobOutbox)
        .where(JobOutbox.id == outbox_id, JobOutbox.finished_at.is_(None),
               or_(JobOutbox.started_at.is_(None), JobOutbox.started_at < now - _stale_after()))
        .values(started_at=now, attempts=JobOutbox.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not claimed:
        return None
    return _execute(outbox_id)


def _execute(outbox_id):
    row = db.session.get(JobOutbox, outbox_id)
    func_path, args, attempts = row.func, list(row.args), row.attempts
    try:
        result = resolve(func_path)(*args)
        db.session.commit()
    except Exception as exc:  # recorded on the row and retried from there; the caller carries on
        db.session.rollback()
        log.warning("job %s %s%s failed (try %d): %r", outbox_id, func_path, tuple(args), attempts, exc)
        _record_failure(outbox_id, attempts, exc)
        return None
    db.session.execute(
        update(JobOutbox).where(JobOutbox.id == outbox_id).values(finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result


def _record_failure(outbox_id, attempts, exc):
    intervals = current_app.config.get("JOBS_RETRY_INTERVALS") or RETRY_INTERVALS
    now = utcnow()
    values = {"last_error": repr(exc)[:2000]}
    if attempts > len(intervals):
        values.update(finished_at=now, failed=True)
        log.error("job %s failed for good after %d tries", outbox_id, attempts)
    else:
        values.update(enqueued_at=None, job_id=None, started_at=None,
                      run_after=now + timedelta(seconds=intervals[attempts - 1]))
    db.session.execute(update(JobOutbox).where(JobOutbox.id == outbox_id).values(**values)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def recover_lost_jobs():
    """Hand back to the relay every row whose run was lost: Redis lost it, or its worker died.

    A row is lost when it was handed over a while ago and has not finished, and either its
    rq job is gone or ended (finished, failed, stopped, canceled) without finishing the row,
    or says "queued" but stands in no queue (a worker took it off as Redis went down), or its
    run started longer ago than JOB_STALE_SECONDS. Returns how many rows go back.
    """
    now = utcnow()
    stale = now - _stale_after()
    rows = db.session.execute(
        select(JobOutbox.id, JobOutbox.job_id, JobOutbox.queue, JobOutbox.started_at)
        .where(JobOutbox.finished_at.is_(None), JobOutbox.enqueued_at.is_not(None),
               JobOutbox.enqueued_at < now - LOST_GRACE)
        .order_by(JobOutbox.id).limit(RECOVER_BATCH)
    ).all()
    if not rows:
        db.session.rollback()
        return 0
    started_long_ago = {row.id for row in rows if row.started_at is not None and row.started_at < stale}
    lost = set()
    connection = None if jobs_inline() else redis_connection()
    if connection is None:
        lost = started_long_ago  # the embedded runner died mid-job
    else:
        from rq import Queue

        with connection.pipeline(transaction=False) as pipe:
            for row in rows:
                pipe.hget(f"rq:job:{row.job_id}", "status")
                pipe.lpos(Queue(row.queue, connection=connection).key, row.job_id)
            replies = pipe.execute()
        for row, state, position in zip(rows, replies[0::2], replies[1::2]):
            if state == b"queued" and position is None:
                lost.add(row.id)  # popped by a worker that never got to start it
                continue
            if state in WAITING_STATES:
                continue
            if state == b"started" and row.id not in started_long_ago:
                continue
            lost.add(row.id)
    if lost:
        db.session.execute(
            update(JobOutbox)
            .where(JobOutbox.id.in_(lost), JobOutbox.finished_at.is_(None))
            .values(enqueued_at=None, job_id=None, started_at=None)
            .execution_options(synchronize_session=False)
        )
        log.warning("job recovery: %d jobs whose run was lost go back to the relay", len(lost))
    db.session.commit()
    return len(lost)


def prune_finished_jobs():
    """Periodic: forget jobs that finished well over a week ago (failures are kept longer)."""
    now = utcnow()
    keep = timedelta(days=current_app.config.get("JOB_OUTBOX_KEEP_DAYS", 7))
    removed = db.session.execute(
        delete(JobOutbox).where(
            JobOutbox.finished_at.is_not(None),
            or_((JobOutbox.failed.is_(False)) & (JobOutbox.finished_at < now - keep),
                JobOutbox.finished_at < now - 5 * keep),
        ).execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return removed


def backlog():
    """(jobs waiting to be handed over, seconds the oldest has waited): for /healthz and operators."""
    now = utcnow()
    count, oldest = db.session.execute(
        select(func.count(), func.min(JobOutbox.created_at))
        .where(*_due_now(now))
    ).one()
    return count, (int((now - oldest).total_seconds()) if oldest else 0)


def init_app(app):
    """In tests only (JOBS_AFTER_REQUEST), run queued jobs after each request, like rq's is_async=False."""
    from feedback.jobs.worker import register_periodic

    register_periodic("jobs.prune", "feedback.jobs.prune_finished_jobs", 3600)

    @app.after_request
    def _run_jobs_after_request(response):
        if g.get("jobs_pending") and app.config.get("JOBS_AFTER_REQUEST") and jobs_inline():
            g.jobs_pending = False
            try:
                relay_pending()
            except Exception:  # the response is already decided; the row stays for later
                log.exception("job run after request failed")
                db.session.rollback()
        return response
