"""Submitting feedback on the public portal."""
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from feedback.calendar import local_today
from feedback.extensions import db, limiter
from feedback.models import Attachment, AuditEvent, CaseEvent, Complainant, Complaint, OutboundMessage
from tests.portal.helpers import (EXE_BYTES, HTML_BYTES, PDF_BYTES, count_cases, form, jpeg_bytes, png_bytes,
                                  setup_directory, upload_files)


@pytest.fixture
def directory(app):
    return setup_directory()


def _post(client, data, follow=False):
    return client.post("/gui-phan-anh", data=data, content_type="multipart/form-data", follow_redirects=follow)


def test_form_is_vietnamese_with_unit_preselected_from_qr_and_its_staff(client, directory):
    page = client.get("/gui-phan-anh?unit=XA-A").get_data(as_text=True)
    assert "Gửi phản ánh, kiến nghị" in page
    assert 'selected value="XA-A"' in page
    # The staff of the commune's one-stop counter are listed: name, position, counter.
    assert "Lê Thị Hoa — Công chức một cửa (quầy 3" in page
    assert "Phạm Văn Xa" not in page  # another commune's staff
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page).group(1)
    assert len(key) >= 22 and not key.startswith("web:")
    assert client.get("/submit").status_code == 200
    # Public navigation offers the form and tracking.
    home = client.get("/").get_data(as_text=True)
    assert 'href="/gui-phan-anh">Gửi phản ánh' in home and 'href="/track">Tra cứu' in home


