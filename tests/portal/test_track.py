"""Following a case: code + secret or a one-time SMS code, timeline, messages, rating the answer."""
import io
import re

import pytest
from sqlalchemy import func, select

from feedback.extensions import db, limiter
from feedback.intake.services import create_case
from feedback.models import Attachment, AuditEvent, CaseEvent, Rating
from tests.portal.helpers import EXE_BYTES, HTML_BYTES, jpeg_bytes, send_answer, setup_directory, upload_files

NEUTRAL = "Mã phản ánh hoặc thông tin xác nhận không đúng. Vui lòng kiểm tra lại."
IDENTITY = ("Trần Thị Bí Mật", "+84905123456", "0905123456", "bimat@example.vn", "198.51.100.20")


@pytest.fixture
def directory(app):
    return setup_directory()


@pytest.fixture
def named_case(directory):
    result = create_case(
        channel="web", description="Cán bộ yêu cầu nộp thêm giấy tờ.", target_unit=directory["tree"]["a"],
        staff=directory["clerk"], contact={"full_name": "Trần Thị Bí Mật", "phone": "+84905123456",
                                           "email": "bimat@example.vn", "ip_address": "198.51.100.20"},
    )
    db.session.commit()
    result.complaint.secret_for_test = result.secret
    return result.complaint


@pytest.fixture
def anonymous_case(directory):
    result = create_case(channel="web", description="Ẩn danh: thái độ hách dịch.", target_unit=directory["tree"]["b"])
    db.session.commit()
    return result.complaint, result.secret


def _open(client, code, secret, follow=True):
    return client.post("/track", data={"code": code, "secret": secret}, follow_redirects=follow)


def test_track_form_asks_for_code_and_key(client, directory):
    page = client.get("/track?code=PA23456789").get_data(as_text=True)
    assert "Tra cứu phản ánh" in page and 'value="PA23456789"' in page
    assert NEUTRAL not in page


def test_anonymous_case_opens_with_code_and_secret_only(client, anonymous_case):
    case, secret = anonymous_case
    assert NEUTRAL in _open(client, case.tracking_code, "WRONG123").get_data(as_text=True)
    assert NEUTRAL in _open(client, "PA99999999", secret).get_data(as_text=True)
    # Neither the code alone nor a guessed URL shows the case.
    assert "Ẩn danh: thái độ" not in client.get(f"/track?code={case.tracking_code}").get_data(as_text=True)
    response = _open(client, case.tracking_code.lower(), secret.lower(), follow=False)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã tiếp nhận" in page and "Ẩn danh: thái độ hách dịch." in page
    assert 'id="case-due"' in page
    # Remembered in this session only.
    assert "Ẩn danh" not in client.application.test_client().get(f"/track?code={case.tracking_code}").get_data(as_text=True)


def test_secret_also_accepted_as_query_parameters(client, anonymous_case):
    case, secret = anonymous_case
    response = client.get(f"/track?code={case.tracking_code}&secret={secret}")
    assert response.status_code == 302
    assert "Ẩn danh: thái độ" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert NEUTRAL in client.application.test_client().get(
        f"/track?code={case.tracking_code}&secret=NOPE").get_data(as_text=True)


def test_a_named_case_opens_with_its_secret_never_with_phone_digits_or_email(app, named_case):
    """Finding: the last 4 phone digits (10,000 keys) or the e-mail opened a case."""
    code = named_case.tracking_code
    for guess in ("3456", "1234", "bimat@example.vn", "BiMat@Example.vn", "0905123456"):
        assert NEUTRAL in _open(app.test_client(), code, guess).get_data(as_text=True), guess
    empty = _open(app.test_client(), code, "")
    assert empty.status_code == 422 and "Vui lòng nhập mã bí mật hoặc mã xác nhận." in empty.get_data(as_text=True)
    assert "Cán bộ yêu cầu" in _open(app.test_client(), code, named_case.secret_for_test).get_data(as_text=True)


def test_a_one_time_code_sent_to_the_complainants_phone_opens_the_case_once(app, named_case):
    from feedback.models import OutboundMessage

    code = named_case.tracking_code
    client = app.test_client()
    sent = client.post("/track", data={"code": code, "send_code": "1"}).get_data(as_text=True)
    assert "mã xác nhận đã được gửi" in sent
    nobody = app.test_client().post("/track", data={"code": "PA99999999", "send_code": "1"}).get_data(as_text=True)
    assert "mã xác nhận đã được gửi" in nobody  # the same words: nothing learnt about the code
    message = db.session.scalar(select(OutboundMessage).where(OutboundMessage.purpose == "secret"))
    assert message.to_address == "+84905123456" and code in message.body
    digits = re.search(r": (\d{6}) ", message.body).group(1)
    assert NEUTRAL in _open(client, code, "000000" if digits != "000000" else "111111").get_data(as_text=True)
    assert "Cán bộ yêu cầu" in _open(client, code, digits).get_data(as_text=True)
    assert NEUTRAL in _open(app.test_client(), code, digits).get_data(as_text=True)  # used once only
    for _ in range(5):  # at most three codes an hour: no SMS bombing through this form
        app.test_client().post("/track", data={"code": code, "send_code": "1"})
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage)
                             .where(OutboundMessage.purpose == "secret")) == 3


