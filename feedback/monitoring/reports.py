"""Periodic reports of the feedback work (for the administrative-reform report), as XLSX and PDF.

Both formats are written from the same `ReportData`, built from aggregate queries
(rollup tables and GROUP BY in the database): memory depends on the number of
units, categories and named staff, never on the number of cases or ratings.
"""
import os
from dataclasses import dataclass

from feedback.models.case import CHANNELS
from feedback.models.outcome import DISCIPLINE_FORMS, LIGHTER_MEASURES
from feedback.monitoring import queries

FONT_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static", "fonts")


@dataclass
class Table:
    title: str
    headers: list
    rows: list
    totals: list | None = None
    # Column indexes holding percentages (formatted as such).
    percent_columns: tuple = ()


@dataclass
class ReportData:
    title: str
    subtitle: str
    summary: list  # (label, value)
    tables: list  # Table
    trend: list  # (month label, received, on-time share)
    # The administrative document around the figures (Nghị định 30/2020/NĐ-CP): who issues it, to whom.
    issuer: str = "SỞ NỘI VỤ"
    issuer_parent: str = "UBND TỈNH KHÁNH HÒA"
    issued_on: str = ""
    recipients: tuple = ()
    # Who signs (the issuing office's head): position as printed above the signature, and the name below.
    signer_position: str = "THỦ TRƯỞNG CƠ QUAN"
    signer_name: str = ""


def _pct(value):
    return None if value is None else round(value, 1)


def _verdict(row):
    if row.index is not None and row.index >= row.target:
        return "Đạt"
    if row.below_target:
        return "Chưa đạt"
    return "Chưa đủ số liệu"


