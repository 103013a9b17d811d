"""Posting at the workplace: the month's answers as a PDF and an A4 poster with a QR code.

PDFs are made with fpdf2 and the DejaVu Sans TTF vendored in feedback/static/fonts/
(Bitstream Vera licence, see LICENSE-DejaVu.txt), which covers every Vietnamese letter.
"""
import os
from datetime import date, datetime, time

import qrcode
import qrcode.image.svg
from flask import current_app
from flask_babel import gettext as _
from fpdf import FPDF
from markupsafe import Markup
from sqlalchemy import select

from feedback.calendar import to_local, to_utc
from feedback.extensions import db
from feedback.models import PublishedAnswer, Unit
from feedback.models.outcome import CONCLUSIONS

FONT_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static", "fonts")
FONT = "DejaVu"


def form_url(unit):
    """The portal's feedback form preset to this unit (the QR code's target)."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/gui-phan-anh?unit={unit.code}"


def poster_info(unit):
    return {
        "unit_name": unit.name,
        "unit_hotline": unit.hotline,
        "unit_email": unit.email,
        "unit_address": unit.address,
        "opening_hours": unit.opening_hours,
        "system_hotline": current_app.config.get("SYSTEM_HOTLINE"),
        "sms_number": current_app.config.get("TWILIO_PHONE_NUMBER"),
        "form_url": form_url(unit),
    }


def qr_image(url):
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=2)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.make_image(fill_color="black", back_color="white").get_image()


def qr_svg(url):
    """Inline SVG of a QR code for `url` (no image request, prints sharply)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    return Markup(svg[svg.index("<svg"):])


def _pdf():
    pdf = FPDF(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font(FONT, "", os.path.join(FONT_DIR, "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", os.path.join(FONT_DIR, "DejaVuSans-Bold.ttf"))
    pdf.set_creator("Hệ thống phản ánh, kiến nghị")
    return pdf


def month_rows(unit, year, month):
    start = to_utc(datetime.combine(date(year, month, 1), time.min))
    end_day = date(year + month // 12, month % 12 + 1, 1)
    end = to_utc(datetime.combine(end_day, time.min))
    return db.session.scalars(
        select(PublishedAnswer)
        .where(PublishedAnswer.unit_id.in_(select(Unit.id).where(Unit.subtree_clause(unit))),
               PublishedAnswer.published_at >= start, PublishedAnswer.published_at < end)
        .order_by(PublishedAnswer.published_at, PublishedAnswer.id)
    ).all()


def month_answers_pdf(unit, year, month):
    """Bytes of the PDF listing the month's published answers of `unit` and its subtree."""
    rows = month_rows(unit, year, month)
    pdf = _pdf()
    pdf.set_title(_("Công khai trả lời phản ánh, kiến nghị tháng %(m)02d/%(y)d", m=month, y=year))
    pdf.add_page()
    width = pdf.epw
    pdf.set_font(FONT, "B", 15)
    pdf.multi_cell(width, 8, unit.name.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(width, 8, _("CÔNG KHAI KẾT QUẢ TRẢ LỜI PHẢN ÁNH, KIẾN NGHỊ THÁNG %(m)02d/%(y)d", m=month, y=year),
                   align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, "", 10)
    if not rows:
        pdf.multi_cell(width, 6, _("Trong tháng không có câu trả lời nào được công khai."), new_x="LMARGIN", new_y="NEXT")
    for number, row in enumerate(rows, 1):
        pdf.set_font(FONT, "B", 11)
        heading = f"{number}. " + _("Mã công khai") + f": {row.public_ref}"
        pdf.multi_cell(width, 6, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 10)
        facts = [
            _("Đơn vị") + ": " + (row.unit.name if row.unit else "—"),
            _("Loại phản ánh") + ": " + (row.category.name_vi if row.category else "—"),
            _("Ngày gửi") + ": " + to_local(row.submitted_at).strftime("%d/%m/%Y")
            + " · " + _("Ngày trả lời") + ": " + (to_local(row.answered_at).strftime("%d/%m/%Y") if row.answered_at else "—")
            + " · " + _("Ngày công khai") + ": " + to_local(row.published_at).strftime("%d/%m/%Y"),
        ]
        if row.conclusion:
            facts.append(_("Kết luận") + ": " + CONCLUSIONS.get(row.conclusion, row.conclusion))
        for line in facts:
            pdf.multi_cell(width, 5.5, line, new_x="LMARGIN", new_y="NEXT")
        if row.summary:
            pdf.set_font(FONT, "B", 10)
            pdf.multi_cell(width, 5.5, _("Nội dung phản ánh") + ":", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FONT, "", 10)
            pdf.multi_cell(width, 5.5, row.summary, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "B", 10)
        pdf.multi_cell(width, 5.5, _("Trả lời") + ":", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(width, 5.5, row.body, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.ln(2)
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(width, 5, _("Xem toàn văn và tra cứu tại: %(url)s", url=current_app.config["PUBLIC_BASE_URL"] + "/answers"),
                   new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def poster_pdf(unit):
    """Bytes of an A4 poster with the hotlines and a QR code to the unit's feedback form."""
    info = poster_info(unit)
    pdf = _pdf()
    pdf.set_title(_("Đường dây nóng tiếp nhận phản ánh, kiến nghị"))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(width, 9, info["unit_name"].upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, "B", 24)
    pdf.set_text_color(179, 38, 30)
    pdf.multi_cell(width, 12, _("ĐƯỜNG DÂY NÓNG TIẾP NHẬN PHẢN ÁNH, KIẾN NGHỊ"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    pdf.set_font(FONT, "", 13)
    pdf.multi_cell(width, 7, _("về thái độ, tinh thần phục vụ của cán bộ, công chức, viên chức"), align="C",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    lines = []
    if info["unit_hotline"]:
        lines.append((_("Đường dây nóng của đơn vị"), info["unit_hotline"]))
    if info["system_hotline"]:
        lines.append((_("Đường dây nóng của tỉnh"), info["system_hotline"]))
    if info["sms_number"]:
        lines.append((_("Nhắn tin SMS"), info["sms_number"]))
    if info["unit_email"]:
        lines.append((_("Thư điện tử"), info["unit_email"]))
    for label, value in lines:
        pdf.set_font(FONT, "", 15)
        pdf.multi_cell(width, 9, label + ":", align="C", new_x="LMARGIN", new_y="NEXT")
        # One line each, never broken mid-word (an e-mail split in its domain cannot be typed): the font
        # shrinks until the value fits the width.
        size = 26
        pdf.set_font(FONT, "B", size)
        while size > 10 and pdf.get_string_width(value) > width:
            size -= 1
            pdf.set_font(FONT, "B", size)
        pdf.multi_cell(width, size * 0.5, value, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.ln(4)
    size = 70
    pdf.image(qr_image(info["form_url"]), x=(pdf.w - size) / 2, y=pdf.get_y(), w=size, h=size)
    pdf.set_y(pdf.get_y() + size + 3)
    pdf.set_font(FONT, "", 12)
    pdf.multi_cell(width, 7, _("Quét mã QR để gửi phản ánh trực tuyến, có thể gửi ẩn danh."), align="C",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(width, 6, info["form_url"], align="C", new_x="LMARGIN", new_y="NEXT")
    if info["opening_hours"]:
        pdf.ln(3)
        pdf.set_font(FONT, "", 11)
        pdf.multi_cell(width, 6, _("Giờ làm việc") + ": " + info["opening_hours"], align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())

