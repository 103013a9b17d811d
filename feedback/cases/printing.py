"""Notices to the citizen as A4 PDFs — the unit head's written apology (phiếu xin lỗi và hẹn lại), the
transfer notice (phiếu chuyển xử lý) and the referral notice (phiếu chuyển đơn) — laid out as an
administrative document (Nghị định 30/2020/NĐ-CP): issuing body and national heading side by side,
number and date, title, addressee, body, signature block and recipients.

The addressee is "the citizen who sent case PA…": the unit never learns who complained.
"""
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from feedback.calendar import to_local
from feedback.cases.services import default_signer_position
from feedback.publication.printing import FONT, _pdf


def _long_date(moment):
    local = to_local(moment)
    return _("ngày %(d)02d tháng %(m)02d năm %(y)d", d=local.day, m=local.month, y=local.year)


def late_notice_pdf(complaint, notice):
    """Bytes of notice number `notice.number` of `complaint`."""
    with force_locale("vi"):  # an administrative document is Vietnamese
        paragraphs = [
            _("Ngày %(received)s, %(unit)s tiếp nhận phản ánh, kiến nghị của Ông/Bà (mã %(code)s); hạn trả lời là "
              "ngày %(due)s.", received=to_local(complaint.submitted_at).strftime("%d/%m/%Y"), unit=notice.unit_name,
              code=complaint.tracking_code,
              due=to_local(notice.old_due_at).strftime("%d/%m/%Y") if notice.old_due_at else "—"),
            _("Đến nay %(unit)s chưa trả lời được vì lý do: %(reason)s", unit=notice.unit_name, reason=notice.reason),
            _("Sự chậm trễ này đã làm mất thời gian của Ông/Bà. %(unit)s thành thật xin lỗi Ông/Bà và hẹn trả lời "
              "trước ngày %(date)s.", unit=notice.unit_name, date=to_local(notice.new_due_at).strftime("%d/%m/%Y")),
            _follow_text(complaint),
        ]
        title = _("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ LỜI")
        if notice.number > 1:
            title += "\n" + _("(lần %(n)d)", n=notice.number)
        return _render(complaint, unit_id=notice.unit_id, unit_name=notice.unit_name,
                       number=_("Số: %(n)02d/PXL-%(code)s", n=notice.number, code=complaint.tracking_code),
                       title=title, paragraphs=paragraphs, issued_at=notice.issued_at,
                       signer_name=notice.signer_name, signer_position=notice.signer_position,
                       doc_title=_("Phiếu xin lỗi và hẹn lại ngày trả lời %(code)s", code=complaint.tracking_code))


def transfer_notice_pdf(complaint, request, signer):
    """Phiếu chuyển xử lý: the citizen is told which unit now handles the case, why, and its new dates."""
    with force_locale("vi"):
        paragraphs = [
            _("Ngày %(received)s, %(src)s tiếp nhận phản ánh, kiến nghị của Ông/Bà (mã %(code)s).",
              received=to_local(complaint.submitted_at).strftime("%d/%m/%Y"), src=request.from_unit.name,
              code=complaint.tracking_code),
            _("Nội dung phản ánh thuộc thẩm quyền giải quyết của %(dst)s (lý do: %(reason)s). Ngày %(day)s, phản ánh "
              "đã được chuyển đến %(dst)s để giải quyết.", dst=request.to_unit.name, reason=request.reason,
              day=to_local(request.decided_at).strftime("%d/%m/%Y")),
            _("Thời hạn được tính lại từ ngày chuyển: hạn trả lời ngày %(date)s.",
              date=to_local(complaint.answer_due_at).strftime("%d/%m/%Y") if complaint.answer_due_at else "—"),
            _follow_text(complaint),
        ]
        return _render(complaint, unit_id=request.to_unit_id, unit_name=request.to_unit.name,
                       number=_("Số: %(n)d/PCXL-%(code)s", n=request.id, code=complaint.tracking_code),
                       title=_("PHIẾU CHUYỂN XỬ LÝ PHẢN ÁNH, KIẾN NGHỊ"), paragraphs=paragraphs,
                       issued_at=request.decided_at, signer_name=signer.full_name,
                       signer_position=default_signer_position(signer),
                       doc_title=_("Phiếu chuyển xử lý %(code)s", code=complaint.tracking_code))


