"""The written apology (seed 003: "hồ sơ trễ hạn phải thông báo xin lỗi và hẹn lại rõ ràng thời gian"):
the unit head's signed notice with a reason and a date they choose, which becomes the deadline; a
second miss escalates again and needs a second notice (issue 13)."""
import shutil
import subprocess
from datetime import date, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from feedback.calendar import to_utc
from feedback.cases.jobs import check_deadlines
from feedback.extensions import db
from feedback.models import CaseEvent, LateNotice, Notification, OutboundMessage
from tests import factories
from tests.cases.conftest import NAME, PHONE


def _at(*args):
    return time_machine.travel(to_utc(datetime(*args)), tick=False)


def _pdf_text(data, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is needed (apt-get install poppler-utils)")
    path = tmp_path / "notice.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _late_case(world):
    with _at(2026, 4, 29, 10, 0):
        complaint = world.case(category=factories.category(code="nhanh", accept_days=1, answer_days=2))
        db.session.commit()
    return complaint  # answer due Tuesday 5/5 17:00 (the 30/4 and 1/5 holidays and a weekend between)


def _issue(as_user, world, complaint, **data):
    form = {"reason": "Chờ Phòng Kinh tế cung cấp hồ sơ gốc", "new_date": "2026-05-12",
            "signer_position": "Chủ tịch UBND phường", **data}
    return as_user(world.head_a).post(f"/cases/{complaint.tracking_code}/late-notice", data=form)


def test_the_head_issues_a_signed_notice_whose_date_becomes_the_deadline(world, as_user, tmp_path):
    """Findings: an automatic SMS signed 'chúng tôi', no reason, no printable notice, no signer, and the
    new date never stored as the deadline."""
    complaint = _late_case(world)
    with _at(2026, 5, 6, 9, 0):
        check_deadlines()  # late since yesterday 17:00
        db.session.commit()
        assert complaint.escalation_reason == "late"
        response = _issue(as_user, world, complaint)
        assert response.status_code == 302
    db.session.expire_all()
    notice = db.session.scalar(select(LateNotice))
    assert (notice.number, notice.signer_name, notice.signer_position, notice.unit_name) == (
        1, "Trưởng phường A", "Chủ tịch UBND phường", world.tree["a"].name)
    assert complaint.answer_due_at == to_utc(datetime(2026, 5, 12, 17, 0)) == notice.new_due_at
    assert notice.old_due_at == to_utc(datetime(2026, 5, 5, 17, 0))
    # The citizen gets it by their channel: reason, new date and where to read the signed notice.
    sent = db.session.scalar(select(OutboundMessage).where(OutboundMessage.purpose == "apology"))
    assert sent.to_address == PHONE
    assert "Chờ Phòng Kinh tế" in sent.body and "12/05/2026" in sent.body and world.tree["a"].name in sent.body
    public = db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "deadline", CaseEvent.is_public)).all()
    assert any("12/05/2026" in e.body and "Chờ Phòng Kinh tế" in e.body for e in public)
    # The printable notice: national heading, issuing unit, number, reason, new date, signature; no identity.
    pdf = as_user(world.head_a).get(f"/cases/{complaint.tracking_code}/late-notices/1.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(_pdf_text(pdf.data, tmp_path).split())
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ LỜI", f"Số: 01/PXL-{complaint.tracking_code}",
                     "Chờ Phòng Kinh tế cung cấp hồ sơ gốc", "12/05/2026", "05/05/2026", "CHỦ TỊCH UBND PHƯỜNG",
                     "Trưởng phường A", "Nơi nhận", "ngày 06 tháng 05 năm 2026"):
        assert expected in text, expected
    assert NAME not in text and PHONE not in text  # the unit never learns who complained
    # The case page lists it; the citizen's tracking page links to it.
    page = as_user(world.head_a).get(f"/cases/{complaint.tracking_code}").get_data(as_text=True)
    assert "Thư số 1" in page and "late-notices/1.pdf" in page


def test_the_deadline_moves_so_the_case_is_not_late_until_the_promised_date_is_missed(world, as_user):
    """Finding: a second miss went unnoticed; now it escalates again and asks for a second notice."""
    complaint = _late_case(world)
    with _at(2026, 5, 6, 9, 0):
        check_deadlines()
        db.session.commit()
        _issue(as_user, world, complaint)
    with _at(2026, 5, 11, 9, 0):  # before the promised date: a warning, not lateness
        assert check_deadlines()["late"] == 0
        db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "late", Notification.user_id.is_(None))) == 1
    with _at(2026, 5, 12, 17, 30):  # the promised date passed
        assert check_deadlines()["late"] == 1
        db.session.commit()
        assert check_deadlines()["late"] == 0
        db.session.commit()
    db.session.expire_all()
    assert complaint.escalation_reason == "late_again"
    monitor = db.session.scalars(select(Notification).where(Notification.user_id == world.monitor.id,
                                                            Notification.kind == "late")).all()
    assert any("lại trễ hạn đã hẹn" in n.body for n in monitor)
    with _at(2026, 5, 13, 9, 0):
        again = _issue(as_user, world, complaint, new_date="2026-05-15", reason="Bên liên quan chưa trả lời")
        assert again.status_code == 302
    notices = db.session.scalars(select(LateNotice).order_by(LateNotice.number)).all()
    assert [n.number for n in notices] == [1, 2] and notices[1].old_due_at == notices[0].new_due_at


@pytest.mark.parametrize("new_date, message", [
    ("2026-05-06", "phải sau hôm nay"),
    ("2026-05-09", "phải là ngày làm việc"),  # a Saturday
    ("2026-09-01", "không quá 60 ngày"),
])
def test_the_new_date_must_be_a_real_promise(world, as_user, new_date, message):
    complaint = _late_case(world)
    with _at(2026, 5, 6, 9, 0):
        response = _issue(as_user, world, complaint, new_date=new_date)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with _at(2026, 5, 6, 9, 0):
        no_reason = _issue(as_user, world, complaint, reason="")
    assert no_reason.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(LateNotice)) == 0
    assert date(2026, 5, 9).weekday() == 5


def test_only_the_head_of_the_handling_unit_issues_a_notice(world, as_user):
    complaint = _late_case(world)
    with _at(2026, 5, 6, 9, 0):
        for user in (world.handler_a, world.head_b, world.monitor):
            response = as_user(user).post(f"/cases/{complaint.tracking_code}/late-notice",
                                          data={"reason": "x", "new_date": "2026-05-12"})
            assert response.status_code in (403, 404), user
    assert db.session.scalar(select(func.count()).select_from(LateNotice)) == 0


def test_the_citizen_reads_the_signed_notice_on_the_tracking_page(world, as_user, client, tmp_path):
    from feedback.portal.services import SESSION_CASES

    complaint = _late_case(world)
    with _at(2026, 5, 6, 9, 0):
        _issue(as_user, world, complaint)
    as_user(None)
    pdf_url = f"/track/{complaint.tracking_code}/thu-xin-loi/1.pdf"
    assert client.get(pdf_url).status_code == 302  # not opened in this browser: back to the tracking form
    with client.session_transaction() as session:  # as after entering the code and secret
        session[SESSION_CASES] = [complaint.tracking_code]
    page = client.get(f"/track?code={complaint.tracking_code}").get_data(as_text=True)
    assert "Thư xin lỗi của đơn vị" in page and pdf_url in page
    pdf = client.get(pdf_url)
    assert pdf.status_code == 200 and "Chờ Phòng Kinh tế" in _pdf_text(pdf.data, tmp_path)
