"""Outbound SMS through the outbox, a real rq worker on real Redis and the Twilio stand-in."""
import socket
import time

import pytest
from redis import Redis
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.hotline.jobs import requeue_stuck_messages
from feedback.intake.services import create_case
from feedback.jobs import relay_pending
from feedback.jobs.worker import make_worker
from feedback.messaging import queue_message
from feedback.models import JobOutbox, OutboundMessage, SmsOptOut
from tests import factories
from tests.conftest import login
from tests.hotline.conftest import CITIZEN, twilio_post


def _rq_app(make_app, redis_url, twilio_settings, **extra):
    return make_app(REDIS_URL=redis_url, JOBS_INLINE=False, JOBS_RETRY_INTERVALS=[1, 1, 1, 1, 1],
                    **twilio_settings, **extra)


def _work_until(app, redis_url, done, timeout=30):
    """Relay the outbox, then run burst workers (with the scheduler, for retries) until done()."""
    connection = Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    while True:
        relay_pending()
        make_worker(app, ["default"], connection).work(burst=True, with_scheduler=True)
        db.session.expire_all()
        if done():
            return
        assert time.monotonic() < deadline, "the worker did not finish in time"
        time.sleep(0.3)


def _message(message_id):
    db.session.expire_all()
    return db.session.get(OutboundMessage, message_id)


def test_sms_sent_once_through_the_standin_despite_429_500_and_a_timeout(app, make_app, redis_url, standin,
                                                                        twilio_settings):
    rq_app = _rq_app(make_app, redis_url, twilio_settings)
    # 429: not taken; 500: maybe taken; a delay past the client's 1 s timeout: taken, answer lost.
    standin.fail_next(429, 500, ("delay", 2.5))
    with rq_app.app_context():
        message_id = queue_message(CITIZEN, "Phản ánh PA23456789 đã được thụ lý.", "notice").id
        db.session.commit()
        _work_until(rq_app, redis_url, lambda: _message(message_id).status == "sent")
        message = _message(message_id)
        # One message exists at Twilio: the retry after the timeout found it instead of sending again.
        assert len(standin.created) == 1
        assert message.provider_sid == standin.created[0]["sid"] and message.sent_at is not None
        assert len(standin.posts()) == 3 and message.attempts == 4
        sent = standin.created[0]
        assert (sent["to"], sent["from"], sent["body"]) == (CITIZEN, "+18005550100", message.body)
        assert sent["status_callback"] == f"https://hotline.example.vn/hotline/sms/status?ref={message_id}"
        # Nothing more happens on later runs.
        _work_until(rq_app, redis_url, lambda: True)
        assert len(standin.posts()) == 3
        db.session.remove()


def test_21610_suppresses_the_message_records_the_opt_out_and_does_not_retry(app, make_app, redis_url, standin,
                                                                           twilio_settings):
    rq_app = _rq_app(make_app, redis_url, twilio_settings)
    standin.fail_next(21610)
    with rq_app.app_context():
        message_id = queue_message(CITIZEN, "Mời đánh giá kết quả giải quyết.", "rating_request").id
        db.session.commit()
        _work_until(rq_app, redis_url, lambda: _message(message_id).status != "queued")
        time.sleep(1.2)  # past a retry interval: no retry was scheduled
        _work_until(rq_app, redis_url, lambda: True)
        message = _message(message_id)
        assert (message.status, message.error_code) == ("suppressed", "21610")
        assert db.session.get(SmsOptOut, CITIZEN).opted_out is True
        assert len(standin.posts()) == 1 and standin.created == []
        # Later messages to that number are suppressed before they reach Twilio.
        later = queue_message(CITIZEN, "Thông báo khác", "notice")
        db.session.commit()
        assert later.status == "suppressed"
        db.session.remove()


