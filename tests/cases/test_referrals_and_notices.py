"""An out-of-scope case (a khiếu nại or tố cáo for another body) is sent to the competent body with a
written notice and tracked to its end; an accepted transfer has its printable notice (issue 13)."""
import os
import subprocess

from sqlalchemy import select

from feedback.extensions import db
from feedback.models import OutboundMessage, TransferRequest
from tests.cases.conftest import NAME, PHONE
from tests.browser.conftest import SCREENSHOT_DIR
from tests.cases.test_late_notice import _pdf_text


def test_an_out_of_scope_case_is_referred_with_a_notice_and_followed_to_its_outcome(world, as_user, tmp_path):
    """Finding: an out-of-scope case was neither sent nor pointed to the competent body."""
    complaint = world.case(staff=None, description="Khiếu nại quyết định thu hồi đất của UBND tỉnh")
    head = as_user(world.head_a)
    missing = head.post(f"/cases/{complaint.tracking_code}/decline", data={"reason": "out_of_scope"})
    assert missing.status_code == 400 and "cơ quan có thẩm quyền" in missing.get_data(as_text=True)
    done = head.post(f"/cases/{complaint.tracking_code}/decline", data={
        "reason": "out_of_scope", "referred_to": "Thanh tra tỉnh Khánh Hòa"})
    assert done.status_code == 302
    db.session.expire_all()
    assert complaint.status == "declined" and complaint.referred_to == "Thanh tra tỉnh Khánh Hòa"
    told = db.session.scalars(select(OutboundMessage).where(OutboundMessage.to_address == PHONE)).all()[-1]
    assert "Thanh tra tỉnh Khánh Hòa" in told.body and "theo dõi" in told.body
    pdf = as_user(world.head_a).get(f"/cases/{complaint.tracking_code}/referral-notice.pdf")
    text = " ".join(_pdf_text(pdf.data, tmp_path).split())
    for expected in ("PHIẾU CHUYỂN ĐƠN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Thanh tra tỉnh Khánh Hòa",
                     complaint.tracking_code, "Trưởng phường A"):
        assert expected in text, expected
    assert NAME not in text
    # Tracked until the body's outcome is recorded; the citizen is told.
    page = as_user(world.head_a).get("/cases/referrals").get_data(as_text=True)
    assert complaint.tracking_code in page and "Ghi kết quả" in page
    as_user(world.head_a).post(f"/cases/{complaint.tracking_code}/referral-outcome",
                               data={f"o{complaint.id}-outcome": "Thanh tra tỉnh đã thụ lý, giải quyết lần đầu"})
    db.session.expire_all()
    assert complaint.referral_closed_at is not None and "thụ lý" in complaint.referral_outcome
    last = db.session.scalars(select(OutboundMessage).where(OutboundMessage.to_address == PHONE)).all()[-1]
    assert "đã có kết quả" in last.body


def test_an_accepted_transfer_has_a_printable_notice(world, as_user, tmp_path):
    complaint = world.case(staff=None)
    as_user(world.head_a).post(f"/cases/{complaint.tracking_code}/transfer", data={
        "unit_id": str(world.tree["b"].id), "reason": "Việc thuộc xã Cam Lâm"})
    row = db.session.scalar(select(TransferRequest))
    as_user(world.head_b).post(f"/cases/transfers/{row.id}", data={f"t{row.id}-decision": "accept"})
    db.session.expire_all()
    page = as_user(world.head_b).get(f"/cases/{complaint.tracking_code}").get_data(as_text=True)
    assert f"/transfer-notices/{row.id}.pdf" in page
    pdf = as_user(world.head_b).get(f"/cases/{complaint.tracking_code}/transfer-notices/{row.id}.pdf")
    text = " ".join(_pdf_text(pdf.data, tmp_path).split())
    for expected in ("PHIẾU CHUYỂN XỬ LÝ PHẢN ÁNH, KIẾN NGHỊ", "Việc thuộc xã Cam Lâm", world.tree["b"].name,
                     "Trưởng xã B"):
        assert expected in text, expected
    # Rendered beside the browser screenshots, to be looked at.
    path = tmp_path / "transfer.pdf"
    path.write_bytes(pdf.data)
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path),
                    os.path.join(SCREENSHOT_DIR, "transfer-notice-pdf")], check=True)
