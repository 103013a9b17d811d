"""The worker killed in the middle of a batch of sends; Twilio answering 500, 429, 21610 and timing out.

Messages are queued the way the application queues them (an outbox row in a committed
transaction); the real `flask worker` processes send them to the Twilio stand-in.
"""
import signal
import time

from sqlalchemy import func, select

from feedback.extensions import db
from feedback.messaging import queue_message
from feedback.models import OutboundMessage, SmsOptOut
from tests.faults.harness import wait_for


def _queue(count, prefix):
    ids = []
    for n in range(count):
        message = queue_message(f"+849051{n:05d}", f"{prefix} số {n}: phản ánh của Ông/Bà đã có trả lời.", "answer")
        ids.append(message.id)
    db.session.commit()
    return ids


def _states(ids):
    db.session.remove()
    return dict(db.session.execute(select(OutboundMessage.id, OutboundMessage.status)
                                   .where(OutboundMessage.id.in_(ids))).all())


def test_worker_killed_mid_batch_sends_every_message_exactly_once(postgres, private_redis, standin, start_system):
    standin.latency = 0.25  # each send takes a while: the kill lands in the middle of one
    system = start_system(private_redis.url, standin.url)
    ids = _queue(24, "Lô gửi")
    wait_for(lambda: len(standin.created) >= 8, 60, what="part of the batch to be sent")
    system.worker.kill(signal.SIGKILL)
    killed_at = time.monotonic()
    in_flight = [m for m, state in _states(ids).items() if state == "sending"]
    system.start_worker()  # what systemd does: start it again

    wait_for(lambda: set(_states(ids).values()) == {"sent"}, 90, 0.3, what="every message to be sent")
    recovered = time.monotonic() - killed_at
    bodies = [m["body"] for m in standin.created]
    assert len(bodies) == len(set(bodies)) == len(ids), "a message was sent twice or not at all"
    rows = db.session.scalars(select(OutboundMessage).where(OutboundMessage.id.in_(ids))).all()
    assert all(row.provider_sid for row in rows)  # the one in flight at the kill was found at Twilio, not resent
    assert {row.provider_sid for row in rows} == {m["sid"] for m in standin.created}
    print(f"\nworker SIGKILL: {len(in_flight)} in flight, all {len(ids)} sent once; done {recovered:.1f} s after the kill")
    assert system.worker.alive()


def test_twilio_errors_and_time_outs_end_with_each_message_sent_once_or_suppressed(
        postgres, private_redis, standin, start_system):
    system = start_system(private_redis.url, standin.url, worker=False)
    standin.fail_next(500, 429, ("delay", 4.0), 21610)  # the client's time-out is 2 s
    ids = _queue(5, "Lỗi Twilio")
    system.start_worker()

    final = {"sent", "suppressed"}
    wait_for(lambda: set(_states(ids).values()) <= final and len(_states(ids)) == 5, 90, 0.3,
             what="every message to be sent or suppressed")
    states = _states(ids)
    # In order: 500 -> retried and sent; 429 -> retried and sent; time-out -> Twilio had it: adopted, not resent;
    # 21610 -> the number opted out: suppressed and remembered; the fifth went through at once.
    assert [states[i] for i in ids] == ["sent", "sent", "sent", "suppressed", "sent"]
    rows = {row.id: row for row in db.session.scalars(select(OutboundMessage).where(OutboundMessage.id.in_(ids)))}
    assert rows[ids[3]].error_code == "21610"
    assert db.session.get(SmsOptOut, rows[ids[3]].to_address).opted_out is True
    created = [m["body"] for m in standin.created]
    for message_id in (ids[0], ids[1], ids[2], ids[4]):
        assert created.count(rows[message_id].body) == 1, rows[message_id].body
    assert rows[ids[3]].body not in created
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage).where(OutboundMessage.provider_sid.is_not(None))) == 4
    assert system.worker.alive()