def build_report_data(root, period, progress=lambda pct: None):
    """Gather every figure of the report for `root`'s subtree over `period`."""
    from sqlalchemy import select

    from feedback.extensions import db
    from feedback.models import DisciplineDecision, Staff

    from feedback.monitoring import plan_each_query

    def step(percent):
        progress(percent)  # may commit (the background job records its progress)
        plan_each_query()

    plan_each_query()
    scope_name = root.name if root is not None else "Toàn tỉnh"
    dashboard = queries.case_dashboard(root, period)
    step(30)
    sat = queries.satisfaction(root, period)
    step(55)
    named = queries.named_staff(root, period.start_utc, period.end_utc)
    step(70)
    decisions = db.session.execute(
        select(DisciplineDecision, Staff)
        .join(Staff, Staff.id == DisciplineDecision.staff_id)
        .where(DisciplineDecision.status.in_(("decided", "no_discipline")),
               Staff.unit_id.in_(queries.subtree_ids(root)),
               DisciplineDecision.updated_at >= period.start_utc, DisciplineDecision.updated_at < period.end_utc)
        .order_by(DisciplineDecision.decision_date, DisciplineDecision.id)
    ).all()
    step(80)

    totals = dashboard.totals
    summary = [
        ("Số phản ánh, kiến nghị tiếp nhận", totals.received),
        ("Số đã trả lời", totals.answered),
        ("Số trả lời đúng hạn", totals.on_time),
        ("Tỷ lệ trả lời đúng hạn (%)", _pct(totals.on_time_share)),
        ("Thời gian trả lời trung bình (ngày)", totals.average_days),
        ("Đang xử lý (hiện tại)", dashboard.open_now),
        ("Quá hạn (hiện tại)", dashboard.overdue_now),
        ("Số lượt đánh giá mức độ hài lòng", sat["overall"].total),
        ("Chỉ số hài lòng (%)", _pct(sat["overall"].index)),
        ("Chỉ tiêu hài lòng năm (%)", sat["target"]),
        ("Cán bộ bị phản ánh đích danh", len(named)),
        ("Quyết định kỷ luật", sum(1 for d, _s in decisions if d.status == "decided")),
    ]

    def figure_row(label, f):
        return [label, f.received, f.answered, f.on_time, _pct(f.on_time_share), f.average_days]

    case_headers = ["", "Tiếp nhận", "Đã trả lời", "Đúng hạn", "Tỷ lệ đúng hạn (%)", "TB ngày trả lời"]
    total_row = figure_row("Tổng cộng", totals)
    tables = [
        Table("Theo đơn vị", ["Đơn vị"] + case_headers[1:] + ["Đang xử lý", "Quá hạn"],
              [figure_row(u.name, f) + [o, d] for u, f, o, d in dashboard.by_unit],
              total_row + [dashboard.open_now, dashboard.overdue_now], percent_columns=(4,)),
        Table("Theo loại phản ánh", ["Loại phản ánh"] + case_headers[1:],
              [figure_row(name, f) for name, f in dashboard.by_category], total_row, percent_columns=(4,)),
        Table("Theo kênh tiếp nhận", ["Kênh"] + case_headers[1:],
              [figure_row(str(CHANNELS.get(c, c)), f) for c, f in dashboard.by_channel], total_row,
              percent_columns=(4,)),
        Table("Mức độ hài lòng theo đơn vị",
              ["Đơn vị", "Lượt đánh giá", "Hài lòng, rất hài lòng", "Chỉ số (%)", "Chỉ tiêu (%)", "Đạt"],
              [[r.label, r.total, r.satisfied, _pct(r.index), r.target, _verdict(r)] for r in sat["units"]],
              ["Tổng cộng", sat["overall"].total, sat["overall"].satisfied, _pct(sat["overall"].index),
               sat["target"], ""], percent_columns=(3, 4)),
        Table("Mức độ hài lòng theo cán bộ",
              ["Cán bộ", "Lượt đánh giá", "Hài lòng, rất hài lòng", "Chỉ số (%)"],
              [[r.label, r.total, r.satisfied, _pct(r.index)] for r in sat["staff"]], None, percent_columns=(3,)),
        Table("Cán bộ bị phản ánh đích danh",
              ["Cán bộ", "Chức vụ", "Đơn vị", "Số lần bị phản ánh", "Số lần đúng", "Số lần bị kỷ luật"],
              [[r.staff.full_name, r.staff.position, r.staff.unit.name, r.named, r.substantiated, r.disciplined]
               for r in named],
              ["Tổng cộng", "", "", sum(r.named for r in named), sum(r.substantiated for r in named),
               sum(r.disciplined for r in named)]),
        Table("Kết quả xử lý kỷ luật",
              ["Cán bộ", "Đơn vị", "Hình thức", "Số quyết định", "Ngày", "Người ký"],
              [[s.full_name, s.unit.name,
                DISCIPLINE_FORMS.get(d.form) if d.status == "decided" else
                "Không kỷ luật — " + LIGHTER_MEASURES.get(d.lighter_measure or "", d.lighter_measure or ""),
                d.decision_number or "", d.decision_date.strftime("%d/%m/%Y") if d.decision_date else "",
                d.signer or ""] for d, s in decisions]),
    ]
    trend = [(m.strftime("%m/%Y"), f.received, f.on_time_share) for m, f in dashboard.trend]
    step(90)
    from feedback.calendar import local_today

    office = root.monitoring_office() if root is not None else _province_monitoring_office()
    issuer = (office.name if office is not None else "Sở Nội vụ tỉnh Khánh Hòa").upper()
    parent = (office.parent.name if office is not None and office.parent is not None else "UBND tỉnh Khánh Hòa")
    today = local_today()
    return ReportData(
        title="BÁO CÁO CÔNG TÁC TIẾP NHẬN, XỬ LÝ PHẢN ÁNH, KIẾN NGHỊ",
        subtitle=f"{scope_name} — {period.label}",
        summary=summary,
        tables=tables,
        trend=trend,
        issuer=issuer,
        issuer_parent=parent.upper(),
        issued_on=f"Khánh Hòa, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}",
        recipients=(f"- {parent} (để báo cáo);", f"- Các đơn vị thuộc {scope_name};", "- Lưu: VT."),
        signer_position=(office.head.position.upper() if office is not None and office.head is not None
                         else "THỦ TRƯỞNG CƠ QUAN"),
        signer_name=office.head.full_name if office is not None and office.head is not None else "",
    )


