"""Redis stopped in the middle of intake, with and without losing its data.

Asserted from the database and the Twilio stand-in: every accepted case and rating exists
exactly once, no intake request answered 5xx, /healthz said the queue was degraded, the
worker process stayed alive, and the messages queued meanwhile went out once each, on time.
"""
import threading
import time
import uuid

import pytest
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.models import Complaint, OutboundMessage, Rating
from tests.faults.harness import CODE, wait_for

LONG = "Cán bộ tiếp nhận hồ sơ ở bộ phận một cửa thái độ thiếu tôn trọng, yêu cầu giấy tờ ngoài quy định"


def _load(system, province, stop, results, lock):
    """One client: SMS, portal and kiosk in turn until `stop`; records (kind, status, code)."""
    citizen, n = system.citizen, 0
    while not stop.is_set():
        n += 1
        phone = f"+8490{uuid.uuid4().int % 10**7:07d}"
        kind = ("sms", "portal", "kiosk")[n % 3]
        try:
            if kind == "sms":
                status, reply, _sid = citizen.sms(f"{LONG} (lần {n})", phone)
                found = CODE.search(reply) if "Đã nhận phản ánh" in reply else None
                code = found.group(0) if found else None
            elif kind == "portal":
                status, code = citizen.portal(f"{LONG} (cổng, lần {n})", province["unit_code"], phone)
            else:
                key = str(uuid.uuid4())
                status, code = citizen.kiosk(province["kiosk_token"], 5, key), key
        except Exception as exc:  # a refused connection counts as a failure of the system
            status, code = f"error {exc!r}", None
        with lock:
            results.append((kind, status, code))


@pytest.mark.parametrize("keep_data", [False, True], ids=["redis-loses-its-data", "redis-keeps-its-data"])
def test_intake_goes_on_while_redis_is_down_and_nothing_accepted_is_lost(
        postgres, province, private_redis, standin, start_system, keep_data):
    system = start_system(private_redis.url, standin.url)
    results, lock, stop = [], threading.Lock(), threading.Event()
    clients = [threading.Thread(target=_load, args=(system, province, stop, results, lock)) for _ in range(4)]
    for client in clients:
        client.start()
    time.sleep(2)
    private_redis.stop(keep_data=keep_data)
    down_from = len(results)
    time.sleep(4)
    health = system.citizen.healthz()
    down_results = results[down_from:]
    standin.fail_next(500)  # the first send after Redis returns fails once: its retry must come on time
    private_redis.start()
    back_at = time.monotonic()
    time.sleep(2)
    stop.set()
    for client in clients:
        client.join(timeout=60)

    assert health["status"] == "ok" and health["queue"] == "degraded", health
    assert len(down_results) >= 10, "the load did not run while Redis was down"
    failures = [r for r in results if r[1] != 200]
    assert not failures, f"{len(failures)} intake requests failed, e.g. {failures[:5]}"
    assert system.worker.alive(), system.worker.log()[-3000:]

    # Every tracking code a citizen was given opens one case; every rating is stored once.
    codes = [code for kind, _status, code in results if kind in ("sms", "portal")]
    assert all(codes), "an accepted SMS or portal submission came back without a tracking code"
    db.session.remove()
    stored = dict(db.session.execute(
        select(Complaint.tracking_code, func.count()).where(Complaint.tracking_code.in_(codes))
        .group_by(Complaint.tracking_code)).all())
    assert set(stored) == set(codes) and set(stored.values()) == {1}
    ratings = [code for kind, _status, code in results if kind == "kiosk"]
    assert db.session.scalar(select(func.count()).select_from(Rating).where(Rating.client_uuid.in_(ratings))) == len(ratings)

    # Every portal acknowledgement goes out once, the failed one retried within seconds of Redis' return.
    expected = db.session.scalar(select(func.count()).select_from(OutboundMessage).where(OutboundMessage.channel == "sms"))
    assert expected == sum(1 for kind, *_ in results if kind == "portal")

    def all_sent():
        db.session.remove()
        return db.session.scalar(select(func.count()).select_from(OutboundMessage)
                                 .where(OutboundMessage.status == "sent")) == expected

    try:
        wait_for(all_sent, 120, 0.3, what="every acknowledgement to be sent")
    except AssertionError:
        from feedback.models import JobOutbox

        unsent = db.session.execute(select(OutboundMessage.id, OutboundMessage.status, OutboundMessage.error_code)
                                    .where(OutboundMessage.status != "sent")).all()
        jobs = db.session.execute(select(JobOutbox.id, JobOutbox.args, JobOutbox.enqueued_at, JobOutbox.started_at,
                                         JobOutbox.finished_at, JobOutbox.attempts, JobOutbox.job_id)
                                  .where(JobOutbox.func == "feedback.messaging.deliver",
                                         JobOutbox.finished_at.is_(None))).all()
        raise AssertionError(f"unsent: {unsent}; unfinished jobs: {jobs}")
    drained = time.monotonic() - back_at
    posts = [r for r in standin.posts() if r["at"] >= back_at]
    failed_body = posts[0]["form"]["Body"]  # the send answered 500
    retry = next(r for r in posts[1:] if r["form"]["Body"] == failed_body)
    print(f"\n[{'kept' if keep_data else 'lost'} data] {len(results)} requests, {len(down_results)} while Redis was down,"
          f" 0 failed; first send {posts[0]['at'] - back_at:.1f} s and its retry {retry['at'] - back_at:.1f} s after"
          f" Redis returned; all {expected} SMS sent after {drained:.1f} s")
    assert retry["at"] - back_at < 30
    bodies = [m["body"] for m in standin.created]
    assert len(bodies) == len(set(bodies)) == expected, "an SMS was sent twice or not at all"
    assert system.worker.alive()