def test_identity_never_in_public_pages(app, client, named_case):
    page = _open(client, named_case.tracking_code, named_case.secret_for_test).get_data(as_text=True)
    assert "Cán bộ yêu cầu" in page
    for secret_bit in IDENTITY:
        assert secret_bit not in page
    assert named_case.secret_for_test not in page  # nor the key used to open it


def test_timeline_shows_public_events_only_and_answer_then_rating(client, named_case):
    db.session.add(CaseEvent(complaint=named_case, kind="note", body="GHI CHÚ NỘI BỘ", is_public=False))
    db.session.commit()
    _open(client, named_case.tracking_code, named_case.secret_for_test)
    page = client.get(f"/track?code={named_case.tracking_code}").get_data(as_text=True)
    assert "GHI CHÚ NỘI BỘ" not in page and "routing" not in page
    assert "Phản ánh đã được tiếp nhận." in page
    assert "Câu trả lời của cơ quan" not in page
    send_answer(named_case, body="Đã chấn chỉnh <b>cán bộ</b>.")
    page = client.get(f"/track?code={named_case.tracking_code}").get_data(as_text=True)
    assert 'id="case-status">Đã trả lời' in page
    assert "Đã chấn chỉnh &lt;b&gt;cán bộ&lt;/b&gt;." in page
    assert "Ông/Bà có hài lòng với câu trả lời không?" in page

    response = client.post(f"/track/{named_case.tracking_code}/danh-gia", data={"satisfied": "no", "reason": ""})
    assert response.status_code == 422
    assert "Vui lòng cho biết lý do Ông/Bà chưa hài lòng." in response.get_data(as_text=True)
    assert db.session.scalar(select(Rating)) is None

    response = client.post(f"/track/{named_case.tracking_code}/danh-gia",
                           data={"satisfied": "no", "reason": "Chưa trả lời đúng câu hỏi"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Cảm ơn Ông/Bà đã đánh giá." in page
    assert 'id="answer-rated">Ông/Bà đã đánh giá: <strong>Chưa hài lòng</strong>' in page
    rating = db.session.scalar(select(Rating))
    assert (rating.source, rating.score, rating.comment, rating.complaint_id) == (
        "answer", 2, "Chưa trả lời đúng câu hỏi", named_case.id)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "answer.rated")) is not None
    assert "Người dân đánh giá câu trả lời: Chưa hài lòng." in page  # public timeline line
    # A second rating is refused, once is enough.
    again = client.post(f"/track/{named_case.tracking_code}/danh-gia", data={"satisfied": "yes"}, follow_redirects=True)
    assert "Ông/Bà đã đánh giá câu trả lời này." in again.get_data(as_text=True)
    assert db.session.query(Rating).count() == 1


def test_citizen_disputes_answer_and_the_monitoring_office_is_asked_to_decide(client, named_case):
    send_answer(named_case)
    _open(client, named_case.tracking_code, named_case.secret_for_test)
    page = client.get(f"/track?code={named_case.tracking_code}").get_data(as_text=True)
    assert "Không đồng ý với câu trả lời?" in page
    empty = client.post(f"/track/{named_case.tracking_code}/khong-dong-y", data={"dispute_reason": " "})
    assert empty.status_code == 422
    assert "Vui lòng nêu lý do không đồng ý với câu trả lời." in empty.get_data(as_text=True)
    page = client.post(f"/track/{named_case.tracking_code}/khong-dong-y",
                       data={"dispute_reason": "Cán bộ vẫn đòi giấy tờ <i>ngoài</i> quy định."},
                       follow_redirects=True).get_data(as_text=True)
    assert "Đã gửi đề nghị xem xét lại." in page
    assert "cơ quan theo dõi xem xét và quyết định" in page
    assert "&lt;i&gt;ngoài&lt;/i&gt;" in page and "<i>ngoài" not in page
    db.session.refresh(named_case)
    # The case is not reopened in the same unit by itself: the monitoring office decides (issue 13).
    assert named_case.status == "answered" and named_case.escalated and named_case.escalation_reason == "disputed"
    assert "Không đồng ý với câu trả lời?" not in page
    # Issue 14: the page no longer names the first unit as handling it, but the office now reviewing it.
    office = named_case.unit.monitoring_office()
    assert office is not None
    handler = page.split('id="case-handler">')[1].split("<")[0]
    assert handler == f"{office.name} (đang xem xét lại)" and named_case.unit.name not in handler
    again = client.post(f"/track/{named_case.tracking_code}/khong-dong-y", data={"dispute_reason": "Lần nữa"},
                        follow_redirects=True).get_data(as_text=True)
    assert "đang được xem xét lại" in again


