import re

import pytest
from sqlalchemy import func, select

from feedback.audit import verify_chain
from feedback.extensions import db
from feedback.models import AuditEvent, CaseEvent, Complaint, OutboundMessage
from tests import factories
from tests.conftest import login


@pytest.fixture
def office(app):
    tree = factories.province_tree()
    operator = factories.user("operator", None, full_name="Hồ Thị Tổng Đài")
    clerk = factories.staff(tree["counter_a"], "Trần Thị Lan", counter_number="3")
    other = factories.staff(tree["b"], "Võ Minh Tâm")
    attitude = factories.category("attitude", name_vi="Thái độ không đúng mực", is_misconduct=True)
    db.session.commit()
    return {"tree": tree, "operator": operator, "clerk": clerk, "other": other, "attitude": attitude}


def call_form(office, **overrides):
    data = {
        "nonce": "a1b2c3d4e5f60718",
        "channel": "operator",
        "caller_phone": "0905 123 456",
        "caller_name": "Nguyễn Văn Dân",
        "unit_id": str(office["tree"]["counter_a"].id),
        "staff_id": str(office["clerk"].id),
        "category_id": str(office["attitude"].id),
        "description": "Cán bộ quầy 3 quát tháo, không hướng dẫn hồ sơ.",
        "incident_date": "2026-11-20",
        "incident_place": "Bộ phận Một cửa phường Nha Trang",
        "consent_publish": "y",
    }
    data.update(overrides)
    return data


def case_count():
    return db.session.scalar(select(func.count(Complaint.id)))


