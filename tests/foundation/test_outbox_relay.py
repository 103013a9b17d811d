"""The job outbox: a job written while Redis is down waits, is relayed once Redis is back, and runs once."""
import pytest
from redis import Redis
from rq import Queue
from rq.job import Job
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.jobs import enqueue, relay_pending
from feedback.jobs.worker import make_worker
from feedback.messaging import queue_message
from feedback.models import JobOutbox, OutboundMessage

DEAD_REDIS = "redis://127.0.0.1:6390/0"  # nothing listens there


@pytest.fixture
def redis_apps(app, make_app, redis_url):
    """An app whose Redis is unreachable and one with the real Redis; jobs go through rq in both."""
    return make_app(REDIS_URL=DEAD_REDIS, JOBS_INLINE=False), make_app(REDIS_URL=redis_url, JOBS_INLINE=False)


def test_job_waits_while_redis_is_down_then_is_relayed_once_and_runs(redis_apps, redis_url):
    down, up = redis_apps
    with down.app_context():
        message = queue_message("+84905123456", "Phản ánh PA23456789 đã có trả lời.", "answer")
        db.session.commit()
        message_id = message.id
        assert relay_pending() == 0
        row = db.session.scalar(select(JobOutbox))
        assert row.func == "feedback.messaging.deliver" and row.args == [message_id]
        assert row.enqueued_at is None and row.job_id is None
        assert relay_pending() == 0  # still down: still waiting, nothing lost
        assert db.session.scalar(select(func.count()).select_from(JobOutbox).where(JobOutbox.enqueued_at.is_(None))) == 1
        db.session.remove()

    connection = Redis.from_url(redis_url)
    queue = Queue("default", connection=connection)
    with up.app_context():
        assert relay_pending() == 1
        row = db.session.scalar(select(JobOutbox))
        assert row.enqueued_at is not None and row.job_id == f"outbox-{row.id}"
        assert queue.count == 1
        assert relay_pending() == 0  # the second pass sends nothing again
        assert queue.count == 1
        assert db.session.get(OutboundMessage, message_id).status == "queued"
        job_id = row.job_id
        db.session.remove()

        worker = make_worker(up, ["default"], connection)
        assert worker.work(burst=True) is True
        assert Job.fetch(job_id, connection=connection).get_status() == "finished"
        assert queue.count == 0

        db.session.remove()
        message = db.session.get(OutboundMessage, message_id)
        assert message.status == "held"  # no Twilio credentials: kept in the outbox for administrators
        assert relay_pending() == 0
        db.session.remove()


def test_a_rolled_back_change_enqueues_nothing(redis_apps, redis_url):
    _down, up = redis_apps
    with up.app_context():
        enqueue("feedback.messaging.deliver", 12345)
        db.session.rollback()
        assert relay_pending() == 0
        assert Queue("default", connection=Redis.from_url(redis_url)).count == 0
        db.session.remove()


def test_relay_sends_a_batch_to_the_named_queues(redis_apps, redis_url):
    _down, up = redis_apps
    with up.app_context():
        for n in range(5):
            enqueue("feedback.messaging.deliver", n)
        enqueue("feedback.messaging.deliver", 99, queue="low")
        db.session.commit()
        assert relay_pending(limit=4) == 4
        assert relay_pending(limit=4) == 2
        assert relay_pending() == 0
        connection = Redis.from_url(redis_url)
        assert Queue("default", connection=connection).count == 5
        assert Queue("low", connection=connection).count == 1
        db.session.remove()


def test_healthz_reports_the_queue(redis_apps):
    down, up = redis_apps
    ok = up.test_client().get("/healthz")
    assert ok.status_code == 200 and ok.json["queue"] == "ok" and ok.json["database"] == "ok"
    broken = down.test_client().get("/healthz")
    assert broken.status_code == 200  # the database answers; the queue is reported, not fatal
    assert broken.json["status"] == "ok" and broken.json["queue"] == "degraded"  # intake goes on; jobs wait
