"""The embedded default (SQLite, no Redis): jobs run beside the request, never inside it, each once."""
import subprocess
import threading
import time
import uuid

import pytest
from sqlalchemy import func, select

from config import normalise_database_url
from feedback.extensions import db
from feedback.messaging import queue_message
from feedback.models import Complaint, InboundSms, OutboundMessage
from tests import factories
from tests.faults import harness
from tests.faults.harness import wait_for

TEXT = "Cán bộ tư pháp xã yêu cầu nộp thêm bản sao giấy khai sinh không có trong quy định"


@pytest.fixture
def embedded(tmp_path, make_app):
    """A fresh SQLite file with the migrated schema and one unit; an app bound to it for the assertions."""
    url = f"sqlite:///{tmp_path / 'embedded.sqlite3'}"
    env = harness.app_environment(url, "", "http://127.0.0.1")
    subprocess.run([harness.executable("flask"), "--app", "wsgi", "db", "upgrade"], cwd=harness.ROOT, env=env,
                   check=True, capture_output=True)
    app = make_app(SQLALCHEMY_DATABASE_URI=normalise_database_url(url), JOBS_AFTER_REQUEST=False)
    with app.app_context():
        tree = factories.province_tree()
        db.session.commit()
        yield {"url": url, "app": app, "unit_code": tree["a"].code}
        db.session.remove()
        db.engine.dispose()


def test_the_same_sms_twice_at_the_same_moment_gets_two_identical_replies_at_once(embedded, start_system):
    system = start_system("", database=embedded["url"], worker=False)
    for _ in range(3):
        message_sid, replies = "SM" + uuid.uuid4().hex, []
        barrier = threading.Barrier(2)

        def deliver():
            barrier.wait()
            started = time.monotonic()
            status, reply, _sid = system.citizen.sms(TEXT, "+84905111222", message_sid=message_sid)
            replies.append((status, reply, time.monotonic() - started))

        threads = [threading.Thread(target=deliver) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert [r[0] for r in replies] == [200, 200]
        assert replies[0][1] == replies[1][1] and "Đã nhận phản ánh" in replies[0][1]
        assert max(r[2] for r in replies) < 1.0, replies
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(InboundSms)) == 3
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 3


def test_a_portal_post_does_not_wait_for_twilio_and_the_worker_sends_each_message_once(
        embedded, standin, start_system):
    standin.latency = 3.0  # a slow Twilio: a request that waited for it would take 3 s
    system = start_system("", standin.url, database=embedded["url"], worker=False)
    started = time.monotonic()
    status, code = system.citizen.portal(TEXT, embedded["unit_code"], "0905 123 456")
    took = time.monotonic() - started
    assert status == 200 and code, "the portal gave no receipt"
    assert took < 1.0, f"the portal POST took {took:.1f} s"
    db.session.remove()
    ack = db.session.scalar(select(OutboundMessage).where(OutboundMessage.purpose == "ack"))
    assert ack.status == "queued" and not standin.created  # nothing was sent inside the request

    # Two runners on the same SQLite file (make run's worker, and a second one): every job runs once.
    standin.latency = 0.05
    for n in range(20):
        queue_message(f"+8490522{n:04d}", f"Thông báo số {n} tới Ông/Bà", "notice")
    db.session.commit()
    system.start_worker()
    second = harness.worker(system.env)
    try:
        wait_for(lambda: (db.session.remove() or db.session.scalar(
            select(func.count()).select_from(OutboundMessage).where(OutboundMessage.status == "sent"))) == 21,
            60, 0.3, what="all 21 messages to be sent")
    finally:
        second.stop()
    bodies = [m["body"] for m in standin.created]
    assert len(bodies) == len(set(bodies)) == 21
