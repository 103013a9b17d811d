"""What SMS cost: segments of every standard reply, the no-diacritics setting, Twilio's opt-out (issue 12)."""
import pytest
from sqlalchemy import select

from feedback.extensions import db
from feedback.hotline.replies import ONE_SEGMENT, cost_table, standard_texts
from feedback.messaging import queue_message
from feedback.models import OutboundMessage, SmsOptOut
from feedback.models.hotline import InboundSms
from feedback.sms import cost
from tests import factories
from tests.conftest import login
from tests.hotline.conftest import CITIZEN, sms_params, sms_text, twilio_post, twiml

LONG = "Cán bộ một cửa phường Nha Trang yêu cầu nộp thêm giấy tờ không có trong hồ sơ"
PROVINCE_URL = "https://phananh.khanhhoa.gov.vn"  # the length of a real address matters to texts with a link


def test_segment_arithmetic_matches_gsm_and_ucs2():
    assert cost("a" * 160).segments == 1 and cost("a" * 161).segments == 2 and cost("a" * 306).segments == 2
    assert cost("ấ" * 70).segments == 1 and cost("ấ" * 71).segments == 2 and cost("ấ" * 134).segments == 2
    assert cost("ấ" * 135).segments == 3
    assert cost("[]" * 40).units == 160 and cost("€").encoding == "GSM-7"  # extension characters count twice
    assert cost("Đã nhận").encoding == "UCS-2" and cost("Da nhan").encoding == "GSM-7"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_standard_sms_fits_one_segment_where_it_can_and_never_more_than_two(app, monkeypatch, language):
    """Finding: the acknowledgement was 155-165 characters (3 segments), HELP 175 (3), STOP 85 (2)."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", PROVINCE_URL)
    texts = standard_texts(language)
    assert {name for name, _label, _text in texts} >= ONE_SEGMENT | {"ack_secret", "rating_request"}
    for name, _label, text in texts:
        limit = 1 if name in ONE_SEGMENT else 2
        assert cost(text).segments <= limit, (name, len(text), text)


def test_without_diacritics_every_standard_sms_is_one_gsm_segment(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", PROVINCE_URL)
    monkeypatch.setitem(app.config, "SMS_WITHOUT_DIACRITICS", True)
    for name, _label, text in standard_texts("vi"):
        assert cost(text).encoding == "GSM-7" and cost(text).segments == 1, (name, text)


def test_the_setting_strips_diacritics_from_replies_and_outbox_messages(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_WITHOUT_DIACRITICS", True)
    reply = sms_text(twilio_post(client, "/hotline/sms", sms_params(LONG)))
    assert reply.startswith("Da nhan phan anh PA") and reply.isascii()
    message = queue_message(CITIZEN, "Phản ánh PA23456789 đã được thụ lý, hạn trả lời 12/12/2026.", "notice")
    db.session.commit()
    assert message.body == "Phan anh PA23456789 da duoc thu ly, han tra loi 12/12/2026."


def test_the_admin_outbox_shows_each_message_and_template_with_its_segment_count(client, app):
    queue_message(CITIZEN, "Phản ánh PA23456789: " + "rất dài " * 20, "notice")
    admin = factories.user("admin")
    db.session.commit()
    login(client, admin)
    page = client.get("/hotline/outbox").get_data(as_text=True)
    assert "Số SMS" in page and "Chi phí các tin nhắn mẫu" in page
    for row in cost_table():
        assert f'id="template-{row.name}"' in page
    assert ">3</span>" in page  # the long notice: 180 UCS-2 characters, 3 segments


@pytest.mark.parametrize("kind,stored", [("STOP", True), ("START", False)])
def test_with_twilios_advanced_opt_out_we_record_it_and_send_no_second_reply(client, app, monkeypatch, kind, stored):
    """Finding: where Twilio answers STOP/START/HELP itself, our replies were blocked or doubled."""
    monkeypatch.setitem(app.config, "TWILIO_ADVANCED_OPT_OUT", True)
    params = sms_params("Stop" if kind == "STOP" else "Start")
    params["OptOutType"] = kind
    root = twiml(twilio_post(client, "/hotline/sms", params))
    assert list(root.iter("Message")) == []  # Twilio has answered already
    assert db.session.get(SmsOptOut, CITIZEN).opted_out is stored
    assert db.session.scalar(select(InboundSms.kind)) == kind.lower()
    # Twilio retrying the webhook gets the same (empty) answer and changes nothing.
    again = twiml(twilio_post(client, "/hotline/sms", params))
    assert list(again.iter("Message")) == []


def test_with_advanced_opt_out_help_gets_no_second_reply_and_our_own_words_still_work(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_ADVANCED_OPT_OUT", True)
    params = sms_params("HELP")
    params["OptOutType"] = "HELP"
    assert list(twiml(twilio_post(client, "/hotline/sms", params)).iter("Message")) == []
    # A Vietnamese keyword Twilio was not told about: we answer, and suppress our own sends.
    reply = sms_text(twilio_post(client, "/hotline/sms", sms_params("DỪNG")))
    assert "Đã ngừng gửi tin" in reply and db.session.get(SmsOptOut, CITIZEN).opted_out is True
    assert queue_message(CITIZEN, "x", "notice").status == "suppressed"


def test_without_the_setting_optouttype_is_ignored_and_we_answer(client):
    params = sms_params("STOP")
    params["OptOutType"] = "STOP"
    assert "Đã ngừng gửi tin" in sms_text(twilio_post(client, "/hotline/sms", params))
    assert db.session.scalar(select(OutboundMessage.id)) is None