def test_submission_with_contact_and_attachments_creates_case_files_and_ack(app, client, directory):
    data = form(category="thai-do", staff=directory["clerk"].public_ref, incident_date=local_today().isoformat(),
                submission_key="test-1-0123456789abcdef")
    data["attachments"] = [(io.BytesIO(jpeg_bytes()), "anh.jpg"), (io.BytesIO(PDF_BYTES), "giay to.pdf")]
    response = _post(client, data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/gui-phan-anh/bien-nhan")
    case = db.session.scalar(select(Complaint))
    assert case.channel == "web" and case.status == "received"
    assert case.staff_id == directory["clerk"].id and case.target_unit.code == "XA-A"
    assert case.category.code == "thai-do" and case.consent_publish is True
    assert case.complainant.phone == "+84905123456" and case.complainant.full_name == "Trần Thị Bí Mật"
    assert case.secret_hash.startswith("hmac$")  # a keyed hash of the case's secret
    files = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert [(f.original_name, f.content_type) for f in files] == [("anh.jpg", "image/jpeg"),
                                                                  ("giay to.pdf", "application/pdf")]
    assert all(len(f.sha256) == 64 and f.stored_name in upload_files(app.config["UPLOAD_FOLDER"]) for f in files)
    assert files[0].stored_name != "anh.jpg"
    message = db.session.scalar(select(OutboundMessage))
    assert message.to_address == "+84905123456" and case.tracking_code in message.body
    receipt = client.get("/gui-phan-anh/bien-nhan").get_data(as_text=True)
    assert case.tracking_code in receipt and "Mã bí mật" in receipt  # every case has one now (issue 11)
    assert "đã được gửi tới số điện thoại hoặc thư điện tử" in receipt
    # Identity never on the public pages.
    assert "Trần Thị Bí Mật" not in receipt and "905" not in receipt


def test_anonymous_submission_shows_secret_once(client, directory):
    response = _post(client, form(contact_mode="anonymous", full_name="Ai Đó", phone="not a phone"), follow=True)
    page = response.get_data(as_text=True)
    case = db.session.scalar(select(Complaint))
    assert case.complainant_id is None and case.secret_hash
    assert db.session.scalar(select(Complainant)) is None  # nothing kept, not even the IP address
    assert case.tracking_code in page and "Mã bí mật" in page
    secret = page.split('id="tracking-secret">')[1].split("<")[0]
    from feedback.intake.services import check_secret

    assert check_secret(case, secret)
    # Issue 14: callers key in digits only; the receipt prints the eight the hotline asks for.
    digits = page.split('id="hotline-digits">')[1].split("<")[0]
    assert re.fullmatch(r"\d{4} \d{4}", digits) and "72" + digits.replace(" ", "") == case.keypad_code
    again = client.get("/gui-phan-anh/bien-nhan").get_data(as_text=True)
    assert case.tracking_code in again and secret not in again
    assert "không thể hiển thị lại" in again
    assert db.session.scalar(select(OutboundMessage)) is None


def test_email_only_contact_and_phone_normalised(client, directory):
    _post(client, form(phone="", email="Dan@Example.VN"))
    assert db.session.scalar(select(Complainant)).email == "dan@example.vn"


@pytest.mark.parametrize("overrides, field, message", [
    ({"description": ""}, "description", "Vui lòng cho biết sự việc đã xảy ra."),
    ({"description": "ngắn"}, "description", "Nội dung cần từ 10 đến 5000 ký tự."),
    ({"description": "x" * 5001}, "description", "Nội dung cần từ 10 đến 5000 ký tự."),
    ({"unit": ""}, "unit", "Vui lòng chọn đơn vị."),
    ({"phone": "12345"}, "phone", "Số điện thoại không hợp lệ. Ví dụ đúng: 0905 123 456."),
    ({"phone": "", "email": ""}, "contact_mode", "Vui lòng nhập số điện thoại hoặc thư điện tử"),
    ({"email": "khong-phai-email", "phone": ""}, "email", "Địa chỉ thư điện tử không hợp lệ."),
    ({"incident_date": (local_today() + timedelta(days=1)).isoformat()}, "incident_date",
     "Ngày xảy ra không thể ở tương lai."),
    ({"staff": "NOTAREF1"}, "staff", "Cán bộ đã chọn không thuộc đơn vị này."),
])
def test_bad_input_answered_next_to_the_field_and_nothing_saved(app, client, directory, overrides, field, message):
    before = upload_files(app.config["UPLOAD_FOLDER"])
    data = form(**overrides)
    data["attachments"] = [(io.BytesIO(png_bytes()), "anh.png")]
    response = _post(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error" role="alert">{message}' in page
    assert count_cases() == 0
    assert upload_files(app.config["UPLOAD_FOLDER"]) == before


def test_staff_of_another_unit_is_refused(client, directory):
    response = _post(client, form(staff=directory["other"].public_ref))
    assert response.status_code == 422 and "không thuộc đơn vị này" in response.get_data(as_text=True)
    assert count_cases() == 0


@pytest.mark.parametrize("content, name", [
    (EXE_BYTES, "anh.jpg"),
    (HTML_BYTES, "anh.jpg"),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "anh.gif"),
    (b"", "trong.png"),
])
def test_disguised_or_unsupported_attachment_refused_nothing_saved(app, client, directory, content, name):
    before = upload_files(app.config["UPLOAD_FOLDER"])
    data = form()
    data["attachments"] = [(io.BytesIO(png_bytes()), "tot.png"), (io.BytesIO(content), name)]
    response = _post(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="attachments-error" role="alert">Tệp “' + name in page
    assert "không được chấp nhận" in page or "trống" in page
    assert count_cases() == 0 and db.session.scalar(select(Attachment)) is None
    assert upload_files(app.config["UPLOAD_FOLDER"]) == before


def test_every_problem_shown_at_once(client, directory):
    data = form(description="", phone="123")
    data["attachments"] = [(io.BytesIO(HTML_BYTES), "trang.pdf")]
    page = _post(client, data).get_data(as_text=True)
    assert "Vui lòng sửa các lỗi được đánh dấu bên dưới." in page
    for field in ("description", "phone", "attachments"):
        assert f'id="{field}-error"' in page
    assert count_cases() == 0


def test_oversize_and_too_many_attachments_refused(app, client, directory, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_ATTACHMENT_BYTES", 2048)
    data = form()
    data["attachments"] = [(io.BytesIO(PDF_BYTES + b"0" * 3000), "lon.pdf")]
    page = _post(client, data).get_data(as_text=True)
    assert 'id="attachments-error" role="alert">Tệp “lon.pdf” quá lớn: tối đa 2 KB mỗi tệp.' in page
    data = form()
    data["attachments"] = [(io.BytesIO(png_bytes()), f"{i}.png") for i in range(4)]
    assert "Chỉ được gửi tối đa 3 tệp." in _post(client, data).get_data(as_text=True)
    assert count_cases() == 0


def test_request_bigger_than_max_content_length_gets_413_page(app, client, directory, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    data = form()
    data["attachments"] = [(io.BytesIO(PDF_BYTES + b"0" * 8000), "lon.pdf")]
    response = _post(client, data)
    assert response.status_code == 413 and "Dữ liệu gửi lên quá lớn" in response.get_data(as_text=True)
    assert count_cases() == 0


def test_script_in_text_fields_is_escaped_everywhere(client, directory):
    script = "<script>alert('x')</script>"
    response = _post(client, form(description="Nội dung " + script, incident_place=script, staff_description=script,
                                  phone="bad", unit_q=script))
    page = response.get_data(as_text=True)
    assert script not in page and "&lt;script&gt;" in page
    _post(client, form(description="Nội dung " + script, incident_place=script, staff_description=script))
    case = db.session.scalar(select(Complaint))
    assert case.description == "Nội dung " + script  # stored as typed
    tracked = client.get(f"/track?code={case.tracking_code}").get_data(as_text=True)
    assert script not in tracked and "Nội dung &lt;script&gt;" in tracked


def test_same_form_sent_twice_creates_one_case_and_same_receipt(client, directory):
    data = form(submission_key="double-1-0123456789abcdef")
    first = _post(client, data, follow=True).get_data(as_text=True)
    second = _post(client, form(submission_key="double-1-0123456789abcdef"), follow=True).get_data(as_text=True)
    assert count_cases() == 1
    code = db.session.scalar(select(Complaint.tracking_code))
    assert code in first and code in second
    assert db.session.query(OutboundMessage).count() == 1


def test_anonymous_form_sent_twice_gets_a_working_secret_on_the_page_shown(client, directory):
    from feedback.intake.services import check_secret

    _post(client, form(contact_mode="anonymous", submission_key="double-2-0123456789abcdef"))
    page = _post(client, form(contact_mode="anonymous", submission_key="double-2-0123456789abcdef"), follow=True).get_data(as_text=True)
    assert count_cases() == 1
    secret = page.split('id="tracking-secret">')[1].split("<")[0]
    assert check_secret(db.session.scalar(select(Complaint)), secret)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.secret_reissued")) is not None


def test_crafted_key_cannot_reach_a_case_of_another_channel(client, directory):
    from feedback.intake.services import create_case

    sms = create_case(channel="sms", description="Tin nhắn phản ánh", submission_key="sms:SM0123456789abcdef",
                      target_unit=directory["tree"]["a"])
    db.session.commit()
    page = _post(client, form(contact_mode="anonymous", submission_key="sms:SM0123456789abcdef"),
                 follow=True).get_data(as_text=True)
    assert count_cases() == 2 and sms.complaint.tracking_code not in page
    _post(client, form(submission_key="SM0123456789abcdef"))
    assert db.session.scalar(select(Complaint).where(Complaint.channel == "web",
                                                     Complaint.submission_key == "web:SM0123456789abcdef"))


def test_likely_duplicate_is_linked_not_dropped(client, directory):
    _post(client, form(submission_key="a-0123456789abcdef"))
    _post(client, form(submission_key="b-0123456789abcdef", description="Lại bị yêu cầu nộp thêm giấy tờ lần thứ hai."))
    first, second = db.session.scalars(select(Complaint).order_by(Complaint.id)).all()
    assert second.related_to_id == first.id


def test_honeypot_pretends_success_and_creates_nothing(app, client, directory):
    before = upload_files(app.config["UPLOAD_FOLDER"])
    data = form(website="http://spam.example")
    data["attachments"] = [(io.BytesIO(png_bytes()), "anh.png")]
    response = _post(client, data, follow=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Phản ánh của Ông/Bà đã được tiếp nhận." in page
    assert 'id="tracking-code">PA' in page
    assert count_cases() == 0 and db.session.scalar(select(Complainant)) is None
    assert db.session.scalar(select(OutboundMessage)) is None
    assert upload_files(app.config["UPLOAD_FOLDER"]) == before


def test_unit_search_without_javascript_folds_accents(client, directory):
    page = client.post("/gui-phan-anh", data=form(unit="", unit_q="nha trang", find_unit="Tìm đơn vị"),
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Phường Nha Trang" in page and "Xã Cam Lâm" not in page
    assert "Tìm thấy 2 đơn vị." in page
    assert count_cases() == 0
    page = client.post("/gui-phan-anh", data=form(unit="XA-B", unit_q="CAM LAM", load_staff="1"),
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Phạm Văn Xa — Công chức tư pháp" in page and "Lê Thị Hoa" not in page
    assert count_cases() == 0 and 'class="error"' not in page


def test_unit_and_staff_json_endpoints_return_public_fields_only(client, directory):
    units = client.get("/api/units?q=nha trang").get_json()["units"]
    assert [u["code"] for u in units] == ["XA-A", "XA-A-MC"]
    assert [u["code"] for u in client.get("/api/units?q=Cam Lâm").get_json()["units"]] == ["XA-B"]
    data = client.get("/api/units/XA-A/staff").get_json()
    assert data["unit"] == {"code": "XA-A", "name": "Phường Nha Trang"}
    assert data["staff"] == [{
        "public_ref": directory["clerk"].public_ref, "full_name": "Lê Thị Hoa", "position": "Công chức một cửa",
        "counter_number": "3", "unit_name": "Bộ phận Một cửa phường Nha Trang",
    }]
    missing = client.get("/api/units/NOPE/staff")
    assert missing.status_code == 404 and missing.get_json()["status"] == 404


def test_inactive_staff_not_listed_nor_accepted(client, directory):
    directory["clerk"].active = False
    db.session.commit()
    assert client.get("/api/units/XA-A/staff").get_json()["staff"] == []
    assert _post(client, form(staff=directory["clerk"].public_ref)).status_code == 422


def test_english_form(client, directory):
    client.get("/lang/en")
    response = _post(client, form(submission_key="en-0123456789abcdef"))
    assert db.session.scalar(select(Complaint)).language == "en"
    assert response.status_code == 302


def test_created_event_and_attachment_event_written(client, directory):
    data = form()
    data["attachments"] = [(io.BytesIO(png_bytes()), "anh.png")]
    _post(client, data)
    kinds = db.session.scalars(select(CaseEvent.kind).order_by(CaseEvent.id)).all()
    assert kinds[0] == "created" and "attachment" in kinds


@pytest.fixture
def limited_app(make_app, app):
    """An app with rate limits on; the shared limiter is put back afterwards."""
    was_enabled = limiter.enabled
    limited = make_app(RATELIMIT_ENABLED=True)
    limiter.reset()
    yield limited
    limiter.reset()
    limiter.enabled = was_enabled


def test_burst_of_submissions_is_rate_limited_with_vietnamese_page(limited_app, directory):
    client = limited_app.test_client()
    statuses = [
        client.post("/gui-phan-anh", data=form(submission_key=f"burst-{i}-0123456789abcdef", description=f"Phản ánh số {i} về thái độ."),
                    content_type="multipart/form-data", environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code
        for i in range(7)
    ]
    assert statuses[:5] == [302] * 5 and statuses[5:] == [429, 429]
    page = client.post("/gui-phan-anh", data=form(), content_type="multipart/form-data",
                       environ_base={"REMOTE_ADDR": "203.0.113.7"}).get_data(as_text=True)
    assert "Đã gửi quá nhiều yêu cầu" in page
    assert count_cases() == 5
    # Another address is not affected; the no-JavaScript search step does not count.
    other = client.post("/gui-phan-anh", data=form(submission_key="other-0123456789abcdef"), content_type="multipart/form-data",
                        environ_base={"REMOTE_ADDR": "203.0.113.8"})
    assert other.status_code == 302
    step = client.post("/gui-phan-anh", data=form(find_unit="1", unit_q="nha"), content_type="multipart/form-data",
                       environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert step.status_code == 200


def test_post_without_csrf_token_is_refused(make_app, app, directory):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = client.post("/gui-phan-anh", data=form(), content_type="multipart/form-data")
    assert response.status_code == 400 and "biểu mẫu không hợp lệ" in response.get_data(as_text=True)
    assert count_cases() == 0


def test_units_are_chosen_by_commune_then_office(client, directory):
    """Issue 14: ~140 "UBND …", "Bộ phận Một cửa …", "Phòng …" entries in code order; the xã/phường comes first."""
    from tests import factories

    province = directory["tree"]["province"]
    van_ninh = factories.unit("KH-22489", "UBND xã Vạn Ninh", kind="commune", parent=province)
    factories.unit("KH-22489-VHXH", "Phòng Văn hóa - Xã hội xã Vạn Ninh", kind="office", parent=van_ninh)
    factories.unit("KH-22489-MC", "Trung tâm Phục vụ hành chính công xã Vạn Ninh", kind="one_stop", parent=van_ninh)
    db.session.commit()
    page = client.get("/gui-phan-anh").get_data(as_text=True)
    select_html = page.split('<select', 1)[1].split("</select>")[0]
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select_html, re.S)
    labels = [label for label, _options in groups]
    # The province's bodies first, then each place by its name (Cam Lâm, Nha Trang, Vạn Ninh), not by code.
    assert labels == ["Cơ quan cấp tỉnh", "Xã Cam Lâm", "Phường Nha Trang", "Xã Vạn Ninh"]
    van_ninh_options = re.findall(r'<option[^>]*value="([^"]+)"', dict(groups)["Xã Vạn Ninh"])
    # Within the place: its service centre first, then the UBND, then its offices.
    assert van_ninh_options == ["KH-22489-MC", "KH-22489", "KH-22489-VHXH"]
    assert "Sở Nội vụ" in dict(groups)["Cơ quan cấp tỉnh"]
    # The placeholder stands outside every group; a choice is still required.
    assert select_html.index("— Chọn đơn vị —") < select_html.index("<optgroup")
    # Searching (without JavaScript) keeps the grouping of what it finds.
    found = client.post("/gui-phan-anh", data=form(unit="", unit_q="van ninh", find_unit="Tìm đơn vị"),
                        content_type="multipart/form-data").get_data(as_text=True)
    assert re.findall(r'<optgroup label="([^"]+)">', found) == ["Xã Vạn Ninh"]


def test_a_post_that_creates_the_case_builds_no_lists_it_does_not_show(client, directory, monkeypatch):
    """Issue 16: the portal POST rebuilt the whole unit list (6.6 ms) for a response that only redirects."""
    from feedback.portal import services as portal_services

    calls = []
    original = portal_services.public_units
    monkeypatch.setattr(portal_services, "public_units", lambda *a, **k: calls.append(1) or original(*a, **k))
    response = _post(client, form())
    assert response.status_code == 302 and count_cases() == 1 and calls == []
    # A form sent back with an error still lists every unit.
    again = _post(client, form(description="", submission_key="another-key-0123456789"))
    assert again.status_code == 422 and calls and "Phường Nha Trang" in again.get_data(as_text=True)
