"""feedback.redaction on texts as citizens and handlers write them."""
from types import SimpleNamespace

import pytest

from feedback.redaction import PLACEHOLDER, fold, redact, redact_for_case

CLERK = SimpleNamespace(full_name="Trần Văn Hùng", position="Công chức Bộ phận Một cửa")


@pytest.mark.parametrize("phone", [
    "0905 123 456", "0905.123.456", "0905123456", "0905-123-456", "+84 905123456", "+84905123456",
    "+84 905 123 456", "(+84) 905 123 456", "0084 905 123 456", "0258 3822 123", "0258.3822.123",
    "(0258) 3822 123", "02583822123", "024 3825 1234", "09 05 12 34 56",
])
def test_phone_numbers(phone):
    text = f"Xin liên hệ số {phone} để được hỗ trợ."
    assert redact(text) == f"Xin liên hệ số {PLACEHOLDER} để được hỗ trợ."


@pytest.mark.parametrize("text", [
    "Tôi nộp hồ sơ ngày 05.12.2025 lúc 14:30 và đóng 500.000 đồng.",
    "Hồ sơ số 123/2025/HS-UBND, biên nhận 2025-000123.",
    "Đường dây nóng 1022 và tổng đài 1900 1234.",
    "Quầy số 3, tầng 2, số 45 đường Trần Phú.",
    "Phí 1.250.000 đồng; lệ phí 50.000 đồng.",
])
def test_ordinary_numbers_stay(text):
    assert redact(text) == text


def test_identity_numbers_emails_and_plates():
    text = ("CCCD của tôi là 079123456789 (cấp ngày 10/10/2021), CMND cũ 225123456, CCCD viết tách 079 123 456 789. "
            "Thư điện tử: nguyen.thi.lan+pakn@gmail.com hoặc lan_nt@khanhhoa.gov.vn. "
            "Xe ô tô 79A-123.45, xe máy 79-A1 123.45, xe tải 51F12345, xe con 51G 888.88, 79C1-234.56.")
    out = redact(text)
    for secret in ("079123456789", "225123456", "079 123 456 789", "gmail.com", "khanhhoa.gov.vn", "79A-123.45",
                   "79-A1 123.45", "51F12345", "51G 888.88", "79C1-234.56"):
        assert secret not in out, secret
    assert out.count(PLACEHOLDER) == 10
    assert "cấp ngày 10/10/2021" in out


def test_complainant_name_in_all_its_forms():
    text = ("Tôi tên là Nguyễn Thị Lan, ở phường Nha Trang. Cán bộ gọi tôi là \"chị Lan\" rồi bảo Thị Lan về đi. "
            "Ký tên: NGUYỄN THỊ LAN. Gửi từ nguyen thi lan. Chị Lan Anh ở cùng tổ không liên quan.")
    out = redact(text, names=["Nguyễn Thị Lan"])
    assert "Nguyễn Thị Lan" not in out and "NGUYỄN THỊ LAN" not in out and "nguyen thi lan" not in out
    assert "Thị Lan" not in out and "chị Lan\"" not in out
    assert out.startswith(f"Tôi tên là {PLACEHOLDER}, ở phường Nha Trang.")
    assert f"\"chị {PLACEHOLDER}\"" in out
    assert "phường Nha Trang" in out  # places are not names


@pytest.mark.parametrize("text, expected", [
    ("Tên tôi là Lê Minh Tuấn, nhà ở Cam Lâm.", f"Tên tôi là {PLACEHOLDER}, nhà ở Cam Lâm."),
    ("Họ và tên: Phạm Thị Hồng Nhung. Địa chỉ: Diên Khánh.", f"Họ và tên: {PLACEHOLDER}. Địa chỉ: Diên Khánh."),
    ("tôi tên là Đặng Văn Đức, xin phản ánh", f"tôi tên là {PLACEHOLDER}, xin phản ánh"),
    ("Tôi là Võ Thanh Sơn, công dân xã Cam Lâm.", f"Tôi là {PLACEHOLDER}, công dân xã Cam Lâm."),
    ("Tôi là người dân phường Nha Trang.", "Tôi là người dân phường Nha Trang."),
    ("Toi ten la Hoang Van Nam, sdt 0912345678.", f"Toi ten la {PLACEHOLDER}, sdt {PLACEHOLDER}."),
])
def test_self_introductions(text, expected):
    assert redact(text) == expected


