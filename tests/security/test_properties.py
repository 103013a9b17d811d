"""Property-based tests (hypothesis) of the parsers and normalisers that hostile input reaches first:
phone numbers, SMS words and codes, tracking codes, search queries, cursors and redaction."""
import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.hotline import services as sms
from feedback.kiosk.services import normalise_phone as kiosk_phone
from feedback.portal.forms import normalise_phone as form_phone
from feedback.portal.services import normalise_code
from feedback.publication.search import MAX_QUERY_TERMS, decode_cursor, terms
from feedback.redaction import PLACEHOLDER, redact
from feedback.text import fold

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậđeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
TEXT = st.text(alphabet=st.sampled_from(VIETNAMESE + VIETNAMESE.upper() + string.printable + "\x00\u202e\ufeff"))


@SETTINGS
@given(st.text())
def test_phone_normalisers_give_e164_or_refuse_plainly(raw):
    for normalise in (form_phone, kiosk_phone):
        try:
            phone = normalise(raw)
        except ValueError:
            continue
        assert phone is None or re.fullmatch(r"\+\d{7,15}", phone)
        if phone:
            assert normalise(phone) == phone  # idempotent


@SETTINGS
@given(st.from_regex(r"0[35789][0-9]{8}", fullmatch=True), st.sampled_from(["", " ", ".", "-"]))
def test_vietnamese_mobiles_in_any_spacing_are_one_number(digits, sep):
    spaced = sep.join([digits[:4], digits[4:7], digits[7:]])
    try:
        expected = form_phone(digits)
    except ValueError:
        return
    assert form_phone(spaced) == expected == "+84" + digits[1:]


@SETTINGS
@given(st.text())
def test_tracking_codes_normalise_to_letters_and_digits_only(raw):
    code = normalise_code(raw)
    assert re.fullmatch(r"[0-9A-Z]{0,16}", code) and normalise_code(code) == code


@SETTINGS
@given(TEXT)
def test_sms_folding_is_plain_ascii_and_stable(body):
    folded = sms.fold(body)
    assert folded == folded.upper() and "  " not in folded
    assert all(c.isascii() or not c.isalpha() for c in folded if c not in "ÐĐ")
    assert sms.fold(folded) == folded


@SETTINGS
@given(TEXT)
def test_search_terms_are_folded_bounded_and_never_raise(q):
    words = terms(q)
    assert len(words) <= MAX_QUERY_TERMS
    assert all(w == fold(w) for w in words)
    assert fold("Thái độ ĐÃ") == "thai do da"


@SETTINGS
@given(st.text(max_size=200))
def test_a_crafted_cursor_is_refused_not_an_error(cursor):
    from datetime import datetime

    assert decode_cursor(cursor, [datetime, int]) is None or len(decode_cursor(cursor, [datetime, int])) == 2


@pytest.fixture
def context(app):
    return app


@SETTINGS
@given(TEXT, st.from_regex(r"0[35789][0-9]{8}", fullmatch=True), st.from_regex(r"0[0-9]{11}", fullmatch=True))
def test_redaction_never_lets_a_phone_or_id_number_through(context, text, phone, id_number):
    body = f"{text} gọi {phone[:4]} {phone[4:7]} {phone[7:]} hoặc CCCD {id_number}. {text}"
    out = redact(body)
    assert phone not in re.sub(r"\D", "", out) and id_number not in re.sub(r"\D", "", out)
    assert PLACEHOLDER in out
    assert redact(out) == out  # redacting twice changes nothing more
