"""PostgreSQL restarted (fast, then immediate) while SMS arrive: errors only around the restart,
nothing accepted lost, and the worker carries on by itself."""
import subprocess
import threading
import time
import uuid

import pytest
from sqlalchemy import func, select

from config import normalise_database_url
from feedback.extensions import db
from feedback.messaging import queue_message
from feedback.models import Complaint, OutboundMessage
from tests.faults import harness
from tests.faults.harness import CODE, wait_for

TEXT = "Công chức địa chính xã hẹn trả kết quả ba lần vẫn chưa có, không có phiếu hẹn mới"


@pytest.fixture
def private_postgres(postgres):
    server = harness.PrivatePostgres().start()
    yield server
    server.close()


def test_postgres_restarts_cost_only_the_requests_around_them(private_postgres, private_redis, standin, start_system,
                                                             make_app):
    env = harness.app_environment(private_postgres.url, private_redis.url, "http://127.0.0.1", standin.url)
    subprocess.run([harness.executable("flask"), "--app", "wsgi", "db", "upgrade"], cwd=harness.ROOT, env=env,
                   check=True, capture_output=True)
    system = start_system(private_redis.url, standin.url, database=private_postgres.url)
    results, stop = [], threading.Event()

    def load():
        while not stop.is_set():
            started = time.monotonic()
            try:
                status, reply, _sid = system.citizen.sms(TEXT, f"+8491{uuid.uuid4().int % 10**7:07d}")
            except Exception as exc:
                status, reply = repr(exc), ""
            found = CODE.search(reply) if "Đã nhận phản ánh" in reply else None
            results.append((started, time.monotonic(), status, found.group(0) if found else None))

    clients = [threading.Thread(target=load) for _ in range(3)]
    for client in clients:
        client.start()
    restarts = []
    for mode in ("fast", "immediate"):
        time.sleep(2)
        began = time.monotonic()
        private_postgres.restart(mode)
        restarts.append((began, time.monotonic()))
    time.sleep(2)
    stop.set()
    for client in clients:
        client.join(timeout=60)

    def near_a_restart(started, ended):
        return any(started <= end + 1.0 and ended >= begin - 0.5 for begin, end in restarts)

    failed = [r for r in results if r[3] is None]
    assert len(results) > 30
    assert all(near_a_restart(r[0], r[1]) for r in failed), f"failures away from a restart: {failed[:5]}"
    assert all(r[2] == 200 for r in results if not r[2].__class__ is str), "Twilio must never see a 5xx"
    codes = [r[3] for r in results if r[3]]
    private = make_app(SQLALCHEMY_DATABASE_URI=normalise_database_url(private_postgres.url))
    with private.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Complaint).where(Complaint.tracking_code.in_(codes)))
        assert stored == len(codes) == len(set(codes))
        # The worker lived through both restarts and still sends what is queued after them.
        message = queue_message("+84905000111", "Sau khi cơ sở dữ liệu khởi động lại", "notice")
        db.session.commit()
        message_id = message.id

        def sent():
            db.session.remove()
            return db.session.get(OutboundMessage, message_id).status == "sent"

        wait_for(sent, 60, 0.3, what="a message queued after the restarts to be sent")
        db.session.remove()
        db.engine.dispose()
    print(f"\nPostgreSQL fast + immediate restarts: {len(results)} SMS, {len(failed)} answered 'busy' around the restarts,"
          f" {len(codes)} cases all stored")
    assert system.worker.alive() and system.web.alive()
