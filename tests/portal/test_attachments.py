"""The shared attachment module: type by content, size limit, random stored name, sha256."""
import hashlib
import io
import os

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from feedback import attachments
from feedback.extensions import db
from feedback.intake.services import create_case
from feedback.models import Attachment
from tests.portal.helpers import EXE_BYTES, HTML_BYTES, PDF_BYTES, heic_bytes, jpeg_bytes, png_bytes

HEIC_BYTES = heic_bytes()


def _webp():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "WEBP")
    return buffer.getvalue()


def _upload(data, name):
    return FileStorage(stream=io.BytesIO(data), filename=name)


@pytest.mark.parametrize("data, name, mime", [
    (jpeg_bytes(), "a.jpg", "image/jpeg"),
    (png_bytes(), "a.PNG", "image/png"),
    (_webp(), "a.webp", "image/webp"),
    (HEIC_BYTES, "IMG_0001.HEIC", "image/jpeg"),  # iPhone photos are stored as JPEG
    (PDF_BYTES, "don.pdf", "application/pdf"),
    (png_bytes(), "anh-khong-duoi", "image/png"),
])
def test_accepted_by_content_whatever_the_name(app, data, name, mime):
    checked = attachments.inspect(_upload(data, name))
    assert checked.content_type == mime
    if mime == "application/pdf":
        assert checked.data == data  # checked by a parser, stored as sent
    else:  # decoded and saved afresh: the same picture
        assert Image.open(io.BytesIO(checked.data)).size == Image.open(io.BytesIO(data)).size


@pytest.mark.parametrize("data, name", [
    (EXE_BYTES, "anh.jpg"),
    (HTML_BYTES, "anh.png"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', "anh.svg"),
    (b"PK\x03\x04" + b"\x00" * 100, "tai-lieu.pdf"),
])
def test_disguised_files_refused_with_vietnamese_message(app, data, name):
    with pytest.raises(ValueError, match=f"Tệp “{name}” không được chấp nhận: chỉ nhận ảnh"):
        attachments.inspect(_upload(data, name))


def test_size_limit_and_empty_file(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_ATTACHMENT_BYTES", 1024 * 1024)
    with pytest.raises(ValueError, match="quá lớn: tối đa 1 MB mỗi tệp"):
        attachments.inspect(_upload(PDF_BYTES + b"0" * (1024 * 1024), "lon.pdf"))
    assert attachments.inspect(_upload(PDF_BYTES + b"0" * 1000, "vua.pdf")).size == len(PDF_BYTES) + 1000
    with pytest.raises(ValueError, match="trống"):
        attachments.inspect(_upload(b"", "rong.pdf"))


def test_path_parts_and_control_characters_removed_from_the_name(app):
    checked = attachments.inspect(_upload(PDF_BYTES, "..\\..\\etc/pass\x00wd.pdf"))
    assert checked.original_name == "passwd.pdf"


def test_store_writes_random_name_sha256_and_discard_removes(app):
    case = create_case(channel="web", description="Có tệp", send_ack=False).complaint
    row = attachments.save_upload(_upload(jpeg_bytes(), "anh.jpg"), case)
    db.session.commit()
    stored = db.session.get(Attachment, row.id)
    with open(attachments.path_of(stored), "rb") as handle:
        data = handle.read()
    assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.size == len(data)
    assert stored.stored_name.endswith(".jpg") and len(stored.stored_name) == 36 and "anh" not in stored.stored_name
    with open(attachments.path_of(stored), "rb") as handle:
        assert handle.read() == data
    attachments.discard([stored])
    assert not os.path.exists(attachments.path_of(stored))


def test_inspect_all_ignores_empty_fields_and_caps_count(app):
    assert attachments.inspect_all([_upload(b"", ""), None]) == []
    with pytest.raises(ValueError, match="tối đa 3 tệp"):
        attachments.inspect_all([_upload(PDF_BYTES, f"{i}.pdf") for i in range(4)])


def test_fold_used_by_the_unit_search():
    from feedback.text import fold

    assert fold("Phường Nha Trang") == "phuong nha trang"
    assert fold("ĐẶC KHU Trường Sa, đội") == "dac khu truong sa, doi"


def _png_with(tail=b"", size=(8, 8), exif=False):
    image = Image.new("RGB", size, (200, 30, 30))
    buffer = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x8825] = {2: (10.0, 30.0, 0.0)}  # GPS latitude: where the photo was taken
        data[0x010F] = "Điện thoại của người dân"
        image.save(buffer, "JPEG", exif=data)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue() + tail


def test_an_image_with_an_html_tail_is_stored_without_it(app):
    """Finding: uploads were judged by their first bytes only (a PNG with an HTML tail was kept whole)."""
    checked = attachments.inspect(_upload(_png_with(b"<html><script>alert(1)</script></html>"), "anh.png"))
    assert b"<script" not in checked.data and checked.content_type == "image/png"


def test_metadata_is_stripped_from_photos(app):
    photo = _png_with(exif=True)
    assert Image.open(io.BytesIO(photo)).getexif()
    checked = attachments.inspect(_upload(photo, "anh.jpg"))
    assert not Image.open(io.BytesIO(checked.data)).getexif()


def test_a_pixel_bomb_is_refused_before_decoding(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_IMAGE_PIXELS", 1_000_000)
    with pytest.raises(ValueError, match="quá lớn"):
        attachments.inspect(_upload(_png_with(size=(2000, 2000)), "bom.png"))


def test_a_file_that_only_starts_like_a_pdf_is_refused(app):
    fake = b"%PDF-1.4\n" + b"<!doctype html><html><body><script>alert(1)</script></body></html>"
    with pytest.raises(ValueError, match="không được chấp nhận"):
        attachments.inspect(_upload(fake, "don.pdf"))
