"""Shared builders for the portal tests."""
import io
import os

from PIL import Image

from feedback.extensions import db
from feedback.models import Answer, Complaint
from tests import factories


def png_bytes(size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 30, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def _pdf_bytes():
    """A real one-page PDF (uploads are parsed: a file that only starts with %PDF- is refused)."""
    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(200, 200)
    writer.write(out)
    return out.getvalue()


def heic_bytes():
    import pillow_heif

    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 200, 30)).save(buffer, "HEIF")
    return buffer.getvalue()


PDF_BYTES = _pdf_bytes()
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML_BYTES = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def setup_directory():
    tree = factories.province_tree()
    clerk = factories.staff(tree["counter_a"], full_name="Lê Thị Hoa", position="Công chức một cửa", counter_number="3")
    other = factories.staff(tree["b"], full_name="Phạm Văn Xa", position="Công chức tư pháp")
    cat = factories.category(code="thai-do", name_vi="Thái độ phục vụ")
    db.session.commit()
    return {"tree": tree, "clerk": clerk, "other": other, "category": cat}


def form(**overrides):
    data = {
        "description": "Cán bộ quầy số 3 yêu cầu nộp thêm giấy tờ không có trong quy định.",
        "incident_date": "",
        "incident_place": "Bộ phận Một cửa phường Nha Trang",
        "unit": "XA-A",
        "category": "",
        "staff": "",
        "staff_description": "",
        "contact_mode": "contact",
        "full_name": "Trần Thị Bí Mật",
        "phone": "0905 123 456",
        "email": "",
        "consent_publish": "y",
        "website": "",
        "submission_key": "",
        "submit": "Gửi phản ánh",
    }
    data.update(overrides)
    return data


def upload_files(folder):
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def count_cases():
    return db.session.query(Complaint).count()


def send_answer(complaint, body="Đơn vị đã kiểm tra và chấn chỉnh cán bộ."):
    from feedback.cases.workflow import transition

    transition(complaint, "accepted")
    transition(complaint, "answered")
    from feedback.models import utcnow

    answer = Answer(complaint_id=complaint.id, body=body, status="sent", approved_at=utcnow(), sent_at=utcnow())
    db.session.add(answer)
    db.session.commit()
    return answer