def test_operator_logs_a_call(client, office):
    login(client, office["operator"])
    page = client.get("/console/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Ghi nhận phản ánh" in html and "Phường Nha Trang" in html and "Tổng đài" in html
    response = client.post("/console/", data=call_form(office))
    assert response.status_code == 302
    case = db.session.scalar(select(Complaint))
    assert response.headers["Location"].endswith(f"/console/cases/{case.tracking_code}")
    assert case.channel == "operator" and case.created_by_id == office["operator"].id
    assert case.staff_id == office["clerk"].id and case.category_id == office["attitude"].id
    assert case.complainant.phone == "+84905123456" and case.complainant.full_name == "Nguyễn Văn Dân"
    assert case.incident_date.isoformat() == "2026-11-20" and case.consent_publish is True
    created = db.session.scalar(select(CaseEvent).where(CaseEvent.complaint_id == case.id, CaseEvent.kind == "created"))
    assert created.actor_id == office["operator"].id
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.created"))
    assert audit.actor_id == office["operator"].id
    assert db.session.scalar(select(OutboundMessage)).to_address == "+84905123456"
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert case.tracking_code in shown and "Đã tiếp nhận" in shown and "Hồ Thị Tổng Đài" in shown
    assert verify_chain() == (True, None)


def test_the_same_form_sent_twice_makes_one_case(client, office):
    login(client, office["operator"])
    first = client.post("/console/", data=call_form(office))
    second = client.post("/console/", data=call_form(office))
    assert first.headers["Location"] == second.headers["Location"]
    assert case_count() == 1
    third = client.post("/console/", data=call_form(office, nonce="ffffeeee00001111"))
    assert third.status_code == 302 and case_count() == 2


def test_anonymous_walk_in_gets_a_secret_shown_once(client, office):
    login(client, office["operator"])
    response = client.post("/console/", data=call_form(office, channel="counter", caller_phone="", caller_name="",
                                                       staff_id="", category_id=""))
    case = db.session.scalar(select(Complaint))
    assert case.channel == "counter" and case.complainant_id is None and case.staff_id is None
    first = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "mã bí mật" in first and "Ẩn danh" in first
    second = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "mã bí mật" not in second


def test_staff_alone_implies_the_unit_and_a_call_without_unit_goes_to_triage(client, office):
    login(client, office["operator"])
    client.post("/console/", data=call_form(office, unit_id=""))
    case = db.session.scalar(select(Complaint))
    assert case.target_unit_id == office["tree"]["counter_a"].id
    client.post("/console/", data=call_form(office, unit_id="", staff_id="", nonce="0000111122223333"))
    triage = db.session.scalars(select(Complaint).order_by(Complaint.id.desc())).first()
    assert triage.unit_id is None and triage.target_unit_id is None


@pytest.mark.parametrize("overrides, message", [
    ({"caller_phone": "12345"}, "Số điện thoại không hợp lệ"),
    ({"description": ""}, "Vui lòng nhập nội dung phản ánh"),
    ({"description": "ngắn"}, "Nội dung phải dài từ 10 đến 5000 ký tự"),
    ({"incident_date": "2999-01-01"}, "Ngày xảy ra không được ở tương lai"),
    ({"channel": "web"}, "Vui lòng chọn hình thức tiếp nhận"),
    ({"nonce": ""}, "Biểu mẫu không hợp lệ"),
])
def test_bad_input_is_answered_next_to_the_field(client, office, overrides, message):
    login(client, office["operator"])
    response = client.post("/console/", data=call_form(office, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert case_count() == 0


def test_staff_of_another_unit_is_refused(client, office):
    login(client, office["operator"])
    response = client.post("/console/", data=call_form(office, staff_id=str(office["other"].id)))
    assert response.status_code == 400
    assert "Cán bộ này không thuộc đơn vị đã chọn" in response.get_data(as_text=True)
    assert case_count() == 0


def test_script_in_text_is_shown_escaped(client, office):
    login(client, office["operator"])
    response = client.post("/console/", data=call_form(office, description="<script>alert('x')</script> quát tháo dân"))
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


@pytest.mark.parametrize("role", ["handler", "unit_head", "monitor"])
def test_other_roles_are_refused(client, office, role):
    user = factories.user(role, office["tree"]["a"])
    db.session.commit()
    login(client, user)
    for path in ("/console/", "/console/queue", "/console/search?q=0905123456"):
        assert client.get(path).status_code == 403
    assert client.post("/console/", data=call_form(office)).status_code == 403
    assert case_count() == 0


def test_signed_out_visitors_are_sent_to_login(client, office):
    response = client.get("/console/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_form_posts_need_a_csrf_token(app, client, office):
    login(client, office["operator"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/console/", data=call_form(office))
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400 and case_count() == 0


def test_staff_picker_lists_the_unit_staff(client, office):
    login(client, office["operator"])
    data = client.get(f"/console/units/{office['tree']['counter_a'].id}/staff.json").get_json()
    assert [s["id"] for s in data["staff"]] == [office["clerk"].id]
    assert client.get("/console/units/999999/staff.json").status_code == 404


# --- the queue ---------------------------------------------------------------------------------

def test_queue_lists_open_items_oldest_first(client, office):
    first = factories.intake_item("voicemail")
    second = factories.intake_item("sms", body="Cán bộ xã Cam Lâm đòi tiền", message_sid="SM1")
    done = factories.intake_item("sms", body="đã xong", message_sid="SM2", status="dismissed")
    db.session.commit()
    login(client, office["operator"])
    html = client.get("/console/queue").get_data(as_text=True)
    assert html.index(f"item-{first.id}") < html.index(f"item-{second.id}")
    assert f"item-{done.id}" not in html
    assert f'<audio controls preload="none" src="/console/queue/{first.id}/recording"' in html
    assert "Cán bộ xã Cam Lâm đòi tiền" in html


def test_queue_item_is_converted_once(client, office):
    item = factories.intake_item("voicemail", from_phone="+84905111222")
    db.session.commit()
    login(client, office["operator"])
    page = client.get(f"/console/queue/{item.id}").get_data(as_text=True)
    assert "+84905111222" in page and f"/console/queue/{item.id}/recording" in page
    form = call_form(office, caller_phone="+84905111222", description="Lời nhắn: cán bộ quầy 3 thái độ hách dịch.")
    form.pop("nonce")
    form.pop("channel")
    first = client.post(f"/console/queue/{item.id}", data=form)
    second = client.post(f"/console/queue/{item.id}", data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert case_count() == 1
    case = db.session.scalar(select(Complaint))
    db.session.refresh(item)
    assert item.status == "converted" and item.complaint_id == case.id
    assert item.handled_by_id == office["operator"].id and item.handled_at is not None
    assert case.channel == "voice" and case.submission_key == f"intake:{item.id}"
    assert case.created_by_id == office["operator"].id and case.complainant.phone == "+84905111222"
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "intake.converted")) == 1
    # Dismissing it afterwards is refused.
    response = client.post(f"/console/queue/{item.id}/dismiss", data={"reason": "nhầm"}, follow_redirects=True)
    assert "đã được xử lý" in response.get_data(as_text=True)
    db.session.refresh(item)
    assert item.status == "converted"


def test_service_converts_once_even_when_called_twice(app, office):
    from feedback.console.services import CaseInput, convert_item

    item = factories.intake_item("sms", body="Phản ánh cán bộ", message_sid="SM9")
    db.session.commit()
    data = CaseInput(description="Phản ánh cán bộ quầy 3", caller_phone=item.from_phone)
    first = convert_item(item.id, data, operator=office["operator"])
    db.session.commit()
    second = convert_item(item.id, data, operator=office["operator"])
    assert second.created is False and second.complaint.id == first.complaint.id
    assert first.complaint.channel == "sms"
    assert db.session.scalar(select(func.count(Complaint.id))) == 1


def test_queue_item_is_dismissed_with_a_reason(client, office):
    item = factories.intake_item("sms", body="QC vay tiền nhanh", message_sid="SM3")
    db.session.commit()
    login(client, office["operator"])
    refused = client.post(f"/console/queue/{item.id}/dismiss", data={"reason": ""})
    assert refused.status_code == 400 and "Vui lòng nhập lý do bỏ qua" in refused.get_data(as_text=True)
    response = client.post(f"/console/queue/{item.id}/dismiss", data={"reason": "Tin nhắn quảng cáo"})
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.status == "dismissed" and item.dismiss_reason == "Tin nhắn quảng cáo"
    assert item.handled_by_id == office["operator"].id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "intake.dismissed"))
    assert event.data["reason"] == "Tin nhắn quảng cáo"
    assert f"item-{item.id}" not in client.get("/console/queue").get_data(as_text=True)
    # A dismissed item cannot become a case.
    form = call_form(office)
    form.pop("nonce")
    client.post(f"/console/queue/{item.id}", data=form)
    assert case_count() == 0


def test_recording_is_fetched_from_twilio_with_credentials_or_linked(app, client, office, monkeypatch):
    import requests

    item = factories.intake_item("voicemail", recording_url="https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1")
    elsewhere = factories.intake_item("voicemail", recording_url="https://evil.example/RE2")
    db.session.commit()
    login(client, office["operator"])
    # Without Twilio credentials the browser is sent to the URL itself.
    response = client.get(f"/console/queue/{item.id}/recording")
    assert response.status_code == 302 and response.headers["Location"] == item.recording_url
    calls = []

    class Answer:
        status_code = 200
        content = b"ID3-audio"
        headers = {"Content-Type": "audio/mpeg"}

    def fake_get(url, auth=None, timeout=None):
        calls.append((url, auth))
        return Answer()

    monkeypatch.setattr(requests, "get", fake_get)
    monkeypatch.setitem(app.config, "TWILIO_ACCOUNT_SID", "AC1")
    response = client.get(f"/console/queue/{item.id}/recording")
    assert response.status_code == 200 and response.data == b"ID3-audio" and response.mimetype == "audio/mpeg"
    assert calls == [(item.recording_url + ".mp3", ("AC1", app.config["TWILIO_AUTH_TOKEN"]))]
    # Only Twilio's host is ever fetched with the account's credentials.
    response = client.get(f"/console/queue/{elsewhere.id}/recording")
    assert response.status_code == 302 and len(calls) == 1
    handler = factories.user("handler", office["tree"]["a"])
    db.session.commit()
    login(client, handler)
    assert client.get(f"/console/queue/{item.id}/recording").status_code == 403


# --- search -------------------------------------------------------------------------------------

def test_search_by_code_and_by_phone(client, office):
    login(client, office["operator"])
    client.post("/console/", data=call_form(office))
    client.post("/console/", data=call_form(office, nonce="1234567890abcdef", description="Lần thứ hai gọi về việc cũ."))
    client.post("/console/", data=call_form(office, nonce="abcdef1234567890", caller_phone="0912 000 111"))
    cases = db.session.scalars(select(Complaint).order_by(Complaint.id)).all()
    code = cases[0].tracking_code
    found = client.get(f"/console/search?q={code.lower()}")
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/console/cases/{code}")
    html = client.get(found.headers["Location"]).get_data(as_text=True)
    assert "Đã tiếp nhận" in html and "Bộ phận Một cửa phường Nha Trang" in html
    assert cases[0].answer_due_at.strftime("%d/%m/%Y") in html or "Hạn trả lời" in html
    assert "+84905123456" in html  # operators are intake side: they see the contact
    by_phone = client.get("/console/search?q=+84 905 123 456").get_data(as_text=True)
    assert cases[0].tracking_code in by_phone and cases[1].tracking_code in by_phone
    assert cases[2].tracking_code not in by_phone
    assert "2 phản ánh" in by_phone
    local = client.get("/console/search?q=0905.123.456").get_data(as_text=True)
    assert cases[0].tracking_code in local
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "console.search_phone")) is not None
    assert "Không tìm thấy" in client.get("/console/search?q=PAZZZZZZZZ").get_data(as_text=True)
    assert "Không nhận ra" in client.get("/console/search?q=xin chào").get_data(as_text=True)
    assert client.get("/console/cases/PANOTHERE").status_code == 404


def test_operator_of_a_unit_only_finds_cases_of_that_unit(client, office):
    login(client, office["operator"])
    client.post("/console/", data=call_form(office))
    code = db.session.scalar(select(Complaint.tracking_code))
    commune_operator = factories.user("operator", office["tree"]["b"])
    db.session.commit()
    login(client, commune_operator)
    assert client.get(f"/console/cases/{code}").status_code == 404
    assert code not in client.get("/console/search?q=0905123456").get_data(as_text=True)


def test_timeline_shows_public_events_only(client, office):
    login(client, office["operator"])
    response = client.post("/console/", data=call_form(office))
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', html, re.S).group(1)
    assert "Đã tiếp nhận" in timeline and "staff_unit" not in timeline  # the routing event is internal
