"""Findings of the attack review: administrators saw complainants through the operator console; the audit
view was not scoped (a commune monitor read the province's trail, phone numbers included)."""
from sqlalchemy import select

from feedback import audit
from feedback.extensions import db
from feedback.hotline.services import opt_out
from feedback.intake.services import create_case
from feedback.models import AuditEvent
from tests import factories
from tests.conftest import login

PHONE = "+84905123456"


def _world():
    tree = factories.province_tree()
    office_a = factories.unit("XA-A-VHXH", "Phòng Văn hóa - Xã hội phường Nha Trang", kind="office", parent=tree["a"],
                              is_monitoring_office=True)
    case_a = create_case(channel="web", description="Cán bộ phường A thái độ kém", target_unit=tree["a"],
                         contact={"full_name": "Nguyễn Thị Dân", "phone": PHONE}, send_ack=False).complaint
    case_b = create_case(channel="web", description="Cán bộ xã B hẹn nhiều lần", target_unit=tree["b"],
                         contact={"full_name": "Trần Văn Dân", "phone": "+84905999888"}, send_ack=False).complaint
    users = {
        "admin": factories.user("admin", None, email="qt@example.vn"),
        "operator": factories.user("operator", None, email="tdv@example.vn"),
        "commune_monitor": factories.user("monitor", office_a, email="vhxh.a@example.vn"),
        "province_monitor": factories.user("monitor", tree["monitor"], email="snv@example.vn"),
    }
    db.session.commit()
    return tree, case_a, case_b, users


def test_administrators_never_see_complainants_through_the_console(app, client):
    _tree, case_a, _case_b, users = _world()
    login(client, users["admin"])
    assert client.get(f"/console/cases/{case_a.tracking_code}").status_code == 403
    assert client.get(f"/console/search?q={PHONE}").status_code == 403
    assert client.get("/console/").status_code == 403
    assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action == "console.search_phone")).all()


def test_a_phone_look_up_is_audited_without_writing_the_number_into_the_trail(app, client):
    _tree, case_a, _case_b, users = _world()
    login(client, users["operator"])
    page = client.get(f"/console/search?q={PHONE}").get_data(as_text=True)
    assert case_a.tracking_code in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "console.search_phone"))
    assert event.actor_id == users["operator"].id
    assert PHONE not in str(event.data) and event.data["phone"] == "+84905***456"
    assert event.data["phone_digest"] == audit.contact_digest(PHONE)


def test_a_commune_monitor_reads_only_the_communes_audit_trail(app, client):
    _tree, case_a, case_b, users = _world()
    login(client, users["commune_monitor"])
    page = client.get("/audit/?action=case.created").get_data(as_text=True)
    assert f"#{case_a.id}<" in page.replace(" ", "") or f"#{case_a.id}" in page
    assert f"#{case_b.id}" not in page
    province = app.test_client()
    login(province, users["province_monitor"])
    everything = province.get("/audit/?action=case.created").get_data(as_text=True)
    assert f"#{case_a.id}" in everything and f"#{case_b.id}" in everything


def test_personal_data_in_the_trail_is_masked_for_administrators(app, client):
    _world()
    opt_out(PHONE)  # an audit row whose object is the phone number
    db.session.commit()
    login(client, users := factories.user("admin", None, email="qt2@example.vn"))
    db.session.commit()
    admin_page = client.get("/audit/?action=sms.opt_out").get_data(as_text=True)
    assert "sms.opt_out" in admin_page and PHONE not in admin_page and "+84905***456" in admin_page
    monitor = app.test_client()
    login(monitor, db.session.scalar(select(type(users)).where(type(users).email == "snv@example.vn")))
    assert PHONE in monitor.get("/audit/?action=sms.opt_out").get_data(as_text=True)


def test_the_sms_outbox_shows_administrators_no_number_and_no_secret(app, client):
    result = create_case(channel="web", description="Cán bộ hẹn nhiều lần", contact={"phone": PHONE})
    db.session.commit()
    login(client, factories.user("admin", None, email="qt3@example.vn"))
    db.session.commit()
    page = client.get("/hotline/outbox").get_data(as_text=True)
    assert result.complaint.tracking_code in page  # the message is there
    assert PHONE not in page and "+84905***456" in page
    assert result.secret not in page  # a secret in an acknowledgement would open the citizen's case


def test_a_missing_code_and_a_wrong_secret_do_the_same_work(app, client):
    """Finding: a missing code answered faster than an existing one with a wrong secret (an oracle)."""
    from tests.sql import recorded_sql

    case = create_case(channel="web", description="Có số điện thoại", contact={"phone": "+84905111333"}).complaint
    db.session.commit()
    db.session.expire_all()
    work = []
    for code in ("PA99999999", case.tracking_code):
        with recorded_sql() as statements:
            response = client.post("/track", data={"code": code, "secret": "ABCDEFGH"})
        assert response.status_code == 200
        work.append(len(statements))
    assert work[0] == work[1], work
