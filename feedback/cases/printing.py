"""The unit head's written apology (phiếu xin lỗi và hẹn lại) as an A4 PDF, laid out as an
administrative document (Nghị định 30/2020/NĐ-CP): issuing body and national heading side by side,
number and date, title, addressee, body, signature block and recipients.

The addressee is "the citizen who sent case PA…": the unit never learns who complained.
"""
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from feedback.calendar import to_local
from feedback.publication.printing import FONT, _pdf


def _long_date(moment):
    local = to_local(moment)
    return _("ngày %(d)02d tháng %(m)02d năm %(y)d", d=local.day, m=local.month, y=local.year)


def late_notice_pdf(complaint, notice):
    """Bytes of notice number `notice.number` of `complaint`."""
    with force_locale("vi"):  # an administrative document is Vietnamese
        return _render(complaint, notice)


def _render(complaint, notice):
    from feedback.extensions import db
    from feedback.models import Unit

    unit = db.session.get(Unit, notice.unit_id)
    parent = unit.parent if unit is not None else None
    pdf = _pdf()
    pdf.set_title(_("Phiếu xin lỗi và hẹn lại ngày trả lời %(code)s", code=complaint.tracking_code))
    pdf.add_page()
    half = pdf.epw / 2
    top = pdf.get_y()
    # Left: the issuing body (its superior above it), the number.
    pdf.set_font(FONT, "", 10)
    if parent is not None:
        pdf.multi_cell(half - 4, 5, parent.name.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(half - 4, 5, notice.unit_name.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(half - 4, 6, _("Số: %(n)02d/PXL-%(code)s", n=notice.number, code=complaint.tracking_code),
                   align="C", new_x="LMARGIN", new_y="NEXT")
    left_bottom = pdf.get_y()
    # Right: Quốc hiệu and Tiêu ngữ, place and date.
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(half, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LEFT", new_y="NEXT")
    pdf.multi_cell(half, 5, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(half, 6, current_app.config.get("DOCUMENT_PLACE", "Khánh Hòa") + ", " + _long_date(notice.issued_at),
                   align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 6)
    width = pdf.epw
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(width, 7, _("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ LỜI"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 11)
    if notice.number > 1:
        pdf.multi_cell(width, 6, _("(lần %(n)d)", n=notice.number), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.multi_cell(width, 6, _("Kính gửi: Ông/Bà gửi phản ánh, kiến nghị mã %(code)s.", code=complaint.tracking_code),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    paragraphs = [
        _("Ngày %(received)s, %(unit)s tiếp nhận phản ánh, kiến nghị của Ông/Bà (mã %(code)s); hạn trả lời là "
          "ngày %(due)s.", received=to_local(complaint.submitted_at).strftime("%d/%m/%Y"), unit=notice.unit_name,
          code=complaint.tracking_code,
          due=to_local(notice.old_due_at).strftime("%d/%m/%Y") if notice.old_due_at else "—"),
        _("Đến nay %(unit)s chưa trả lời được vì lý do: %(reason)s", unit=notice.unit_name, reason=notice.reason),
        _("Sự chậm trễ này đã làm mất thời gian của Ông/Bà. %(unit)s thành thật xin lỗi Ông/Bà và hẹn trả lời "
          "trước ngày %(date)s.", unit=notice.unit_name, date=to_local(notice.new_due_at).strftime("%d/%m/%Y")),
        _("Ông/Bà theo dõi việc giải quyết tại %(url)s (mã %(code)s) hoặc nhắn TRA %(code)s tới đường dây nóng "
          "%(hotline)s.", url=current_app.config["PUBLIC_BASE_URL"] + "/track", code=complaint.tracking_code,
          hotline=current_app.config.get("SYSTEM_HOTLINE", "")),
    ]
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
    pdf.multi_cell(half, 6, notice.signer_position.upper(), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(half, 5, _("(đã ký trên hệ thống ngày %(date)s)",
                              date=to_local(notice.issued_at).strftime("%d/%m/%Y %H:%M")),
                   align="C", new_x="LEFT", new_y="NEXT")
    pdf.ln(12)
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(half, 6, notice.signer_name, align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
