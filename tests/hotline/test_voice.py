"""The Vietnamese IVR: each menu branch, silence, out of hours, voicemail into the operator queue."""
from datetime import datetime, timezone

import time_machine
from sqlalchemy import func, select

from feedback.cases.workflow import transition
from feedback.extensions import db
from feedback.intake.services import create_case
from feedback.models import IntakeItem
from feedback.models.base import keypad_digits
from feedback.models.hotline import VoiceCall
from tests.hotline.conftest import CITIZEN, PUBLIC, call_params, sid, signature, twilio_post, twiml

# Thursday 26 November 2026, 09:00 and 20:00 in Việt Nam (UTC+7); Saturday 28 November 10:00.
OFFICE = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)
EVENING = datetime(2026, 11, 26, 13, 0, tzinfo=timezone.utc)
SATURDAY = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)


def _says(root):
    return " ".join(s.text or "" for s in root.iter("Say"))


def _assert_vietnamese_voice(root):
    says = list(root.iter("Say"))
    assert says
    for say in says:
        assert say.get("language") == "vi-VN" and say.get("voice") == "Google.vi-VN-Standard-A"


def test_call_greets_in_vietnamese_with_recording_notice_and_menu(client):
    call_sid = sid("CA")
    root = twiml(twilio_post(client, "/hotline/voice", call_params(call_sid)))
    _assert_vietnamese_voice(root)
    assert "được ghi âm" in _says(root)
    gather = root.find("Gather")
    assert gather.get("numDigits") == "1" and gather.get("action") == PUBLIC + "/hotline/voice/menu"
    assert "nhấn phím 1" in _says(gather) and "nhấn phím 0" in _says(gather)
    # Silence after the menu: Twilio falls through to the redirect.
    assert root.find("Redirect").text == PUBLIC + "/hotline/voice/menu?silence=1"
    # The same CallSid posted again (a retry) is still one call.
    twiml(twilio_post(client, "/hotline/voice", call_params(call_sid)))
    assert db.session.scalar(select(func.count()).select_from(VoiceCall)) == 1
    assert db.session.scalar(select(VoiceCall.from_phone)) == CITIZEN