def _province_monitoring_office():
    """The whole province's report is issued by the monitoring office under the top unit (Sở Nội vụ)."""
    from feedback.models import Unit

    top = Unit.top()
    return top.monitoring_office() if top is not None else None


def write_xlsx(data, path):
    """One sheet per table, bold headers, totals, column widths, percentages formatted."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    header_fill = PatternFill("solid", fgColor="B3261E")
    header_font = Font(bold=True, color="FFFFFF")
    thin = Side(style="thin", color="BBBBBB")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    sheet = book.active
    sheet.title = "Tổng hợp"
    first_summary_row = _xlsx_document_heading(sheet, data)
    for index, (label, value) in enumerate(data.summary, start=first_summary_row):
        sheet.cell(index, 1, label).border = border
        cell = sheet.cell(index, 2, value)
        cell.border = border
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 16
    trend_row = first_summary_row + len(data.summary) + 2
    sheet.cell(trend_row, 1, "Tháng").font = Font(bold=True)
    sheet.cell(trend_row, 2, "Tiếp nhận").font = Font(bold=True)
    sheet.cell(trend_row, 3, "Tỷ lệ đúng hạn (%)").font = Font(bold=True)
    for offset, (label, received, on_time) in enumerate(data.trend, start=1):
        sheet.cell(trend_row + offset, 1, label)
        sheet.cell(trend_row + offset, 2, received)
        sheet.cell(trend_row + offset, 3, on_time)
    chart = BarChart()
    chart.title = "Số phản ánh tiếp nhận theo tháng"
    chart.add_data(Reference(sheet, min_col=2, min_row=trend_row, max_row=trend_row + len(data.trend)),
                   titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=trend_row + 1, max_row=trend_row + len(data.trend)))
    sheet.add_chart(chart, f"E{first_summary_row}")
    _xlsx_signature_block(sheet, data, trend_row + len(data.trend) + 3)

    used = set()
    for table in data.tables:
        name = table.title[:31]
        while name in used:
            name = name[:29] + "_2"
        used.add(name)
        sheet = book.create_sheet(name)
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([data.subtitle])
        sheet.append([])
        sheet.append(table.headers)
        for cell in sheet[4]:
            cell.fill, cell.font, cell.border = header_fill, header_font, border
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in table.rows:
            sheet.append(row)
        if table.totals:
            sheet.append(table.totals)
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        for row in sheet.iter_rows(min_row=5, max_row=sheet.max_row):
            for cell in row:
                cell.border = border
                if cell.column - 1 in table.percent_columns and isinstance(cell.value, (int, float)):
                    cell.number_format = "0.0"
        for index, header in enumerate(table.headers, start=1):
            width = max([len(str(header))] + [len(str(r[index - 1] or "")) for r in table.rows[:500]])
            sheet.column_dimensions[get_column_letter(index)].width = min(max(10, width + 2), 60)
        sheet.freeze_panes = "A5"
    book.save(path)


def _xlsx_document_heading(sheet, data):
    """The báo cáo's heading on the summary sheet (Nghị định 30/2020/NĐ-CP): issuing body left, Quốc hiệu
    and Tiêu ngữ right, number, place and date, title. Returns the first free row."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.page import PageMargins

    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    lines = [((data.issuer_parent, False), ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True)),
             ((data.issuer, True), ("Độc lập - Tự do - Hạnh phúc", True)),
             (("Số:       /BC-PAKN", False), (data.issued_on, False))]
    for row, ((left, left_bold), (right, right_bold)) in enumerate(lines, start=1):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        sheet.merge_cells(start_row=row, start_column=4, end_row=row, end_column=9)
        sheet.cell(row, 1, left).font = Font(bold=left_bold)
        sheet.cell(row, 4, right).font = Font(bold=right_bold, italic=row == 3)
        sheet.cell(row, 1).alignment = sheet.cell(row, 4).alignment = centred
    sheet.merge_cells("A5:I5")
    sheet["A5"] = data.title
    sheet["A5"].font, sheet["A5"].alignment = Font(bold=True, size=14), centred
    sheet.merge_cells("A6:I6")
    sheet["A6"] = data.subtitle
    sheet["A6"].alignment = centred
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.6, right=0.4, top=0.6, bottom=0.6)
    return 8


