"""The repeat-offender rule flags exactly the right people, once."""
from datetime import timedelta

from sqlalchemy import select

from feedback.extensions import db
from feedback.models import OutboundMessage, StaffFlag, utcnow
from feedback.monitoring.services import decide_flag, evaluate_flags
from tests import factories
from tests.conftest import login
from tests.monitoring.conftest import conclude, make_case


def _named(world, staff, conclusions, ago_days):
    cases = []
    for conclusion, days in zip(conclusions, ago_days):
        when = utcnow() - timedelta(days=days)
        case = make_case(staff.unit, when - timedelta(days=5), staff=staff, status="concluded")
        conclude(case, conclusion, when)
        cases.append(case)
    return cases


def test_flags_exactly_the_right_people_once(world, client):
    unit = world["counter_a"]
    twice = factories.staff(unit, "Lê Văn Hai")           # two substantiated in 12 months: flagged
    partly = factories.staff(unit, "Phạm Thị Ba")         # substantiated + partly: flagged
    once = factories.staff(unit, "Võ Văn Một")            # one substantiated + one unsubstantiated: not
    old = factories.staff(unit, "Đặng Văn Cũ")            # second one 14 months ago: not
    outside = factories.staff(world["other_ward"], "Hồ Văn Ngoài")  # flagged, but in another province
    _named(world, twice, ["substantiated", "substantiated"], [20, 200])
    _named(world, partly, ["substantiated", "partly"], [40, 60])
    _named(world, once, ["substantiated", "unsubstantiated"], [10, 30])
    _named(world, old, ["substantiated", "substantiated"], [10, 425])
    _named(world, outside, ["substantiated", "substantiated"], [10, 20])
    db.session.commit()

    flags = evaluate_flags()
    assert sorted(f.staff.full_name for f in flags) == ["Hồ Văn Ngoài", "Lê Văn Hai", "Phạm Thị Ba"]
    # Running the job again raises nothing new and sends nothing more.
    messages = db.session.query(OutboundMessage).count()
    assert evaluate_flags() == []
    assert db.session.query(OutboundMessage).count() == messages
    # The province's office is told about its own staff only.
    to_province = db.session.scalars(
        select(OutboundMessage.body).where(OutboundMessage.to_address == world["monitor"].email)).all()
    assert len(to_province) == 2 and all("Hồ Văn Ngoài" not in body for body in to_province)

    login(client, world["monitor"])
    page = client.get("/monitoring/staff").get_data(as_text=True)
    assert "Lê Văn Hai" in page and "Võ Văn Một" in page and "Hồ Văn Ngoài" not in page
    assert page.count("Chờ quyết định") == 2
    outside_ref = outside.public_ref
    assert client.get(f"/monitoring/staff/{outside_ref}").status_code == 404

    flag = db.session.scalar(select(StaffFlag).where(StaffFlag.staff_id == twice.id))
    response = client.post(f"/monitoring/flags/{flag.id}/decide", data={"decision": "transfer", "note": "Điều chuyển"})
    assert response.status_code == 302
    db.session.refresh(flag)
    assert flag.decision == "transfer" and flag.decided_by_id == world["monitor"].id

    # After the decision, a new substantiated case raises a new flag, once.
    _named(world, twice, ["substantiated"], [1])
    db.session.commit()
    assert [f.staff_id for f in evaluate_flags()] == [twice.id]
    assert evaluate_flags() == []


def test_decided_flag_cannot_be_decided_again(world):
    staff = factories.staff(world["counter_a"])
    _named(world, staff, ["substantiated", "substantiated"], [3, 4])
    db.session.commit()
    (flag,) = evaluate_flags()
    decide_flag(flag, "review", "", world["monitor"])
    try:
        decide_flag(flag, "review", "", world["monitor"])
    except ValueError as exc:
        assert "đã được xử lý" in str(exc)
    else:
        raise AssertionError("a decided flag was decided twice")


def test_only_monitors_and_admins_enter(world, client):
    handler = factories.user("handler", world["a"])
    db.session.commit()
    assert client.get("/monitoring/").status_code == 302  # to the login page
    login(client, handler)
    for path in ("/monitoring/", "/monitoring/staff", "/monitoring/satisfaction", "/monitoring/reports",
                 "/monitoring/overdue", "/monitoring/escalated"):
        assert client.get(path).status_code == 403, path
