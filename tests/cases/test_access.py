"""Every case screen and action refuses a user of another unit, the named staff member and an anonymous
visitor, by URL and by crafted form fields; nothing changes in the database when refused."""
import io

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from feedback.cases import services
from feedback.extensions import db
from feedback.models import CaseEvent, IdentityRevealRequest, Notification, OutboundMessage
from tests import factories


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (6, 6), (10, 200, 10)).save(buffer, "PNG")
    return buffer.getvalue()


def _actions(world, code):
    """(method, path, form data) of every case screen and action."""
    return [
        ("get", f"/cases/{code}", None),
        ("post", f"/cases/{code}/assign", {"handler_id": str(world.handler_a.id)}),
        ("post", f"/cases/{code}/note", {"kind": "message", "body": "Tin nhắn trái phép"}),
        ("post", f"/cases/{code}/attach", {"file": (io.BytesIO(_png()), "x.png")}),
        ("post", f"/cases/{code}/accept", {}),
        ("post", f"/cases/{code}/decline", {"reason": "abusive"}),
        ("post", f"/cases/{code}/extend", {"days": "5", "reason": "Trái phép"}),
        ("post", f"/cases/{code}/transfer", {"unit_id": str(world.tree["b"].id), "reason": "Trái phép"}),
        ("post", f"/cases/{code}/identity", {"reason": "Muốn biết ai phản ánh mình"}),
        ("post", f"/cases/{code}/route", {"unit_id": str(world.tree["b"].id)}),
    ]


def _snapshot(complaint):
    db.session.expire_all()
    return (complaint.status, complaint.unit_id, complaint.assigned_to_id, complaint.extended,
            complaint.answer_due_at, complaint.decline_reason,
            db.session.scalar(select(func.count()).select_from(CaseEvent)),
            db.session.scalar(select(func.count()).select_from(OutboundMessage)),
            db.session.scalar(select(func.count()).select_from(IdentityRevealRequest)),
            len(complaint.attachments))


@pytest.fixture
def deputy(world):
    """A deputy head of ward A (not the head): a case naming her stays in ward A, where she is a unit head."""
    staff = factories.staff(world.tree["a"], full_name="Đỗ Thị Phó", position="Phó Chủ tịch UBND phường")
    user = factories.user("unit_head", world.tree["a"], email="deputy@example.vn", full_name="Đỗ Thị Phó")
    staff.user_id = user.id
    db.session.commit()
    return staff, user


@pytest.mark.parametrize("who", ["head_b", "handler_b", "clerk_user", "anonymous", "deputy_user"])
def test_refused_everywhere_by_url_and_nothing_changes(world, as_user, deputy, who):
    deputy_staff, deputy_user = deputy
    complaint = world.case(staff="clerk") if who != "deputy_user" else world.case(staff=None)
    if who == "deputy_user":
        complaint.staff_id = deputy_staff.id
        db.session.commit()
    attachment = services.add_attachment(complaint, world.head_a, FileStorage(io.BytesIO(_png()), "anh.png"))
    db.session.commit()
    assert complaint.unit_id in (world.tree["counter_a"].id, world.tree["a"].id)
    user = None if who == "anonymous" else (deputy_user if who == "deputy_user" else world[who])
    client = as_user(user)
    before = _snapshot(complaint)
    paths = _actions(world, complaint.tracking_code) + [
        ("get", f"/cases/{complaint.tracking_code}/files/{attachment.id}", None)]
    for method, path, data in paths:
        if method == "get":
            response = client.get(path)
        else:
            response = client.post(path, data=data, content_type="multipart/form-data")
        if user is None:
            assert response.status_code == 302 and "/auth/login" in response.headers["Location"], path
        else:
            assert response.status_code == 403, (path, response.status_code)
        assert "Cán bộ quầy số 3" not in response.get_data(as_text=True)
    assert _snapshot(complaint) == before
    if user is not None:
        listing = client.get("/cases/").get_data(as_text=True)
        assert complaint.tracking_code not in listing
        for path in ("/cases/?due=overdue", f"/cases/?staff={complaint.staff_id}", "/cases/notifications"):
            assert complaint.tracking_code not in client.get(path).get_data(as_text=True)
    # The rightful head still opens it and downloads the file.
    head = as_user(world.head_a)
    assert head.get(f"/cases/{complaint.tracking_code}").status_code == 200
    download = head.get(f"/cases/{complaint.tracking_code}/files/{attachment.id}")
    assert download.status_code == 200 and download.data == _png()


