import io

from sqlalchemy import select

from feedback.audit import verify_chain
from feedback.extensions import db
from feedback.models import Attachment, AuditEvent, CaseEvent, Verification
from tests.conftest import login

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + b"\x00" * 64
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def _as(client, user):
    login(client, user)
    return client


def _actions():
    return [a for a in db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id))]


def _submit(client, code, **extra):
    data = {"methods": ["interview", "camera"], "findings": "Đã làm việc với công chức quầy số 3 và trích xuất camera.",
            "conclusion": "substantiated", "action": "submit"}
    data.update(extra)
    return client.post(f"/cases/{code}/verification", data=data)


def test_verification_return_resubmit_and_approve(app, client, world):
    code = world.case.tracking_code
    _as(client, world.handler)
    assert client.post(f"/cases/{code}/verification/start").status_code == 302
    db.session.expire_all()
    assert world.case.status == "verifying"

    page = client.get(f"/cases/{code}/verification").get_data(as_text=True)
    assert "Trình thủ trưởng duyệt" in page and "Trích xuất camera" in page
    # The handling unit never sees who complained (the description is the case's content).
    assert "+84905123456" not in page

    assert _submit(client, code).status_code == 302
    verification = db.session.scalar(select(Verification))
    assert verification.status == "submitted" and verification.method_list == ["interview", "camera"]

    # While it waits for the head, the handler cannot change it.
    response = _submit(client, code, conclusion="unsubstantiated")
    assert response.status_code == 400 and "chờ thủ trưởng" in response.get_data(as_text=True)

    _as(client, world.head)
    page = client.get(f"/cases/{code}/verification").get_data(as_text=True)
    assert "Duyệt kết luận" in page
    response = client.post(f"/cases/{code}/verification/review", data={"decision": "return", "note": ""})
    assert response.status_code == 400 and "lý do trả lại" in response.get_data(as_text=True)
    response = client.post(f"/cases/{code}/verification/review",
                           data={"decision": "return", "note": "Cần làm việc thêm với người dân."})
    assert response.status_code == 302
    db.session.expire_all()
    assert verification.status == "returned" and world.case.status == "verifying"

    _as(client, world.handler)
    page = client.get(f"/cases/{code}/verification").get_data(as_text=True)
    assert "Cần làm việc thêm với người dân." in page
    assert _submit(client, code, findings="Đã làm việc thêm; camera xác nhận nội dung phản ánh.").status_code == 302

    _as(client, world.head)
    assert client.post(f"/cases/{code}/verification/review", data={"decision": "approve", "note": ""}).status_code == 302
    db.session.expire_all()
    assert verification.status == "approved" and verification.approved_by_id == world.head.id
    assert world.case.status == "concluded" and world.case.concluded_at is not None
    statuses = [(e.from_status, e.to_status) for e in world.case.events if e.kind == "status"]
    assert statuses[-2:] == [("accepted", "verifying"), ("verifying", "concluded")]
    assert [a for a in _actions() if a.startswith("verification.")] == [
        "verification.started", "verification.submitted", "verification.returned",
        "verification.submitted", "verification.approved",
    ]
    assert verify_chain() == (True, None)


def test_submit_needs_methods_findings_and_a_valid_conclusion(app, client, world):
    code = world.case.tracking_code
    _as(client, world.handler)
    client.post(f"/cases/{code}/verification/start")
    response = _submit(client, code, conclusion="")
    assert response.status_code == 400
    assert "Cần chọn cách xác minh, ghi kết quả xác minh và chọn kết luận" in response.get_data(as_text=True)
    response = _submit(client, code, conclusion="totally_true")  # crafted value
    assert response.status_code == 400 and "Kết luận không hợp lệ" in response.get_data(as_text=True)
    response = _submit(client, code, methods=["bribe"])
    assert response.status_code == 400 and "Phương pháp xác minh không hợp lệ" in response.get_data(as_text=True)
    assert db.session.scalar(select(Verification)).status == "draft"
    # A draft can be saved incomplete.
    response = client.post(f"/cases/{code}/verification",
                           data={"methods": ["documents"], "findings": "Đang kiểm tra hồ sơ.", "action": "save"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Verification)).findings == "Đang kiểm tra hồ sơ."


def test_head_cannot_approve_what_was_not_submitted(app, client, world):
    code = world.case.tracking_code
    _as(client, world.handler)
    client.post(f"/cases/{code}/verification/start")
    _as(client, world.head)
    response = client.post(f"/cases/{code}/verification/review", data={"decision": "approve"})
    assert response.status_code == 400 and "Chưa có kết luận nào được trình duyệt" in response.get_data(as_text=True)
    db.session.expire_all()
    assert world.case.status == "verifying"


def test_evidence_checked_by_content_and_downloadable_in_scope(app, client, world):
    code = world.case.tracking_code
    _as(client, world.handler)
    client.post(f"/cases/{code}/verification/start")
    response = client.post(f"/cases/{code}/verification/evidence",
                           data={"file": (io.BytesIO(MP4), "camera-quay-3.mp4")}, content_type="multipart/form-data")
    assert response.status_code == 302
    response = client.post(f"/cases/{code}/verification/evidence",
                           data={"file": (io.BytesIO(b"MZ\x90\x00not really a picture"), "anh.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "không được chấp nhận" in response.get_data(as_text=True)
    rows = db.session.scalars(select(Attachment)).all()
    assert len(rows) == 1 and rows[0].is_evidence and rows[0].content_type == "video/mp4"
    assert rows[0].original_name == "camera-quay-3.mp4"
    event = db.session.get(CaseEvent, rows[0].event_id)
    assert event.kind == "attachment" and not event.is_public

    _as(client, world.head)
    download = client.get(f"/cases/{code}/evidence/{rows[0].id}")
    assert download.status_code == 200 and download.data == MP4
    _as(client, world.other_head)
    assert client.get(f"/cases/{code}/evidence/{rows[0].id}").status_code == 403
    _as(client, world.clerk_user)
    assert client.get(f"/cases/{code}/evidence/{rows[0].id}").status_code == 403


def test_attaching_evidence_keeps_the_findings_typed_but_not_saved(app, client, world):
    """Issue 14: attaching evidence reloaded the page and lost the findings typed but not yet saved."""
    code = world.case.tracking_code
    _as(client, world.handler)
    client.post(f"/cases/{code}/verification/start")
    page = client.get(f"/cases/{code}/verification").get_data(as_text=True)
    assert "Lưu nháp và đính kèm chứng cứ" in page
    assert 'action="/cases/' + code + '/verification/evidence"' not in page  # no second form to lose them in
    findings = "Đã làm việc với bà Hoa; camera quầy 3 lúc 9 giờ cho thấy yêu cầu thêm giấy tờ."
    response = client.post(f"/cases/{code}/verification", content_type="multipart/form-data", data={
        "action": "attach", "methods": ["camera"], "findings": findings,
        "file": (io.BytesIO(MP4), "camera-quay-3.mp4")})
    assert response.status_code == 302
    db.session.expire_all()
    draft = db.session.scalar(select(Verification))
    assert draft.findings == findings and draft.status == "draft"
    assert db.session.scalar(select(Attachment)).original_name == "camera-quay-3.mp4"
    # A refused file keeps the typed findings on the page, with the reason.
    refused = client.post(f"/cases/{code}/verification", content_type="multipart/form-data", data={
        "action": "attach", "methods": ["camera"], "findings": findings + " Thêm.",
        "file": (io.BytesIO(b"MZ\x90\x00not a picture"), "anh.jpg")})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "không được chấp nhận" in text and findings + " Thêm." in text
