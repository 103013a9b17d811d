"""A commune's one-stop counter, its people, and a case naming a counter clerk."""
from types import SimpleNamespace

import pytest
from werkzeug.security import generate_password_hash

from feedback.cases.workflow import transition
from feedback.extensions import db
from feedback.intake.services import create_case
from feedback.models import User
from tests import factories

PASSWORD = "correct horse battery"
# One cheap hash for every test user: scrypt per user made each test's set-up take seconds.
FAST_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def fast_user(role, unit, email, full_name="Người dùng thử"):
    user = User(email=email, full_name=full_name, role=role, unit=unit, password_hash=FAST_HASH)
    db.session.add(user)
    db.session.flush()
    return user

TEMPLATE = (
    "Kính gửi Ông/Bà,\n{don_vi} đã nhận phản ánh mã {ma_ho_so} ngày {ngay_tiep_nhan}.\n"
    "Qua xác minh, {ket_luan}.\nTrân trọng."
)
DESCRIPTION = (
    "Tôi tên là Nguyễn Thị Lan, ngày 03/11/2025 tôi đến nộp hồ sơ đăng ký xe 79A-123.45 tại quầy số 3. "
    "Ông Trần Văn Hùng yêu cầu tôi nộp thêm bản sao CCCD 079123456789 không có trong quy định và nói "
    "nếu muốn nhanh thì “bồi dưỡng” 500.000 đồng. Liên hệ tôi: 0905 123 456 hoặc lan.nguyen@gmail.com."
)


def make_world(consent_publish=True, staff_kind="cong_chuc", is_leader=False, category_kind="staff_complaint",
               named=True):
    tree = factories.province_tree()
    counter = tree["counter_a"]
    clerk = factories.staff(counter, full_name="Trần Văn Hùng", position="Công chức Bộ phận Một cửa",
                            staff_kind=staff_kind, is_leader=is_leader)
    clerk_user = fast_user("handler", counter, "hung@example.vn", full_name="Trần Văn Hùng")
    clerk.user_id = clerk_user.id
    handler = fast_user("handler", counter, "handler@example.vn", full_name="Lê Thu Hà")
    head = fast_user("unit_head", counter, "head@example.vn", full_name="Phạm Quốc Bảo")
    other = fast_user("handler", tree["b"], "other@example.vn")
    other_head = fast_user("unit_head", tree["b"], "otherhead@example.vn")
    monitor = fast_user("monitor", tree["monitor"], "monitor@example.vn")
    admin = fast_user("admin", None, "admin@example.vn")
    category = factories.category(kind=category_kind, answer_template=TEMPLATE, name_vi="Thái độ phục vụ")
    result = create_case(
        channel="web", description=DESCRIPTION, category=category, target_unit=tree["a"],
        staff=clerk if named else None,
        contact={"full_name": "Nguyễn Thị Lan", "phone": "+84905123456", "email": "lan.nguyen@gmail.com"},
        consent_publish=consent_publish,
    )
    case = result.complaint
    if not named:
        case.unit = counter
    transition(case, "accepted", actor=head)
    case.assigned_to_id = handler.id
    db.session.commit()
    return SimpleNamespace(tree=tree, counter=counter, clerk=clerk, clerk_user=clerk_user, handler=handler,
                           head=head, other=other, other_head=other_head, monitor=monitor, admin=admin,
                           category=category, case=case)


@pytest.fixture
def world(app):
    return make_world()
