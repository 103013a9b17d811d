"""Inbound SMS: signatures, commands, cases, replies, duplicates."""
import threading

from sqlalchemy import func, select
from werkzeug.serving import make_server

from feedback.calendar import to_local
from feedback.cases.workflow import transition
from feedback.extensions import db
from feedback.intake.services import create_case
from feedback.messaging import queue_message
from feedback.models import CaseEvent, Complaint, IntakeItem, OutboundMessage, SmsOptOut
from feedback.models.hotline import InboundSms
from tests.hotline.conftest import CITIZEN, PUBLIC, sid, signature, sms_params, sms_text, twilio_post

LONG = "Cán bộ một cửa phường Nha Trang yêu cầu nộp thêm giấy tờ không có trong hồ sơ"


def test_unsigned_or_missigned_requests_get_403_and_change_nothing(client):
    params = sms_params(LONG)
    assert client.post("/hotline/sms", data=params).status_code == 403
    bad = {"X-Twilio-Signature": signature(PUBLIC + "/hotline/sms", params, token="wrong-token")}
    assert client.post("/hotline/sms", data=params, headers=bad).status_code == 403
    # Signed, then tampered with: the body no longer matches the signature.
    good = {"X-Twilio-Signature": signature(PUBLIC + "/hotline/sms", params)}
    assert client.post("/hotline/sms", data={**params, "Body": "khác"}, headers=good).status_code == 403
    # Signed for another address.
    other = {"X-Twilio-Signature": signature("https://evil.example/hotline/sms", params)}
    assert client.post("/hotline/sms", data=params, headers=other).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0
    assert db.session.scalar(select(func.count()).select_from(InboundSms)) == 0


def test_text_becomes_sms_case_and_reply_carries_tracking_code(client):
    response = twilio_post(client, "/hotline/sms", sms_params(LONG))
    reply = sms_text(response)
    case = db.session.scalar(select(Complaint))
    assert case.channel == "sms" and case.description == LONG
    assert case.complainant.phone == CITIZEN
    assert case.tracking_code in reply and "Đã nhận phản ánh" in reply
    # The TwiML reply is the acknowledgement: no second SMS through the outbox.
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage)) == 0


def test_signature_behind_tls_proxy_with_query_string(make_app, app):
    """The app sees http://10.0.0.5 but Twilio signed https://hotline.example.vn/...?src=1."""
    client = app.test_client()
    params = sms_params(LONG)
    path = "/hotline/sms?src=twilio&x=a%20b"
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "internal.lb", "Host": "10.0.0.5"}
    ok = twilio_post(client, path, params, headers=headers)
    assert ok.status_code == 200
    # Signed for the address the app sees rather than the public one: refused.
    wrong = twilio_post(client, path, sms_params(LONG), sign_url="http://10.0.0.5" + path, headers=headers)
    assert wrong.status_code == 403
    # The query string matters, exactly as sent.
    reordered = twilio_post(client, path, sms_params(LONG), sign_url=PUBLIC + "/hotline/sms?x=a%20b&src=twilio",
                            headers=headers)
    assert reordered.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 1


def test_same_message_twice_makes_one_case_and_the_same_reply(client):
    params = sms_params(LONG)
    first = sms_text(twilio_post(client, "/hotline/sms", params))
    second = sms_text(twilio_post(client, "/hotline/sms", params))
    assert first == second
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 1