def test_named_deputy_is_hidden_from_counts(world, as_user, deputy):
    deputy_staff, deputy_user = deputy
    naming = world.case(staff=None)
    naming.staff_id = deputy_staff.id
    other = world.case(staff=None, description="Đề nghị niêm yết thêm thủ tục.")
    db.session.commit()
    html = as_user(deputy_user).get("/cases/").get_data(as_text=True)
    assert other.tracking_code in html and naming.tracking_code not in html
    # One case visible to her, two to the head.
    assert '<strong>1</strong>Tất cả' in html.replace("\n", "").replace("  ", "")
    assert '<strong>2</strong>Tất cả' in as_user(world.head_a).get("/cases/").get_data(as_text=True).replace(
        "\n", "").replace("  ", "")
    # She is never offered as a handler nor notified about it.
    assert deputy_user not in services.eligible_handlers(naming, world.head_a)
    assert db.session.scalar(select(Notification).where(Notification.user_id == deputy_user.id)) is None


def test_crafted_fields_from_a_rightful_user_are_refused(world, as_user):
    complaint = world.case()
    code = complaint.tracking_code
    head = as_user(world.head_a)
    before = _snapshot(complaint)
    for path, data in [
        (f"/cases/{code}/assign", {"handler_id": "abc"}),
        (f"/cases/{code}/assign", {"handler_id": str(world.head_b.id)}),
        (f"/cases/{code}/transfer", {"unit_id": "-1", "reason": "x"}),
        (f"/cases/{code}/transfer", {"unit_id": "999999", "reason": "x"}),
        (f"/cases/{code}/extend", {"days": "99", "reason": "x"}),
        (f"/cases/{code}/extend", {"days": "năm", "reason": "x"}),
        (f"/cases/{code}/decline", {"reason": "duplicate", "duplicate_code": "PA' OR 1=1"}),
        (f"/cases/{code}/note", {"kind": "note", "body": ""}),
        (f"/cases/{code}/note", {"kind": "broadcast", "body": "Gửi cho mọi người"}),
        (f"/cases/{code}/attach", {"file": (io.BytesIO(b"MZ\x90\x00" + b"\x00" * 100), "virus.png")}),
        (f"/cases/{code}/identity", {"reason": "ngắn"}),
    ]:
        response = head.post(path, data=data, content_type="multipart/form-data")
        assert response.status_code == 400, (path, data)
        assert 'class="error"' in response.get_data(as_text=True) or "flash-error" in response.get_data(as_text=True)
    assert _snapshot(complaint) == before
    # A handler may not use the head's actions, nor act on a case not assigned to them.
    complaint.assigned_to_id = world.handler_a2.id
    db.session.commit()
    handler = as_user(world.handler_a)
    assert handler.post(f"/cases/{code}/assign", data={"handler_id": str(world.handler_a.id)}).status_code == 403
    assert handler.post(f"/cases/{code}/note", data={"kind": "note", "body": "x"}).status_code == 403
    assert handler.get(f"/cases/{code}").status_code == 403
    assert as_user(world.handler_a2).post(f"/cases/{code}/extend",
                                          data={"days": "2", "reason": "x"}).status_code == 403


def test_attachment_of_another_case_is_not_served(world, as_user):
    first, second = world.case(), world.case(staff=None)
    attachment = services.add_attachment(first, world.head_a, FileStorage(io.BytesIO(_png()), "a.png"))
    db.session.commit()
    head = as_user(world.head_a)
    assert head.get(f"/cases/{second.tracking_code}/files/{attachment.id}").status_code == 404
    assert head.get("/cases/PANOSUCHCODE").status_code == 404
    assert head.get(f"/cases/{first.tracking_code}/files/{10**30}").status_code == 404