def _xlsx_signature_block(sheet, data, row):
    """Nơi nhận (left) and the signer's position, the signing note and name (right)."""
    from openpyxl.styles import Alignment, Font

    sheet.cell(row, 1, "Nơi nhận:").font = Font(bold=True, italic=True)
    for offset, line in enumerate(data.recipients, start=1):
        sheet.cell(row + offset, 1, line)
    centred = Alignment(horizontal="center")
    for offset, (text, font) in enumerate(((data.signer_position, Font(bold=True)),
                                           ("(Ký, ghi rõ họ tên, đóng dấu)", Font(italic=True)))):
        sheet.merge_cells(start_row=row + offset, start_column=4, end_row=row + offset, end_column=9)
        cell = sheet.cell(row + offset, 4, text)
        cell.font, cell.alignment = font, centred
    if data.signer_name:
        name_row = row + 6
        sheet.merge_cells(start_row=name_row, start_column=4, end_row=name_row, end_column=9)
        cell = sheet.cell(name_row, 4, data.signer_name)
        cell.font, cell.alignment = Font(bold=True), centred


def _font_path(name):
    for folder in (FONT_DIR, "/usr/share/fonts/truetype/dejavu"):
        candidate = os.path.join(folder, name)
        if os.path.exists(candidate):
            return candidate
    raise RuntimeError(f"font {name} not found (vendored under feedback/static/fonts)")


def write_pdf(data, path):
    """Headings, tables and a bar chart, in Vietnamese with DejaVu Sans."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font("DejaVu", "", _font_path("DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", _font_path("DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_page()
    _document_heading(pdf, data)
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 8, data.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(0, 7, data.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 8, "1. Tổng hợp", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    with pdf.table(col_widths=(120, 40), width=160, align="LEFT", first_row_as_headings=False) as table:
        for label, value in data.summary:
            row = table.row()
            row.cell(label)
            row.cell("" if value is None else str(value))
    pdf.ln(4)
    _bar_chart(pdf, "Số phản ánh tiếp nhận theo tháng", data.trend)
    _signature_block(pdf, data)
    heading = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=(179, 38, 30))
    for number, table_data in enumerate(data.tables, start=2):
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 12)
        pdf.cell(0, 8, f"{number}. {table_data.title}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        rows = table_data.rows + ([table_data.totals] if table_data.totals else [])
        if not rows:
            pdf.cell(0, 8, "Không có số liệu trong kỳ.", new_x="LMARGIN", new_y="NEXT")
            continue
        first = 90 if len(table_data.headers) > 4 else 120
        widths = [first] + [(277 - first) / (len(table_data.headers) - 1)] * (len(table_data.headers) - 1)
        for index, chunk in enumerate(_page_chunks(pdf, widths, table_data.headers, rows)):
            if index:
                pdf.add_page()
            with pdf.table(col_widths=widths, headings_style=heading, line_height=TABLE_LINE,
                           text_align="LEFT") as table:
                header = table.row()
                for title in table_data.headers:
                    header.cell(str(title))
                for values in chunk:
                    row = table.row()
                    for value in values:
                        row.cell("" if value is None else str(value))
    pdf.output(path)


TABLE_LINE = 6
# A table's last page holds at least this many rows: a page with one or two rows cannot be filed.
MIN_ROWS_ON_A_PAGE = 3


def _row_height(pdf, widths, values):
    """The height fpdf2 will give a table row: its tallest cell's wrapped lines, plus padding."""
    lines = 1
    for width, value in zip(widths, values):
        text = "" if value is None else str(value)
        if text:
            lines = max(lines, len(pdf.multi_cell(width - 2, TABLE_LINE, text, dry_run=True, output="LINES")))
    return lines * TABLE_LINE + 2