def test_same_message_at_the_same_moment_from_threads_makes_one_case(app):
    app.config["TESTING_HIDE_ERRORS"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    import http.client
    from urllib.parse import urlencode

    params = sms_params(LONG)
    body = urlencode(params)
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Twilio-Signature": signature(PUBLIC + "/hotline/sms", params)}
    start = threading.Barrier(8)
    results = []

    def deliver():
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
        start.wait()
        connection.request("POST", "/hotline/sms", body=body, headers=headers)
        response = connection.getresponse()
        results.append((response.status, response.read().decode()))

    try:
        workers = [threading.Thread(target=deliver) for _ in range(8)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        app.config["TESTING_HIDE_ERRORS"] = False
    db.session.remove()
    assert len(results) == 8 and {status for status, _ in results} == {200}
    cases = db.session.scalars(select(Complaint)).all()
    assert len(cases) == 1
    assert all(cases[0].tracking_code in text for _, text in results), results
    assert db.session.scalar(select(func.count()).select_from(InboundSms)) == 1


def _sms_case(client, phone=CITIZEN):
    twilio_post(client, "/hotline/sms", sms_params(LONG, from_=phone))
    return db.session.scalar(select(Complaint).order_by(Complaint.id.desc()))


def test_tra_code_answers_status_and_due_date_to_the_complainant_only(client):
    case = _sms_case(client)
    transition(case, "accepted")
    db.session.commit()
    due = case.answer_due_at
    for text in (f"TRA {case.tracking_code}", f"tra cuu {case.tracking_code.lower()}", f"Tra cứu {case.tracking_code}",
                 f"TRA CỨU: {case.tracking_code[2:]}"):
        reply = sms_text(twilio_post(client, "/hotline/sms", sms_params(text)))
        assert case.tracking_code in reply and "Đã thụ lý" in reply, (text, reply)
        assert f"hạn {to_local(due).strftime('%d/%m/%Y')}" in reply
    stranger = sms_text(twilio_post(client, "/hotline/sms", sms_params(f"TRA {case.tracking_code}", from_="+84911000111")))
    assert "Không tìm thấy" in stranger and "Đã thụ lý" not in stranger
    unknown = sms_text(twilio_post(client, "/hotline/sms", sms_params("TRA PA22222222")))
    assert "Không tìm thấy" in unknown
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 1
    assert due is not None


def test_help_explains(client):
    for text in ("HELP", "huong dan", "Hướng dẫn"):
        reply = sms_text(twilio_post(client, "/hotline/sms", sms_params(text)))
        assert "TRA <mã>" in reply and "DUNG" in reply
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0


def test_stop_suppresses_later_sends_and_start_reverses(client):
    reply = sms_text(twilio_post(client, "/hotline/sms", sms_params("DỪNG")))
    assert "Đã ngừng gửi tin" in reply
    assert db.session.get(SmsOptOut, CITIZEN).opted_out is True
    blocked = queue_message(CITIZEN, "Thông báo", "notice")
    db.session.commit()
    assert blocked.status == "suppressed"
    twilio_post(client, "/hotline/sms", sms_params("STOP"))  # a second STOP keeps one row
    reply = sms_text(twilio_post(client, "/hotline/sms", sms_params("bat dau")))
    assert "Đã nhận lại tin" in reply
    db.session.expire_all()
    assert db.session.get(SmsOptOut, CITIZEN).opted_out is False
    allowed = queue_message(CITIZEN, "Thông báo 2", "notice")
    db.session.commit()
    assert allowed.status != "suppressed"
    assert db.session.scalar(select(func.count()).select_from(SmsOptOut)) == 1


def test_reply_starting_with_the_code_joins_the_senders_open_case(client):
    case = _sms_case(client)
    reply = sms_text(twilio_post(client, "/hotline/sms", sms_params(f"{case.tracking_code.lower()}: bổ sung thêm số hồ sơ 123")))
    assert "Đã bổ sung" in reply and case.tracking_code in reply
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.complaint_id == case.id, CaseEvent.kind == "message_in"))
    assert event.body == "bổ sung thêm số hồ sơ 123" and event.actor_label == "citizen"
    # Someone else quoting the code does not get into the case: their text is a new case.
    twilio_post(client, "/hotline/sms", sms_params(f"{case.tracking_code} tôi cũng bị như vậy ở quầy số 2",
                                                     from_="+84911000111"))
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 2
    assert db.session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.kind == "message_in")) == 1


def test_answer_to_a_handlers_question_joins_that_case(client):
    result = create_case(channel="web", description="Phản ánh qua cổng", contact={"phone": CITIZEN}, send_ack=False)
    queue_message(CITIZEN, "Xin cho biết số quầy?", "question", complaint=result.complaint)
    db.session.commit()
    reply = sms_text(twilio_post(client, "/hotline/sms", sms_params("Quầy số 3, buổi sáng thứ hai")))
    assert result.complaint.tracking_code in reply
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 1
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "message_in"))
    assert event.complaint_id == result.complaint.id


def test_short_unclear_text_goes_to_the_operator_queue(client):
    params = sms_params("alo alo")
    reply = sms_text(twilio_post(client, "/hotline/sms", params))
    assert "tổng đài viên" in reply
    item = db.session.scalar(select(IntakeItem))
    assert (item.kind, item.from_phone, item.body, item.message_sid, item.status) == (
        "sms", CITIZEN, "alo alo", params["MessageSid"], "open")
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0