def test_complaint_accepted_while_redis_is_down_is_acknowledged_when_it_is_back(app, make_app, redis_url, standin,
                                                                               twilio_settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    down = make_app(REDIS_URL=f"redis://127.0.0.1:{closed}/0", JOBS_INLINE=False, **twilio_settings)
    with down.app_context():
        tree = factories.province_tree()
        case = create_case(channel="web", description="Cán bộ thu thêm phí ngoài quy định", target_unit=tree["a"],
                           contact={"phone": CITIZEN})
        db.session.commit()
        code = case.complaint.tracking_code
        assert relay_pending() == 0  # Redis is down: the job stays in the outbox
        assert db.session.scalar(select(func.count()).select_from(JobOutbox).where(JobOutbox.enqueued_at.is_(None))) == 1
        db.session.remove()
    assert standin.requests == []
    rq_app = _rq_app(make_app, redis_url, twilio_settings)
    with rq_app.app_context():
        _work_until(rq_app, redis_url, lambda: db.session.scalar(select(OutboundMessage.status)) == "sent")
        assert len(standin.created) == 1
        assert standin.created[0]["to"] == CITIZEN and code in standin.created[0]["body"]
        db.session.remove()


def test_without_credentials_sms_are_held_and_admins_read_the_outbox(app, client):
    message = queue_message(CITIZEN, "Đã tiếp nhận phản ánh của bạn. Mã phản ánh: PA23456789.", "ack")
    db.session.commit()
    relay_pending()  # no Redis here: the job runs in-process
    assert _message(message.id).status == "held"
    admin = factories.user(role="admin")
    handler = factories.user(role="handler")
    db.session.commit()
    login(client, handler)
    assert client.get("/hotline/outbox").status_code == 403
    login(client, admin)
    page = client.get("/hotline/outbox?status=held").get_data(as_text=True)
    assert "Mã phản ánh: PA23456789" in page and "held" in page and "Chưa cấu hình Twilio" in page
    empty = client.get("/hotline/outbox?status=failed").get_data(as_text=True)
    assert "PA23456789" not in empty and "Không có tin nhắn nào" in empty


def test_held_messages_go_out_once_twilio_is_configured(app, make_app, standin, twilio_settings):
    message = queue_message(CITIZEN, "Tin nhắn chờ cấu hình", "notice")
    db.session.commit()
    relay_pending()
    assert _message(message.id).status == "held"
    assert requeue_stuck_messages() == 0  # still not configured: nothing to do
    configured = make_app(**twilio_settings)
    with configured.app_context():
        assert requeue_stuck_messages() == 1
        relay_pending()  # in-process without Redis
        assert _message(message.id).status == "sent"
        assert requeue_stuck_messages() == 0
        db.session.remove()
    assert [m["body"] for m in standin.created] == ["Tin nhắn chờ cấu hình"]


def test_opt_out_is_checked_again_at_send_time_and_other_4xx_fail(app, make_app, standin, twilio_settings):
    configured = make_app(**twilio_settings)
    with configured.app_context():
        first = queue_message(CITIZEN, "Một", "notice")
        db.session.add(SmsOptOut(phone=CITIZEN, opted_out=True))  # STOP arrived before the job ran
        db.session.commit()
        standin.fail_next(21211)
        second = queue_message("+84900000000", "Hai", "notice")
        db.session.commit()
        relay_pending()
        assert _message(first.id).status == "suppressed"
        failed = _message(second.id)
        assert (failed.status, failed.error_code) == ("failed", "21211")
        assert len(standin.posts()) == 1 and standin.created == []
        db.session.remove()


@pytest.mark.parametrize("sequence, final", [
    (["sent", "delivered", "sent", "sending", "failed"], "delivered"),
    (["queued", "sent", "undelivered", "delivered"], "undelivered"),
])
def test_status_callbacks_never_move_a_message_backwards(client, sequence, final):
    message = queue_message(CITIZEN, "Kết quả", "answer")
    message.status, message.provider_sid = "sending", "SM" + "b" * 32
    db.session.commit()
    for state in sequence:
        response = twilio_post(client, f"/hotline/sms/status?ref={message.id}",
                               {"MessageSid": message.provider_sid, "MessageStatus": state, "AccountSid": "AC1"})
        assert response.status_code == 204
    assert _message(message.id).status == final
    assert client.post("/hotline/sms/status", data={"MessageSid": message.provider_sid,
                                                    "MessageStatus": "queued"}).status_code == 403


def test_a_delivery_report_finds_a_message_whose_api_answer_was_lost(client):
    message = queue_message(CITIZEN, "Kết quả", "answer")
    message.status = "sending"
    db.session.commit()
    twilio_post(client, f"/hotline/sms/status?ref={message.id}",
                {"MessageSid": "SM" + "c" * 32, "MessageStatus": "delivered", "AccountSid": "AC1"})
    found = _message(message.id)
    assert (found.status, found.provider_sid) == ("delivered", "SM" + "c" * 32)


def test_a_failure_report_with_21610_records_the_opt_out(client):
    message = queue_message(CITIZEN, "Kết quả", "answer")
    message.status, message.provider_sid = "sent", "SM" + "d" * 32
    db.session.commit()
    twilio_post(client, "/hotline/sms/status", {"MessageSid": message.provider_sid, "MessageStatus": "failed",
                                                "ErrorCode": "21610", "AccountSid": "AC1"})
    failed = _message(message.id)
    assert (failed.status, failed.error_code) == ("failed", "21610")
    assert db.session.get(SmsOptOut, CITIZEN).opted_out is True


def test_periodic_job_requeues_lost_and_interrupted_sends_once(app, make_app, standin, twilio_settings):
    from datetime import timedelta

    from feedback.models import utcnow

    configured = make_app(**twilio_settings)
    with configured.app_context():
        lost = queue_message(CITIZEN, "Mất việc", "notice")
        recent = queue_message("+84900000001", "Vừa xếp hàng", "notice")
        interrupted = queue_message("+84900000002", "Đang gửi thì dừng", "notice")
        db.session.execute(JobOutbox.__table__.delete())  # their jobs were lost (Redis flushed)
        long_ago = utcnow() - timedelta(hours=2)
        lost.updated_at = interrupted.updated_at = long_ago
        interrupted.status = "sending"
        db.session.commit()
        # The interrupted one reached Twilio before the worker died.
        standin._create({"To": "+84900000002", "From": "+18005550100", "Body": "Đang gửi thì dừng"})
        assert requeue_stuck_messages() == 2
        assert requeue_stuck_messages() == 0  # touched: not queued again next period
        relay_pending()
        assert _message(lost.id).status == "sent"
        assert _message(recent.id).status == "queued"
        found = _message(interrupted.id)
        assert found.status == "sent" and found.provider_sid == standin.created[0]["sid"]
        assert [m["body"] for m in standin.created] == ["Đang gửi thì dừng", "Mất việc"]
        db.session.remove()