def _page_chunks(pdf, widths, headers, rows):
    """Rows split into the pages they will fill from the current position (the header repeated on each),
    with rows moved forward so that no page ends up holding one or two rows alone."""
    header = _row_height(pdf, widths, headers)
    room = pdf.h - pdf.b_margin - pdf.get_y() - header
    full_page = pdf.h - pdf.b_margin - pdf.t_margin - header
    chunks, chunk, used = [], [], 0
    for values in rows:
        height = _row_height(pdf, widths, values) * 1.1  # a margin for the estimate
        if chunk and used + height > room:
            chunks.append(chunk)
            chunk, used, room = [], 0, full_page
        chunk.append(values)
        used += height
    chunks.append(chunk)
    if len(chunks) > 1 and len(chunks[-1]) < MIN_ROWS_ON_A_PAGE:
        moved = MIN_ROWS_ON_A_PAGE - len(chunks[-1])
        chunks[-1] = chunks[-2][-moved:] + chunks[-1]
        chunks[-2] = chunks[-2][:-moved]
    return chunks


def _document_heading(pdf, data):
    """Issuing body (left) and Quốc hiệu, Tiêu ngữ (right), then the number and the place and date."""
    half = pdf.epw / 2
    top = pdf.get_y()
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(half, 5, data.issuer_parent, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(half, 5, data.issuer, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(half, 6, "Số:       /BC-PAKN", align="C", new_x="LMARGIN", new_y="NEXT")
    left_bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(half, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LEFT", new_y="NEXT")
    pdf.multi_cell(half, 5, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(half, 6, data.issued_on, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 4)


def _signature_block(pdf, data):
    """Nơi nhận (left) and the signer's position and name, to be signed (right)."""
    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
    pdf.ln(4)
    half = pdf.epw / 2
    top = pdf.get_y()
    pdf.set_font("DejaVu", "B", 9)
    pdf.multi_cell(half, 5, "Nơi nhận:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    for line in data.recipients:
        pdf.multi_cell(half, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(half, 6, data.signer_position, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(half, 5, "(Ký, ghi rõ họ tên, đóng dấu)", align="C", new_x="LEFT", new_y="NEXT")
    if data.signer_name:
        pdf.ln(18)
        pdf.set_x(pdf.l_margin + half)
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(half, 6, data.signer_name, align="C", new_x="LMARGIN", new_y="NEXT")


def _bar_chart(pdf, title, series):
    """A simple bar chart of (label, value, ...) drawn with rectangles."""
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    values = [s[1] or 0 for s in series]
    top = max(values + [1])
    x0, y0, height = pdf.l_margin + 5, pdf.get_y() + 2, 45
    bar_width = min(16, (pdf.w - 2 * pdf.l_margin - 10) / max(1, len(series)) - 3)
    pdf.set_font("DejaVu", "", 7)
    for index, (label, value, *_rest) in enumerate(series):
        value = value or 0
        bar = height * value / top
        x = x0 + index * (bar_width + 3)
        pdf.set_fill_color(179, 38, 30)
        if bar > 0:
            pdf.rect(x, y0 + height - bar, bar_width, bar, style="F")
        pdf.text(x, y0 + height - bar - 1, str(value))
        pdf.text(x, y0 + height + 4, label)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_y(y0 + height + 8)


def build_report(root, period, fmt, path, progress=lambda pct: None):
    """Build the report file at `path`; `progress` is called with 0-100."""
    if fmt not in ("xlsx", "pdf"):
        raise ValueError("Định dạng phải là xlsx hoặc pdf.")
    progress(5)
    data = build_report_data(root, period, progress)
    (write_xlsx if fmt == "xlsx" else write_pdf)(data, path)
    progress(100)
    return path
