"""The board's filters, the answer page, the Atom feed, the notice-board PDF and the poster."""
import subprocess
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from feedback.extensions import db
from feedback.models import Answer, utcnow
from feedback.publication.printing import qr_svg
from tests import factories
from tests.publication.helpers import at, publish

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def board(app):
    tree = factories.province_tree()
    rude = factories.category("thai-do", name_vi="Thái độ phục vụ")
    papers = factories.category("giay-to", name_vi="Yêu cầu giấy tờ ngoài quy định")
    rows = {
        "counter": publish(tree["counter_a"], rude, "Công chức một cửa nói trống không", "Đã nhắc nhở công chức.",
                           conclusion="substantiated", published_at=at(2026, 7, 10)),
        "ward": publish(tree["a"], papers, "Yêu cầu bản sao giấy khai sinh", "Đã hướng dẫn lại.",
                        conclusion="unsubstantiated", published_at=at(2026, 7, 20)),
        "commune": publish(tree["b"], rude, "Cán bộ xã Cam Lâm vắng mặt", "Đã kiểm điểm.",
                           conclusion="partly", published_at=at(2026, 8, 2)),
    }
    db.session.commit()
    return tree, rows


def listed(client, url):
    response = client.get(url)
    html = response.get_data(as_text=True)
    return response.status_code, html


def test_filters_unit_subtree_category_conclusion_and_period(client, board):
    _tree, rows = board
    status, html = listed(client, "/answers?unit=XA-A")
    assert status == 200 and "nói trống không" in html and "khai sinh" in html and "vắng mặt" not in html
    assert '<span class="badge">Không đúng</span>' in html and '<span class="badge">Đúng</span>' in html
    _s, html = listed(client, "/answers?category=thai-do")
    assert "nói trống không" in html and "vắng mặt" in html and "khai sinh" not in html
    _s, html = listed(client, "/answers?conclusion=partly")
    assert "vắng mặt" in html and "nói trống không" not in html
    _s, html = listed(client, "/answers?from=2026-07-15&to=2026-07-31")
    assert "khai sinh" in html and "nói trống không" not in html and "vắng mặt" not in html


@pytest.mark.parametrize("query, message", [
    ("unit=NOPE", "Không tìm thấy đơn vị này."),
    ("category=nope", "Không tìm thấy loại phản ánh này."),
    ("conclusion=maybe", "Kết luận không hợp lệ."),
    ("from=31-07-2026", "Ngày không hợp lệ"),
    ("from=2026-08-01&to=2026-07-01", "Ngày kết thúc phải sau ngày bắt đầu."),
])
def test_bad_filters_get_a_clear_message(client, board, query, message):
    status, html = listed(client, "/answers?" + query)
    assert status == 400
    assert message in html


def test_answer_page_at_its_stable_address(client, board):
    _tree, rows = board
    answer = rows["counter"]
    status, html = listed(client, f"/answers/{answer.public_ref}")
    assert status == 200
    for text in ("Công chức một cửa nói trống không", "Đã nhắc nhở công chức.", "Bộ phận Một cửa phường Nha Trang",
                 "Thái độ phục vụ", "Đúng", "10/07/2026"):
        assert text in html
    board_html = listed(client, "/answers")[1]
    assert f'href="/answers/{answer.public_ref}"' in board_html
    assert client.get("/answers/NOPE123").status_code == 404


def test_unpublishing_removes_the_answer_everywhere(client, board):
    _tree, rows = board
    answer = db.session.get(Answer, rows["ward"].id)
    answer.published_at = None
    db.session.commit()
    assert client.get(f"/answers/{answer.public_ref}").status_code == 404
    assert "khai sinh" not in listed(client, "/answers")[1]


def test_atom_feed_per_unit(client, board):
    _tree, rows = board
    response = client.get("/answers/feed/XA-A.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == [
        f"https://hotline.example.vn/answers/{rows['ward'].public_ref}",
        f"https://hotline.example.vn/answers/{rows['counter'].public_ref}",
    ]
    assert entries[0].find(f"{ATOM}summary").text == "Yêu cầu bản sao giấy khai sinh"
    assert "Phường Nha Trang" in feed.find(f"{ATOM}title").text
    assert client.get("/answers/feed/NOPE.atom").status_code == 404


