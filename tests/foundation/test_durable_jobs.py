"""The outbox is the record of what must still happen: retries, completion and lost runs live there."""
import threading
from datetime import timedelta

import time_machine
from redis import Redis
from sqlalchemy import select, update

from feedback.extensions import db
from feedback.jobs import enqueue, recover_lost_jobs, relay_pending, run_outbox_job
from feedback.jobs.worker import _claim_period, make_worker
from feedback.models import JobOutbox, utcnow

CALLS = []
FAILURES = {"left": 0}
_lock = threading.Lock()


def record(tag):
    """A job for these tests: notes that it ran."""
    with _lock:
        CALLS.append(tag)


def flaky(tag):
    """Fails while FAILURES['left'] > 0, then runs."""
    if FAILURES["left"] > 0:
        FAILURES["left"] -= 1
        raise RuntimeError("Twilio said 503")
    record(tag)


def _row():
    db.session.remove()
    return db.session.scalar(select(JobOutbox))


def setup_function():
    CALLS.clear()
    FAILURES["left"] = 0


def test_a_failed_job_waits_in_the_database_and_runs_again_when_due(app):
    app.config["JOBS_RETRY_INTERVALS"] = [10, 30]
    try:
        FAILURES["left"] = 2
        enqueue("tests.foundation.test_durable_jobs.flaky", "a")
        db.session.commit()
        start = utcnow()
        with time_machine.travel(start, tick=False) as clock:
            assert relay_pending() == 1
            row = _row()
            assert (row.attempts, row.enqueued_at, row.finished_at) == (1, None, None)
            assert row.run_after == start + timedelta(seconds=10) and "503" in row.last_error
            assert relay_pending() == 0  # not due yet
            clock.shift(11)
            assert relay_pending() == 1 and _row().attempts == 2 and CALLS == []
            clock.shift(31)
            assert relay_pending() == 1
        row = _row()
        assert CALLS == ["a"] and row.attempts == 3 and row.finished_at is not None and row.failed is False
        assert relay_pending() == 0
    finally:
        app.config["JOBS_RETRY_INTERVALS"] = None


def test_a_job_that_keeps_failing_is_marked_failed_after_its_last_try(app):
    app.config["JOBS_RETRY_INTERVALS"] = [1]
    try:
        FAILURES["left"] = 5
        enqueue("tests.foundation.test_durable_jobs.flaky", "b")
        db.session.commit()
        with time_machine.travel(utcnow(), tick=False) as clock:
            relay_pending()
            clock.shift(2)
            relay_pending()
        row = _row()
        assert row.failed is True and row.finished_at is not None and row.attempts == 2 and CALLS == []
    finally:
        app.config["JOBS_RETRY_INTERVALS"] = None


def test_a_finished_job_never_runs_again_and_a_running_one_is_not_run_twice(app):
    enqueue("tests.foundation.test_durable_jobs.record", "c")
    db.session.commit()
    row_id = _row().id
    db.session.execute(update(JobOutbox).values(enqueued_at=utcnow(), job_id=f"outbox-{row_id}"))
    db.session.commit()
    run_outbox_job(row_id)
    run_outbox_job(row_id)  # rq delivered it twice (a relay repeated after Redis came back)
    assert CALLS == ["c"]
    # A run that started a moment ago is someone else's: a second delivery leaves it alone.
    enqueue("tests.foundation.test_durable_jobs.record", "d")
    db.session.commit()
    other = db.session.scalar(select(JobOutbox).where(JobOutbox.id != row_id))
    db.session.execute(update(JobOutbox).where(JobOutbox.id == other.id).values(started_at=utcnow(), enqueued_at=utcnow()))
    db.session.commit()
    assert run_outbox_job(other.id) is None and CALLS == ["c"]


