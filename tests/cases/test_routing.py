"""Routing: administrator rules, the named staff member's unit, heads never judging themselves, triage."""
from sqlalchemy import select

from feedback.cases.routing import route
from feedback.extensions import db
from feedback.models import AuditEvent, CaseEvent, Complaint, RoutingRule
from tests import factories


def test_rule_by_category_and_unit_wins_over_the_chosen_unit(world):
    tree = world.tree
    land = factories.category(code="dat-dai", kind="suggestion")
    office = factories.unit("XA-A-DC", "Phòng Địa chính", kind="office", parent=tree["a"])
    db.session.add(RoutingRule(priority=10, category_id=land.id, match_unit_id=tree["a"].id, route_to_unit_id=office.id))
    db.session.commit()
    assert route(land.id, tree["a"]) == (office, "rule")
    # Outside the rule's subtree, or another category: the chosen unit itself.
    assert route(land.id, tree["b"]) == (tree["b"], "chosen_unit")
    assert route(world.category.id, tree["a"]) == (tree["a"], "chosen_unit")
    # A named staff member's unit is what rules match against.
    assert route(land.id, tree["b"], staff=factories.staff(tree["counter_a"])) == (office, "rule")


def test_inactive_and_lower_priority_rules(world):
    tree = world.tree
    db.session.add_all([
        RoutingRule(priority=50, category_id=world.category.id, route_to_unit_id=tree["b"].id),
        RoutingRule(priority=1, category_id=world.category.id, route_to_unit_id=tree["monitor"].id, active=False),
    ])
    db.session.commit()
    assert route(world.category.id, tree["a"]) == (tree["b"], "rule")


def test_case_naming_a_clerk_goes_to_the_clerks_unit(world):
    assert route(world.category.id, world.tree["b"], staff=world.clerk) == (world.tree["counter_a"], "staff_unit")


def test_case_naming_the_head_or_acting_head_goes_up(world):
    tree = world.tree
    assert route(None, tree["a"], staff=world.head_a_staff) == (tree["province"], "names_head")
    deputy = factories.staff(tree["b"], position="Phó Chủ tịch")
    tree["b"].acting_head_staff_id = deputy.id
    assert route(None, tree["b"], staff=deputy) == (tree["province"], "names_head")


def test_rule_into_a_subunit_of_the_named_head_still_climbs(world):
    """The commune head leads the one-stop counter below it too: a rule may not keep the case under him."""
    tree = world.tree
    db.session.add(RoutingRule(priority=1, category_id=world.category.id, route_to_unit_id=tree["counter_a"].id))
    db.session.commit()
    assert route(world.category.id, tree["a"], staff=world.head_a_staff) == (tree["province"], "names_head")


def test_case_naming_the_province_head_goes_to_the_monitoring_office(world):
    tree = world.tree
    chairman = factories.staff(tree["province"], position="Chủ tịch UBND tỉnh")
    tree["province"].head_staff_id = chairman.id
    db.session.commit()
    assert route(None, tree["province"], staff=chairman) == (tree["monitor"], "names_head")
    case = world.case(staff=None, unit=tree["province"])
    assert case.unit_id == tree["province"].id
    named = factories.staff(tree["province"])
    tree["province"].head_staff_id = named.id
    db.session.commit()
    result = world.case(staff=None)
    assert result.unit_id == tree["a"].id


def test_nothing_to_route_by_lands_in_triage(world):
    assert route(None, None) == (None, "triage")
    from feedback.intake.services import create_case

    result = create_case(channel="sms", description="Tin nhắn không rõ đơn vị")
    db.session.commit()
    assert result.complaint.unit_id is None


def test_triage_queue_and_routing_by_province_operator(world, as_user):
    from feedback.intake.services import create_case

    complaint = create_case(channel="sms", description="Phản ánh qua SMS về cán bộ phường Nha Trang").complaint
    db.session.commit()
    client = as_user(world.operator)
    page = client.get("/cases/triage")
    assert page.status_code == 200 and complaint.tracking_code in page.get_data(as_text=True)
    # Not in any unit's queue, and a commune head cannot open the triage queue or the case.
    assert complaint.tracking_code not in as_user(world.head_a).get("/cases/").get_data(as_text=True)
    assert as_user(world.head_a).get("/cases/triage").status_code == 403
    commune_monitor = factories.user("monitor", world.tree["a"], email="vhxh@example.vn")
    db.session.commit()
    local = as_user(commune_monitor).get("/cases/triage").get_data(as_text=True)
    assert "Hàng chờ phân loại do cấp tỉnh xử lý." in local and complaint.tracking_code not in local
    assert as_user(commune_monitor).get(f"/cases/{complaint.tracking_code}").status_code == 403
    assert as_user(world.head_a).get(f"/cases/{complaint.tracking_code}").status_code == 403
    client = as_user(world.operator)
    bad = client.post(f"/cases/{complaint.tracking_code}/route", data={"unit_id": "999999"})
    assert bad.status_code == 400 and "Lựa chọn không hợp lệ." in bad.get_data(as_text=True)
    done = client.post(f"/cases/{complaint.tracking_code}/route",
                       data={"unit_id": str(world.tree["a"].id), "note": "Theo nội dung tin nhắn"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Complaint, complaint.id).unit_id == world.tree["a"].id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.routed")) is not None
    assert complaint.tracking_code in as_user(world.head_a).get("/cases/").get_data(as_text=True)
    # Routed once: the triage action is gone.
    again = as_user(world.operator).post(f"/cases/{complaint.tracking_code}/route",
                                         data={"unit_id": str(world.tree["b"].id)})
    assert again.status_code == 403


def test_triage_refuses_a_unit_the_named_head_leads(world, as_user):
    from feedback.intake.services import create_case

    complaint = create_case(channel="operator", description="Phản ánh chủ tịch phường", staff=None).complaint
    complaint.staff_id = world.head_a_staff.id
    db.session.commit()
    response = as_user(world.admin).post(f"/cases/{complaint.tracking_code}/route",
                                         data={"unit_id": str(world.tree["counter_a"].id)})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Complaint, complaint.id).unit_id is None
    ok = as_user(world.admin).post(f"/cases/{complaint.tracking_code}/route",
                                   data={"unit_id": str(world.tree["province"].id)})
    assert ok.status_code == 302
    event = db.session.scalars(select(CaseEvent).where(CaseEvent.complaint_id == complaint.id,
                                                       CaseEvent.kind == "routing")).all()[-1]
    assert event.body.startswith("triage:KH")


def test_a_named_staff_member_with_a_unit_head_account_is_never_the_judge(world):
    """Finding: a unit_head user not recorded as the unit's head kept the case in their own unit."""
    tree = world.tree
    deputy = factories.staff(tree["b"], full_name="Trần Văn Phó", position="Phó Chủ tịch UBND xã")
    account = factories.user("unit_head", tree["b"], email="pho.b@example.vn", full_name="Trần Văn Phó")
    deputy.user_id = account.id
    db.session.commit()
    assert tree["b"].head_staff_id != deputy.id and tree["b"].acting_head_staff_id != deputy.id
    assert route(world.category.id, tree["b"], staff=deputy) == (tree["province"], "names_head")
    # A handler account leads nothing: the case stays in the unit.
    account.role = "handler"
    db.session.commit()
    assert route(world.category.id, tree["b"], staff=deputy) == (tree["b"], "staff_unit")