def test_an_unexpected_error_still_answers_twilio_politely(client, monkeypatch):
    from feedback.hotline import services

    def broken(code):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(services, "new_case_reply", broken)
    response = twilio_post(client, "/hotline/sms", sms_params(LONG))
    assert response.status_code == 200
    assert "đang bận" in sms_text(response)
    assert db.session.scalar(select(func.count()).select_from(InboundSms)) == 0


def test_webhooks_are_exempt_from_csrf_but_other_forms_are_not(make_app, app):
    strict = make_app(WTF_CSRF_ENABLED=True)
    client = strict.test_client()
    with strict.app_context():
        response = twilio_post(client, "/hotline/sms", sms_params(LONG))
        assert response.status_code == 200
        assert client.post("/auth/login", data={"email": "a@b.vn", "password": "x"}).status_code == 400
        db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 1


def test_the_case_exists_in_the_same_transaction_as_the_reply_that_gives_its_code(app):
    """Nothing is left to a job that Redis could lose: once the webhook commits, the code opens a case."""
    from feedback.hotline import services
    from feedback.models import JobOutbox

    reply = services.receive_sms("SM" + "1" * 32, CITIZEN, "+18005550100", LONG)
    db.session.commit()
    row = db.session.scalar(select(InboundSms))
    case = db.session.get(Complaint, row.complaint_id)
    assert row.kind == "case" and case is not None and case.tracking_code == row.tracking_code
    assert case.tracking_code in reply
    assert (case.channel, case.submission_key, case.complainant.phone) == ("sms", "sms:SM" + "1" * 32, CITIZEN)
    assert db.session.scalar(select(func.count()).select_from(JobOutbox)
                             .where(JobOutbox.func.like("%create_sms_case"))) == 0
    assert "Đã tiếp nhận" in services.status_reply(row.tracking_code, CITIZEN)
    assert "Không tìm thấy" in services.status_reply(row.tracking_code, "+84911000111")
    # The same MessageSid again (a Twilio retry): the same reply, still one case.
    assert services.receive_sms("SM" + "1" * 32, CITIZEN, "+18005550100", LONG) == reply
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage)) == 0


def _legacy_promise(message_sid, minutes_ago=5):
    """A text stored by the earlier version: its reply promised a code, its case was left to a lost job."""
    from datetime import timedelta

    from feedback.models import utcnow

    code = Complaint.new_tracking_code()
    row = InboundSms(message_sid=message_sid, from_phone=CITIZEN, to_phone="+18005550100", body=LONG, kind="case",
                     tracking_code=code, reply_text=f"... {code} ...", created_at=utcnow() - timedelta(minutes=minutes_ago))
    db.session.add(row)
    db.session.commit()
    return row


def test_the_sweep_makes_every_promised_case_whose_job_was_lost(app):
    from feedback.hotline.jobs import sweep_promised_cases

    rows = [_legacy_promise("SM" + str(n) * 32) for n in range(3, 6)]
    recent = _legacy_promise("SM" + "9" * 32, minutes_ago=0)  # within the grace period: left for now
    assert sweep_promised_cases() == 3
    assert sweep_promised_cases() == 0  # run again: nothing more
    for row in rows:
        db.session.refresh(row)
        case = db.session.get(Complaint, row.complaint_id)
        assert case.tracking_code == row.tracking_code and case.submission_key == f"sms:{row.message_sid}"
    db.session.refresh(recent)
    assert recent.complaint_id is None
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 3
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage)) == 0  # the reply was the ack


def test_if_the_promised_code_was_taken_the_case_gets_another_and_an_sms_says_so(app):
    from feedback.hotline.jobs import create_sms_case

    row = _legacy_promise("SM" + "2" * 32)
    create_case(channel="web", description="Trùng mã", tracking_code=row.tracking_code, send_ack=False)
    db.session.commit()
    case = db.session.get(Complaint, create_sms_case(row.id))
    assert case.tracking_code != row.tracking_code
    message = db.session.scalar(select(OutboundMessage))
    assert message.purpose == "ack" and case.tracking_code in message.body and message.to_address == CITIZEN


def test_message_sid_missing_gets_help_not_a_case(client):
    params = sms_params(LONG)
    params.pop("MessageSid")
    params.pop("SmsSid")
    reply = sms_text(twilio_post(client, "/hotline/sms", params))
    assert "TRA <mã>" in reply
    assert sid("SM")  # helper sanity
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0