def test_runners_on_the_embedded_default_run_each_job_once(app):
    for n in range(40):
        enqueue("tests.foundation.test_durable_jobs.record", n)
    db.session.commit()

    def runner():
        with app.app_context():
            relay_pending()
            db.session.remove()

    threads = [threading.Thread(target=runner) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(CALLS) == list(range(40))


def test_a_job_lost_with_redis_is_relayed_again_and_runs_once(app, make_app, redis_url):
    up = make_app(REDIS_URL=redis_url, JOBS_INLINE=False)
    connection = Redis.from_url(redis_url)
    with up.app_context():
        enqueue("tests.foundation.test_durable_jobs.record", "lost")
        db.session.commit()
        assert relay_pending() == 1
        connection.flushdb()  # Redis restarted without persistence: the rq job is gone
        assert recover_lost_jobs() == 0  # within the grace period: it may still be on its way
        with time_machine.travel(utcnow() + timedelta(seconds=30)):
            assert recover_lost_jobs() == 1
            assert relay_pending() == 1
            row = _row()
            assert row.job_id == f"outbox-{row.id}"  # not run yet: the same id as the first relay
            make_worker(up, ["default"], connection).work(burst=True)
            assert CALLS == ["lost"] and _row().finished_at is not None
            assert recover_lost_jobs() == 0  # finished: nothing more to do
        db.session.remove()


def test_a_job_taken_off_the_queue_as_redis_went_down_is_relayed_again(app, make_app, redis_url):
    up = make_app(REDIS_URL=redis_url, JOBS_INLINE=False)
    connection = Redis.from_url(redis_url)
    with up.app_context():
        enqueue("tests.foundation.test_durable_jobs.record", "popped")
        db.session.commit()
        assert relay_pending() == 1
        job_id = _row().job_id
        # A worker popped it, then Redis stopped before rq marked it started: the job hash
        # still says "queued" but no queue holds it, so no worker will ever take it.
        assert connection.lrem("rq:queue:default", 0, job_id) == 1
        assert connection.hget(f"rq:job:{job_id}", "status") == b"queued"
        with time_machine.travel(utcnow() + timedelta(seconds=30)):
            assert recover_lost_jobs() == 1
            assert relay_pending() == 1
            make_worker(up, ["default"], connection).work(burst=True)
            assert CALLS == ["popped"] and _row().finished_at is not None
            assert recover_lost_jobs() == 0
        db.session.remove()


def test_a_job_whose_worker_died_mid_run_is_run_again_after_the_stale_time(app, make_app, redis_url):
    up = make_app(REDIS_URL=redis_url, JOBS_INLINE=False, JOB_STALE_SECONDS=60)
    connection = Redis.from_url(redis_url)
    with up.app_context():
        enqueue("tests.foundation.test_durable_jobs.record", "killed")
        db.session.commit()
        relay_pending()
        row = _row()
        row_id, job_id = row.id, row.job_id
        # The worker claimed it, then was killed: rq still says "started", nobody finishes it.
        connection.hset(f"rq:job:{job_id}", "status", "started")
        db.session.execute(update(JobOutbox).values(started_at=utcnow(), attempts=1))
        db.session.commit()
        with time_machine.travel(utcnow() + timedelta(seconds=30)):
            assert recover_lost_jobs() == 0  # still within JOB_STALE_SECONDS
        with time_machine.travel(utcnow() + timedelta(seconds=90)):
            assert recover_lost_jobs() == 1
            assert relay_pending() == 1
            assert _row().job_id == f"outbox-{row_id}-1"  # a fresh rq id for the new run
            make_worker(up, ["default"], connection).work(burst=True)
        assert CALLS == ["killed"]
        db.session.remove()


def test_a_periodic_job_is_claimed_by_one_worker_per_period(app):
    assert _claim_period("test.period", 60) is True
    assert _claim_period("test.period", 60) is False  # a second worker, the same second
    with time_machine.travel(utcnow() + timedelta(seconds=61)):
        assert _claim_period("test.period", 60) is True
        assert _claim_period("test.period", 60) is False