def referral_notice_pdf(complaint, signer):
    """Phiếu chuyển đơn: a khiếu nại, tố cáo or out-of-scope case sent to the competent body outside the system."""
    with force_locale("vi"):
        paragraphs = [
            _("Ngày %(received)s, %(unit)s tiếp nhận đơn của Ông/Bà (mã %(code)s).",
              received=to_local(complaint.submitted_at).strftime("%d/%m/%Y"), unit=complaint.unit.name,
              code=complaint.tracking_code),
            _("Nội dung đơn không thuộc thẩm quyền giải quyết của %(unit)s mà thuộc thẩm quyền của %(body)s. Ngày "
              "%(day)s, %(unit)s đã chuyển đơn đến %(body)s để giải quyết theo quy định.", unit=complaint.unit.name,
              body=complaint.referred_to, day=to_local(complaint.referred_at).strftime("%d/%m/%Y")),
            _("%(unit)s theo dõi việc giải quyết và cập nhật kết quả tại trang tra cứu.", unit=complaint.unit.name),
            _follow_text(complaint),
        ]
        return _render(complaint, unit_id=complaint.unit_id, unit_name=complaint.unit.name,
                       number=_("Số: %(code)s/PCĐ", code=complaint.tracking_code),
                       title=_("PHIẾU CHUYỂN ĐƠN"), paragraphs=paragraphs, issued_at=complaint.referred_at,
                       signer_name=signer.full_name if signer else "", signer_position=default_signer_position(signer),
                       doc_title=_("Phiếu chuyển đơn %(code)s", code=complaint.tracking_code))


def late_notice_response(complaint, number):
    """The PDF of notice `number` of the case as an inline download, or None when it has no such notice."""
    from flask import Response

    from feedback.cases.services import late_notices

    notice = next((n for n in late_notices(complaint) if n.number == number), None)
    if notice is None:
        return None
    return Response(late_notice_pdf(complaint, notice), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="thu-xin-loi-{complaint.tracking_code}-{number}.pdf"'})


def _follow_text(complaint):
    return _("Ông/Bà theo dõi việc giải quyết tại %(url)s (mã %(code)s) hoặc nhắn TRA %(code)s tới đường dây nóng "
             "%(hotline)s.", url=current_app.config["PUBLIC_BASE_URL"] + "/track", code=complaint.tracking_code,
             hotline=current_app.config.get("SYSTEM_HOTLINE", ""))


def _render(complaint, *, unit_id, unit_name, number, title, paragraphs, issued_at, signer_name, signer_position,
            doc_title):
    from feedback.extensions import db
    from feedback.models import Unit

    unit = db.session.get(Unit, unit_id)
    parent = unit.parent if unit is not None else None
    pdf = _pdf()
    pdf.set_title(doc_title)
    pdf.add_page()
    half = pdf.epw / 2
    top = pdf.get_y()
    # Left: the issuing body (its superior above it), the number.
    pdf.set_font(FONT, "", 10)
    if parent is not None:
        pdf.multi_cell(half - 4, 5, parent.name.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(half - 4, 5, unit_name.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(half - 4, 6, number, align="C", new_x="LMARGIN", new_y="NEXT")
    left_bottom = pdf.get_y()
    # Right: Quốc hiệu and Tiêu ngữ, place and date.
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(half, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LEFT", new_y="NEXT")
    pdf.multi_cell(half, 5, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(half, 6, current_app.config.get("DOCUMENT_PLACE", "Khánh Hòa") + ", " + _long_date(issued_at),
                   align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 6)
    width = pdf.epw
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(width, 7, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 11)
    pdf.ln(3)
    pdf.multi_cell(width, 6, _("Kính gửi: Ông/Bà gửi phản ánh, kiến nghị mã %(code)s.", code=complaint.tracking_code),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for text in paragraphs:
        pdf.multi_cell(width, 6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    pdf.ln(4)
    # Recipients (left) and the signature (right).
    top = pdf.get_y()
    pdf.set_font(FONT, "B", 9)
    pdf.multi_cell(half - 4, 5, _("Nơi nhận:"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    office = unit.monitoring_office() if unit is not None else None
    for line in [_("- Ông/Bà gửi phản ánh mã %(code)s;", code=complaint.tracking_code),
                 *([f"- {office.name};"] if office is not None else []), _("- Lưu: hồ sơ phản ánh.")]:
        pdf.multi_cell(half - 4, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(half, 6, signer_position.upper(), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(half, 5, _("(đã ký trên hệ thống ngày %(date)s)",
                              date=to_local(issued_at).strftime("%d/%m/%Y %H:%M")),
                   align="C", new_x="LEFT", new_y="NEXT")
    pdf.ln(12)
    pdf.set_x(pdf.l_margin + half)  # the name under the position, in the signature column
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(half, 6, signer_name, align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
