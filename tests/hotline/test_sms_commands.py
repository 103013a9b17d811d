"""SMS commands are recognised only in their exact form; every other text is a complaint (issue 12)."""
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.hotline.services import command_of
from feedback.models import Complaint, IntakeItem
from feedback.models.base import CODE_ALPHABET
from tests.hotline.conftest import sms_params, sms_text, twilio_post

# How real complaints begin, including the words our commands are made of.
OPENINGS = ["Trả hồ sơ chậm quá", "Trả lại hồ sơ không lý do", "Tra cứu giúp tôi hồ sơ đất", "Trà nước",
            "Dừng xe trước cổng UBND", "Dừng tiếp nhận hồ sơ giữa giờ", "Hướng dẫn viên một cửa",
            "Hướng dẫn sai thủ tục", "Huỷ hẹn không báo", "Bắt đầu từ tháng trước", "Stop làm khó dân",
            "Help me", "Tra PA hồ sơ", "TRA HO SO", "Trả lời chậm", "TRA CUU HO SO DAT"]
WORDS = ["cán bộ", "hồ sơ", "chậm", "quá", "nhũng nhiễu", "một cửa", "xã Vạn Ninh", "phường", "ko", "dc", "j",
         "đòi", "tiền", "3 lần", "bổ sung", "giấy tờ", "thái độ", "quầy 2", "anh", "chị", "ngày 12/11"]


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(opening=st.sampled_from(OPENINGS), rest=st.lists(st.sampled_from(WORDS), max_size=8))
@example(opening="Trả hồ sơ chậm quá", rest=[])
def test_no_real_opening_is_read_as_a_command(app, opening, rest):
    text = " ".join([opening, *rest])
    assert command_of(text) == (None, None), text


code_chars = st.text(alphabet=CODE_ALPHABET, min_size=8, max_size=8)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=code_chars, head=st.sampled_from(["TRA", "tra", "Tra cứu", "TRA CỨU:", "tra cuu -", "Trả", "TRA:"]),
       spaced=st.booleans(), lower=st.booleans())
def test_tra_with_a_code_in_any_usual_writing_is_the_status_command(app, code, head, spaced, lower):
    typed = f"PA {code[:4]}-{code[4:]}" if spaced else f"PA{code}"
    if lower:
        typed = typed.lower()
    assert command_of(f"{head} {typed}") == ("status", "PA" + code)


def test_a_complaint_starting_with_tra_opens_a_case(client):
    """Finding: 'Trả hồ sơ chậm quá' was answered 'Không tìm thấy phản ánh mã HOSOCHAMQUA' and lost."""
    text = "Trả hồ sơ chậm quá, cán bộ không giải thích gì"
    reply = sms_text(twilio_post(client, "/hotline/sms", sms_params(text)))
    case = db.session.scalar(select(Complaint))
    assert case is not None and case.description == text
    assert case.tracking_code in reply and "Không tìm thấy" not in reply
    short = sms_text(twilio_post(client, "/hotline/sms", sms_params("Trả hồ sơ chậm")))
    assert "Không tìm thấy" not in short
    assert db.session.scalar(select(IntakeItem.body)) == "Trả hồ sơ chậm"


@pytest.mark.parametrize("text", ["TRA", "tra", "Tra cứu", "TRA CUU:", "Trả"])
def test_tra_alone_answers_how_to_use_it(client, text):
    """Finding: TRA with no code went to the operator queue instead of a usage hint."""
    reply = sms_text(twilio_post(client, "/hotline/sms", sms_params(text)))
    assert "TRA PA" in reply and "mã phản ánh" in reply
    assert db.session.scalar(select(func.count()).select_from(IntakeItem)) == 0
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0


def test_a_code_shaped_like_words_stays_a_complaint(client):
    """Eight letters after TRA in separate words are Vietnamese, not a code (no digit, no PA)."""
    text = "TRA HO SO CHAM QUA roi, can bo o quay 3 khong nhan"
    twilio_post(client, "/hotline/sms", sms_params(text))
    assert db.session.scalar(select(Complaint.description)) == text