def pdf_text(data, tmp_path):
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return " ".join(text.split())  # lines wrapped by the layout


def test_month_pdf_for_the_notice_board(client, board, tmp_path):
    response = client.get("/units/XA-A/answers-2026-07.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    for words in ("PHƯỜNG NHA TRANG", "THÁNG 07/2026", "Công chức một cửa nói trống không",
                  "Yêu cầu bản sao giấy khai sinh", "Đã hướng dẫn lại.", "Thái độ phục vụ", "Kết luận: Không đúng"):
        assert words in text
    assert "vắng mặt" not in text  # another unit
    empty = pdf_text(client.get("/units/XA-B/answers-2026-07.pdf").data, tmp_path)
    assert "không có câu trả lời nào" in empty
    assert client.get("/units/XA-A/answers-2026-13.pdf").status_code == 404
    assert client.get("/units/NOPE/answers-2026-07.pdf").status_code == 404


def test_poster_html_and_pdf(client, app, board, tmp_path):
    tree, _rows = board
    tree["b"].hotline = "0258 3854 123"
    db.session.commit()
    app.config["TWILIO_PHONE_NUMBER"] = "+15005550006"
    try:
        html = client.get("/units/XA-B/poster").get_data(as_text=True)
        target = "https://hotline.example.vn/gui-phan-anh?unit=XA-B"
        assert "0258 3854 123" in html and "1022" in html and "+15005550006" in html
        assert f'data-target="{target}"' in html
        # The QR code drawn is exactly the code for the form's address.
        assert str(qr_svg(target)) in html
        text = pdf_text(client.get("/units/XA-B/poster.pdf").data, tmp_path)
        for words in ("ĐƯỜNG DÂY NÓNG TIẾP NHẬN PHẢN ÁNH, KIẾN NGHỊ", "XÃ CAM LÂM", "0258 3854 123", "1022",
                      "+15005550006", target):
            assert words in text
    finally:
        app.config["TWILIO_PHONE_NUMBER"] = ""


def test_reindex_command_rebuilds_the_index(runner, board):
    _tree, rows = board
    db.session.execute(db.text("DELETE FROM published_answers"))
    db.session.commit()
    result = runner.invoke(args=["publication", "reindex"])
    assert result.exit_code == 0, result.output
    assert "3 published answers indexed" in result.output


def test_new_answers_appear_after_publication_without_reindex(client, board):
    tree, _rows = board
    publish(tree["b"], None, "Phản ánh mới về đường giao thông", "Đã tiếp thu.", published_at=utcnow() - timedelta(minutes=1))
    db.session.commit()
    assert "Phản ánh mới về đường giao thông" in listed(client, "/answers?q=duong+giao+thong")[1]


def test_the_notice_board_pdf_is_linked_from_a_units_answers(client, board):
    """Issue 14: the monthly notice-board PDF existed but no page linked to it."""
    from feedback.calendar import local_today

    tree, _rows = board
    code = tree["a"].code
    page = client.get(f"/answers?unit={code}").get_data(as_text=True)
    month = local_today().strftime("%Y-%m")
    assert f'id="notice-board" href="/units/{code}/answers-{month}.pdf"' in page
    assert client.get(f"/units/{code}/answers-{month}.pdf").status_code == 200


def test_the_poster_pdf_keeps_a_long_email_on_one_line(client, board, tmp_path):
    """Issue 14: the poster PDF broke the e-mail in the middle of its domain."""
    tree, _rows = board
    email = "bophanmotcua.phuongnhatrang.khanhhoa@khanhhoa.gov.vn"
    tree["b"].email = email
    db.session.commit()
    lines = pdf_text(client.get("/units/XA-B/poster.pdf").data, tmp_path).splitlines()
    assert any(email in line for line in lines), [line for line in lines if "@" in line or "khanhhoa" in line]