def test_staff_named_by_position_unless_policy_allows(app):
    text = "Ông Trần Văn Hùng ở quầy 3 nói chuyện điện thoại riêng; anh Hùng còn quát người dân. Văn Hùng không xin lỗi."
    out = redact(text, staff=CLERK)
    assert "Hùng" not in out
    assert out.startswith("Công chức Bộ phận Một cửa ở quầy 3")
    assert "; Công chức Bộ phận Một cửa còn quát" in out
    assert redact(text, staff=CLERK, keep_staff_names=True) == text
    app.config["PUBLISH_STAFF_NAMES"] = True
    try:
        assert "Trần Văn Hùng" in redact(text, staff=CLERK)
    finally:
        app.config["PUBLISH_STAFF_NAMES"] = False
    assert "Trần Văn Hùng" not in redact(text, staff=CLERK)


def test_redact_for_case_and_idempotence(app):
    person = SimpleNamespace(full_name="Nguyễn Thị Lan", phone="+84905123456", email="lan.nguyen@gmail.com",
                             address="Tổ 5, thôn Đắc Lộc, xã Vĩnh Phương")
    case = SimpleNamespace(complainant=person, staff=CLERK)
    text = ("Kính gửi bà Nguyễn Thị Lan (Tổ 5, thôn Đắc Lộc, xã Vĩnh Phương; ĐT 0905 123 456). "
            "Ông Trần Văn Hùng, công chức quầy 3, đã bị kiểm điểm. Biển số xe của bà 79A-123.45 đã được trả giấy tờ.")
    once = redact_for_case(text, case)
    for secret in ("Nguyễn Thị Lan", "Đắc Lộc", "0905 123 456", "Trần Văn Hùng", "79A-123.45"):
        assert secret not in once, secret
    assert "Công chức Bộ phận Một cửa, công chức quầy 3, đã bị kiểm điểm" in once
    assert redact_for_case(once, case) == once
    anonymous = SimpleNamespace(complainant=None, staff=None)
    assert redact_for_case("Quầy 3 đòi 200.000 đồng, gọi 0912 345 678.", anonymous) == (
        f"Quầy 3 đòi 200.000 đồng, gọi {PLACEHOLDER}.")


def test_fold_keeps_length_and_handles_d_stroke():
    for text in ("Đặng Thị Ngọc Ánh", "ĐỖ VĂN ĐỨC", "Nguyễn"):
        assert len(fold(text)) == len(text)
    assert fold("Đặng Thị Ngọc Ánh") == "dang thi ngoc anh"


def test_decomposed_input_is_normalised():
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Tôi tên là Nguyễn Thị Lan.")
    assert redact(decomposed, names=["Nguyễn Thị Lan"]) == f"Tôi tên là {PLACEHOLDER}."


def test_a_title_before_the_name_is_not_said_twice():
    """Issue 14: the public answer read "công chức Công chức Tư pháp - Hộ tịch"."""
    from types import SimpleNamespace

    from feedback.redaction import redact

    staff = SimpleNamespace(full_name="Lê Văn Tám", position="Công chức Tư pháp - Hộ tịch")
    text = redact("Công chức Lê Văn Tám thái độ kém; tôi đã hỏi cán bộ Lê Văn Tám hai lần.", staff=staff,
                  keep_staff_names=False)
    assert text == "Công chức Tư pháp - Hộ tịch thái độ kém; tôi đã hỏi Công chức Tư pháp - Hộ tịch hai lần."