def test_rating_without_answer_refused(client, named_case):
    _open(client, named_case.tracking_code, named_case.secret_for_test)
    page = client.post(f"/track/{named_case.tracking_code}/danh-gia", data={"satisfied": "yes"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Hồ sơ chưa có câu trả lời." in page
    assert db.session.scalar(select(Rating)) is None


def test_citizen_adds_information_with_attachment_and_answers_question(app, client, anonymous_case):
    case, secret = anonymous_case
    _open(client, case.tracking_code, secret)
    db.session.add(CaseEvent(complaint=case, kind="message_out", body="Bạn đến quầy lúc mấy giờ?", is_public=True))
    db.session.commit()
    page = client.get(f"/track?code={case.tracking_code}").get_data(as_text=True)
    assert "Bạn đến quầy lúc mấy giờ?" in page and "Trả lời câu hỏi của cơ quan xử lý" in page
    response = client.post(
        f"/track/{case.tracking_code}/bo-sung",
        data={"message": "Khoảng 9 giờ sáng <script>x</script>", "attachment": (io.BytesIO(jpeg_bytes()), "bien-lai.jpg")},
        content_type="multipart/form-data", follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Đã gửi thông tin bổ sung." in page
    assert "Khoảng 9 giờ sáng &lt;script&gt;x&lt;/script&gt;" in page and "<script>x" not in page
    assert "Trả lời câu hỏi của cơ quan xử lý" not in page
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "message_in"))
    assert event.is_public and event.actor_label == "citizen"
    attachment = db.session.scalar(select(Attachment))
    assert attachment.event_id == event.id and attachment.content_type == "image/jpeg"
    assert attachment.stored_name in upload_files(app.config["UPLOAD_FOLDER"])


def test_add_information_refuses_disguised_file_and_empty_text(app, client, anonymous_case):
    case, secret = anonymous_case
    _open(client, case.tracking_code, secret)
    before = upload_files(app.config["UPLOAD_FOLDER"])
    for content in (EXE_BYTES, HTML_BYTES):
        response = client.post(f"/track/{case.tracking_code}/bo-sung",
                               data={"message": "Xem ảnh", "attachment": (io.BytesIO(content), "anh.jpg")},
                               content_type="multipart/form-data")
        assert response.status_code == 422
        assert 'id="attachment-error">Tệp “anh.jpg” không được chấp nhận' in response.get_data(as_text=True)
    response = client.post(f"/track/{case.tracking_code}/bo-sung", data={"message": "  "})
    assert "Vui lòng nhập nội dung." in response.get_data(as_text=True)
    assert db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "message_in")) is None
    assert upload_files(app.config["UPLOAD_FOLDER"]) == before


def test_actions_need_an_opened_case(client, anonymous_case):
    case, _secret = anonymous_case
    response = client.post(f"/track/{case.tracking_code}/bo-sung", data={"message": "chen ngang"})
    assert response.status_code == 302 and "/track?code=" in response.headers["Location"]
    assert client.post(f"/track/{case.tracking_code}/danh-gia", data={"satisfied": "yes"}).status_code == 302
    assert client.post(f"/track/{case.tracking_code}/khong-dong-y", data={"dispute_reason": "x"}).status_code == 302
    assert db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "message_in")) is None


def test_closed_case_takes_no_more_messages(client, anonymous_case):
    case, secret = anonymous_case
    case.status = "closed"
    db.session.commit()
    _open(client, case.tracking_code, secret)
    assert "Bổ sung thông tin" not in client.get(f"/track?code={case.tracking_code}").get_data(as_text=True)
    page = client.post(f"/track/{case.tracking_code}/bo-sung", data={"message": "thêm"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Hồ sơ đã đóng" in page


@pytest.fixture
def limited_app(make_app, app):
    was_enabled = limiter.enabled
    limited = make_app(RATELIMIT_ENABLED=True)
    limiter.reset()
    yield limited
    limiter.reset()
    limiter.enabled = was_enabled


def test_guessing_is_rate_limited_but_opened_cases_stay_readable(limited_app, anonymous_case):
    case, secret = anonymous_case
    reader = limited_app.test_client()
    assert reader.post("/track", data={"code": case.tracking_code, "secret": secret},
                       environ_base={"REMOTE_ADDR": "203.0.113.10"}).status_code == 302
    client = limited_app.test_client()
    env = {"REMOTE_ADDR": "203.0.113.9"}
    statuses = [client.post("/track", data={"code": case.tracking_code, "secret": f"GUESS{i:03d}"},
                            environ_base=env).status_code for i in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    # Even the right secret is refused until the window passes: guessing gains nothing.
    blocked = client.post("/track", data={"code": case.tracking_code, "secret": secret}, environ_base=env)
    assert blocked.status_code == 429 and "Đã gửi quá nhiều yêu cầu" in blocked.get_data(as_text=True)
    for _ in range(12):  # reading an opened case is not an attempt
        assert reader.get(f"/track?code={case.tracking_code}", environ_base={"REMOTE_ADDR": "203.0.113.10"}).status_code == 200