def test_unsigned_call_is_refused(client):
    params = call_params(sid("CA"))
    assert client.post("/hotline/voice", data=params).status_code == 403
    bad = {"X-Twilio-Signature": signature(PUBLIC + "/hotline/voice/menu", params)}
    assert client.post("/hotline/voice/menu?silence=1", data=params, headers=bad).status_code == 403
    assert client.post("/hotline/voice/recording-status", data={"RecordingSid": "RE1"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(VoiceCall)) == 0


def test_key_1_records_a_message_with_a_status_callback(client):
    root = twiml(twilio_post(client, "/hotline/voice/menu", call_params(sid("CA"), Digits="1")))
    _assert_vietnamese_voice(root)
    record = root.find("Record")
    assert record.get("maxLength") == "180" and record.get("playBeep") == "true"
    assert record.get("recordingStatusCallback") == PUBLIC + "/hotline/voice/recording-status"
    assert record.get("action") == PUBLIC + "/hotline/voice/recorded"
    assert "sau tiếng bíp" in _says(root)


def test_key_2_then_the_keypad_code_tells_the_callers_case_status(client):
    case = create_case(channel="voice", description="Phản ánh qua điện thoại", contact={"phone": CITIZEN},
                       send_ack=False).complaint
    transition(case, "accepted")
    db.session.commit()
    assert case.keypad_code == keypad_digits(case.tracking_code) and case.keypad_code.startswith("72")
    call_sid = sid("CA")
    root = twiml(twilio_post(client, "/hotline/voice/menu", call_params(call_sid, Digits="2")))
    gather = root.find("Gather")
    assert gather.get("action") == PUBLIC + "/hotline/voice/status" and gather.get("finishOnKey") == "#"
    # Digits only (issue 14): no letters to find on the keypad, the eight digits printed on the receipt.
    assert "tám chữ số của mã số tổng đài" in _says(gather) and "chữ P A" not in _says(gather)
    # Typed in full (10 digits) or without the PA (8 digits).
    for typed in (case.keypad_code, case.keypad_code[2:]):
        answer = twiml(twilio_post(client, "/hotline/voice/status", call_params(call_sid, Digits=typed)))
        _assert_vietnamese_voice(answer)
        assert "Đã thụ lý" in _says(answer) and "Hạn trả lời" in _says(answer)
        assert answer.find("Hangup") is not None
    # Another caller typing the same code hears nothing about it.
    other = twiml(twilio_post(client, "/hotline/voice/status",
                              call_params(sid("CA"), from_="+84911000111", Digits=case.keypad_code)))
    assert "Không tìm thấy" in _says(other) and "Đã thụ lý" not in _says(other)


def test_key_0_in_office_hours_dials_the_operator(client, app):
    app.config["SYSTEM_OPERATOR_NUMBER"] = "+842583822222"
    try:
        with time_machine.travel(OFFICE, tick=False):
            root = twiml(twilio_post(client, "/hotline/voice/menu", call_params(sid("CA"), Digits="0")))
    finally:
        app.config["SYSTEM_OPERATOR_NUMBER"] = ""
    dial = root.find("Dial")
    assert dial.find("Number").text == "+842583822222"
    assert dial.get("action") == PUBLIC + "/hotline/voice/dial-result"
    assert root.find("Record") is None


def test_key_0_out_of_hours_offers_a_voicemail_for_a_call_back(client, app):
    app.config["SYSTEM_OPERATOR_NUMBER"] = "+842583822222"
    try:
        for moment in (EVENING, SATURDAY):
            with time_machine.travel(moment, tick=False):
                root = twiml(twilio_post(client, "/hotline/voice/menu", call_params(sid("CA"), Digits="0")))
            assert root.find("Dial") is None
            assert "ngoài giờ làm việc" in _says(root) and "gọi lại" in _says(root)
            assert root.find("Record").get("maxLength") == "180"
    finally:
        app.config["SYSTEM_OPERATOR_NUMBER"] = ""


def test_operator_not_answering_offers_a_voicemail(client):
    root = twiml(twilio_post(client, "/hotline/voice/dial-result", call_params(sid("CA"), DialCallStatus="no-answer")))
    assert "đang bận" in _says(root) and root.find("Record") is not None
    done = twiml(twilio_post(client, "/hotline/voice/dial-result", call_params(sid("CA"), DialCallStatus="completed")))
    assert done.find("Hangup") is not None and done.find("Record") is None


def test_silent_caller_is_prompted_again_then_offered_the_recording(client):
    call_sid = sid("CA")
    again = twiml(twilio_post(client, "/hotline/voice/menu?silence=1", call_params(call_sid)))
    assert "chưa nghe thấy" in _says(again)
    assert again.find("Gather") is not None
    assert again.find("Redirect").text == PUBLIC + "/hotline/voice/menu?silence=2"
    offered = twiml(twilio_post(client, "/hotline/voice/menu?silence=2", call_params(call_sid)))
    assert offered.find("Gather") is None and offered.find("Record") is not None
    assert "để lại lời nhắn" in _says(offered)


def test_unknown_key_repeats_the_menu(client):
    root = twiml(twilio_post(client, "/hotline/voice/menu", call_params(sid("CA"), Digits="7")))
    assert "không có trong danh sách" in _says(root) and root.find("Gather") is not None


def test_recording_callback_creates_one_operator_queue_item_for_the_caller(client):
    call_sid = sid("CA")
    twilio_post(client, "/hotline/voice", call_params(call_sid))
    twiml(twilio_post(client, "/hotline/voice/recorded", call_params(call_sid, RecordingSid="RE1")))
    params = {"AccountSid": "AC" + "1" * 32, "CallSid": call_sid, "RecordingSid": sid("RE"),
              "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
              "RecordingStatus": "completed", "RecordingDuration": "42", "RecordingChannels": "1"}
    for _ in range(2):  # Twilio retried: still one item
        response = twilio_post(client, "/hotline/voice/recording-status", params)
        assert response.status_code == 204
    item = db.session.scalar(select(IntakeItem))
    assert (item.kind, item.from_phone, item.call_sid, item.recording_sid, item.recording_duration, item.status) == (
        "voicemail", CITIZEN, call_sid, params["RecordingSid"], 42, "open")
    assert item.recording_url == params["RecordingUrl"]
    assert db.session.scalar(select(func.count()).select_from(IntakeItem)) == 1
    # A failed recording makes no item.
    failed = {**params, "RecordingSid": sid("RE"), "RecordingStatus": "failed"}
    assert twilio_post(client, "/hotline/voice/recording-status", failed).status_code == 204
    assert db.session.scalar(select(func.count()).select_from(IntakeItem)) == 1


def test_voice_error_answers_with_a_spoken_apology(client, monkeypatch):
    from feedback.hotline import services

    monkeypatch.setattr(services, "find_case_by_keypad", lambda *a: 1 / 0)
    root = twiml(twilio_post(client, "/hotline/voice/status", call_params(sid("CA"), Digits="7222222222")))
    assert "gặp sự cố" in _says(root)


def test_key_0_in_office_hours_without_an_operator_number_takes_a_message_for_a_call_back(client, app):
    """Finding: with no operator number it said 'outside office hours' even at 09:00 on a Thursday."""
    app.config["SYSTEM_OPERATOR_NUMBER"] = ""
    with time_machine.travel(OFFICE, tick=False):
        root = twiml(twilio_post(client, "/hotline/voice/menu", call_params(sid("CA"), Digits="0")))
    said = _says(root)
    assert "ngoài giờ" not in said
    assert "chưa có tổng đài viên trực" in said and "gọi lại" in said
    assert root.find("Dial") is None and root.find("Record").get("maxLength") == "180"


def test_out_of_hours_message_speaks_the_configured_office_hours(make_app):
    """Finding: key 0 spoke fixed hours (7:30-11:30, 13:30-17:00) whatever OFFICE_HOURS said."""
    app = make_app(OFFICE_HOURS="08:00-12:00,13:00-16:30")
    with app.app_context(), time_machine.travel(EVENING, tick=False):
        root = twiml(twilio_post(app.test_client(), "/hotline/voice/menu", call_params(sid("CA"), Digits="0")))
    said = _says(root)
    assert "từ 8 giờ đến 12 giờ và từ 13 giờ đến 16 giờ 30" in said, said
    assert "7 giờ 30" not in said
    # At 16:45 the configured day is over although the old fixed hours ran to 17:00.
    late = datetime(2026, 11, 26, 9, 45, tzinfo=timezone.utc)
    app.config["SYSTEM_OPERATOR_NUMBER"] = "+842583822222"
    with app.app_context(), time_machine.travel(late, tick=False):
        root = twiml(twilio_post(app.test_client(), "/hotline/voice/menu", call_params(sid("CA"), Digits="0")))
    assert root.find("Dial") is None and "ngoài giờ làm việc" in _says(root)


def test_key_2_reads_the_callers_own_cases_without_any_typing(client):
    """Issue 14: the IVR asked callers to type letters ("chữ P A là phím 7 và phím 2"); elderly callers cannot."""
    first = create_case(channel="voice", description="Phản ánh thứ nhất", contact={"phone": CITIZEN},
                        send_ack=False).complaint
    second = create_case(channel="web", description="Phản ánh thứ hai", contact={"phone": CITIZEN},
                         send_ack=False).complaint
    transition(second, "accepted")
    db.session.commit()
    root = twiml(twilio_post(client, "/hotline/voice/menu", call_params(sid("CA"), Digits="2")))
    said = _says(root)
    assert "Số máy này có 2 phản ánh" in said
    assert " ".join(first.tracking_code) in said and " ".join(second.tracking_code) in said
    assert "Đã thụ lý" in said and "Đã tiếp nhận" in said
    # The statuses come first; typing a code stays possible for another case.
    assert said.index("Số máy này") < said.index("phản ánh khác")
    other = twiml(twilio_post(client, "/hotline/voice/menu", call_params(sid("CA"), from_="+84911000111", Digits="2")))
    assert "Số máy này" not in _says(other) and other.find("Gather") is not None
