"""Webhooks take whatever Twilio can send: NUL bytes, over-long ids and out-of-range numbers never
reach the database as errors (which answered "busy, please resend" for ever)."""
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.messaging import queue_message
from feedback.models import Complaint, IntakeItem, OutboundMessage
from feedback.models.hotline import InboundSms
from tests.hotline.conftest import call_params, sid, sms_params, sms_text, twilio_post

BUSY = "đang bận"
LONG = "Cán bộ một cửa yêu cầu nộp thêm giấy tờ không có trong hồ sơ\x00 và hẹn lại nhiều lần"


def test_nul_bytes_in_a_text_are_dropped_and_the_case_is_made(client):
    response = twilio_post(client, "/hotline/sms", sms_params(LONG, from_="+8490512\x003456"))
    assert response.status_code == 200 and BUSY not in sms_text(response)
    case = db.session.scalar(select(Complaint))
    assert "\x00" not in case.description and "giấy tờ không có trong hồ sơ và hẹn" in case.description
    assert case.complainant.phone == "+84905123456"


def test_over_long_or_malformed_ids_get_a_clear_400_and_store_nothing(client):
    for name, value in (("MessageSid", "SM" + "a" * 63), ("MessageSid", "SM<script>"), ("AccountSid", "AC" + "1" * 80)):
        params = sms_params(LONG)
        params[name] = value
        response = twilio_post(client, "/hotline/sms", params)
        assert response.status_code == 400, (name, value)
        assert name.encode() in response.data
    long_call = "CA" + "f" * 70
    assert twilio_post(client, "/hotline/voice", call_params(long_call)).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(InboundSms)) == 0
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0


def test_recording_url_too_long_is_refused_and_a_huge_duration_is_not_stored(client):
    call_sid = sid("CA")
    twilio_post(client, "/hotline/voice", call_params(call_sid))
    params = {"AccountSid": "AC" + "1" * 32, "CallSid": call_sid, "RecordingSid": sid("RE"),
              "RecordingUrl": "https://api.twilio.com/" + "r" * 600, "RecordingStatus": "completed",
              "RecordingDuration": "12"}
    assert twilio_post(client, "/hotline/voice/recording-status", params).status_code == 400
    params.update(RecordingUrl="https://api.twilio.com/2010-04-01/Recordings/RE1", RecordingDuration="9" * 30)
    assert twilio_post(client, "/hotline/voice/recording-status", params).status_code == 204
    item = db.session.scalar(select(IntakeItem))
    assert item.recording_duration is None and item.recording_sid == params["RecordingSid"]


def test_status_callback_ref_past_bigint_is_ignored_not_an_error(client):
    message = queue_message("+84905123456", "Phản ánh đã có trả lời.", "answer")
    db.session.commit()
    for ref in (str(2**63), "9" * 40, "-1", "12abc"):
        params = {"MessageSid": sid("SM"), "MessageStatus": "delivered", "AccountSid": "AC" + "1" * 32}
        response = twilio_post(client, f"/hotline/sms/status?ref={ref}", params)
        assert response.status_code == 204, ref
    db.session.refresh(message)
    assert message.status != "delivered"  # no report named it
    good = {"MessageSid": sid("SM"), "MessageStatus": "delivered", "AccountSid": "AC" + "1" * 32}
    assert twilio_post(client, f"/hotline/sms/status?ref={message.id}", good).status_code == 204
    db.session.refresh(message)
    assert message.status == "delivered"
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage)) == 1
