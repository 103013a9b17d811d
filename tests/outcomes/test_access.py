"""Every outcome screen and action refuses other units, the named staff member and anonymous visitors."""
import io

import pytest
from sqlalchemy import func, select

from feedback.cases.workflow import transition
from feedback.extensions import db
from feedback.intake.services import create_case
from feedback.models import Answer, AuditEvent, DisciplineDecision, Verification
from feedback.outcomes import services
from tests.conftest import login
from tests.outcomes.conftest import DESCRIPTION, make_world
from tests.outcomes.test_verification import PNG


def _routes(code, attachment_id):
    base = f"/cases/{code}"
    return [
        ("GET", f"{base}/verification", None),
        ("POST", f"{base}/verification", {"methods": ["camera"], "findings": "x", "conclusion": "unsubstantiated",
                                          "action": "submit"}),
        ("POST", f"{base}/verification/start", {}),
        ("POST", f"{base}/verification/evidence", {"file": (io.BytesIO(PNG), "a.png")}),
        ("GET", f"{base}/evidence/{attachment_id}", None),
        ("POST", f"{base}/verification/review", {"decision": "approve", "note": ""}),
        ("GET", f"{base}/discipline", None),
        ("POST", f"{base}/discipline", {"proposed_form": "khien_trach", "notes": "x"}),
        ("POST", f"{base}/discipline/meeting", {"meeting_date": "2025-12-01", "meeting_minutes": "x"}),
        ("POST", f"{base}/discipline/decision", {"outcome": "no_discipline", "lighter_measure": "reminder"}),
        ("GET", f"{base}/answer", None),
        ("POST", f"{base}/answer", {"body": "Trả lời giả mạo", "action": "submit"}),
        ("POST", f"{base}/answer/review", {"decision": "approve", "publish": "y", "public_body": "x"}),
        ("POST", f"{base}/answer/publish", {"public_summary": "x", "public_body": "y"}),
    ]


def _snapshot():
    return (
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
        [(v.status, v.conclusion) for v in db.session.scalars(select(Verification).order_by(Verification.id))],
        [(d.status,) for d in db.session.scalars(select(DisciplineDecision))],
        [(a.status, a.body) for a in db.session.scalars(select(Answer))],
    )


@pytest.fixture
def busy_world(app):
    """A case with a submitted verification and one evidence file: every action has something to act on."""
    world = make_world()
    case = world.case
    services.start_verification(case, world.handler)
    from werkzeug.datastructures import FileStorage

    from feedback.outcomes.evidence import save_evidence

    world.attachment = save_evidence(case, world.handler, FileStorage(io.BytesIO(PNG), "anh.png"))
    services.save_verification(case, world.handler, methods=["camera"], findings="Đúng.",
                               conclusion="substantiated", submit=True)
    db.session.commit()
    return world


def _call(client, method, url, data):
    if method == "GET":
        return client.get(url)
    return client.post(url, data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("who", ["other", "other_head", "clerk_user", "anonymous"])
def test_outsiders_refused_everywhere(client, busy_world, who):
    world = busy_world
    if who != "anonymous":
        login(client, getattr(world, who))
    before = _snapshot()
    for method, url, data in _routes(world.case.tracking_code, world.attachment.id):
        response = _call(client, method, url, data)
        if who == "anonymous":
            assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url
        else:
            assert response.status_code == 403, (who, url, response.status_code)
            text = response.get_data(as_text=True)
            assert "Không có quyền" in text and DESCRIPTION[:40] not in text
    db.session.expire_all()
    assert _snapshot() == before


def test_named_staff_member_refused_even_as_unit_head(client, busy_world):
    world = busy_world
    world.clerk_user.role = "unit_head"
    db.session.commit()
    login(client, world.clerk_user)
    before = _snapshot()
    for method, url, data in _routes(world.case.tracking_code, world.attachment.id):
        assert _call(client, method, url, data).status_code == 403, url
    db.session.expire_all()
    assert _snapshot() == before


def test_roles_inside_the_unit(client, busy_world):
    """The handler drafts but never approves; the head approves; a monitor only reads a case not escalated."""
    world = busy_world
    code = world.case.tracking_code
    login(client, world.handler)
    assert client.post(f"/cases/{code}/verification/review", data={"decision": "approve"}).status_code == 403
    login(client, world.monitor)
    assert client.get(f"/cases/{code}/verification").status_code == 200
    assert client.post(f"/cases/{code}/verification/review", data={"decision": "approve"}).status_code == 403
    login(client, world.admin)
    assert client.get(f"/cases/{code}/verification").status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(Verification)).status == "submitted"
    # Once escalated, the monitoring office may approve.
    world.case.escalated = True
    db.session.commit()
    login(client, world.monitor)
    assert client.post(f"/cases/{code}/verification/review", data={"decision": "approve"}).status_code == 302
    db.session.expire_all()
    assert world.case.status == "concluded"


def test_crafted_fields_cannot_reach_another_case(client, busy_world):
    """The case comes from the URL only: ids or codes slipped into the form are ignored."""
    world = busy_world
    target = world.case
    own = create_case(
        channel="web", description="Phản ánh khác", category=world.category, target_unit=world.tree["b"],
    ).complaint
    own.unit = world.tree["b"]
    transition(own, "accepted", actor=world.other_head)
    db.session.commit()
    verification_id = db.session.scalar(select(Verification.id))
    login(client, world.other_head)
    response = client.post(f"/cases/{own.tracking_code}/verification/review", data={
        "decision": "approve", "code": target.tracking_code, "tracking_code": target.tracking_code,
        "verification_id": verification_id, "complaint_id": target.id,
    })
    assert response.status_code == 400  # nothing submitted on their own case
    db.session.expire_all()
    assert db.session.get(Verification, verification_id).status == "submitted"
    assert target.status == "verifying"


def test_unassigned_colleague_cannot_draft(client, busy_world):
    from tests.outcomes.conftest import fast_user

    world = busy_world
    colleague = fast_user("handler", world.counter, "colleague@example.vn")
    db.session.commit()
    login(client, colleague)
    assert client.get(f"/cases/{world.case.tracking_code}/answer").status_code == 403


def test_case_panels_render_for_the_unit_and_nothing_for_outsiders(app, busy_world):
    from flask import render_template_string
    from flask_login import login_user

    world = busy_world
    conclude_ready = world.case
    with app.test_request_context():
        login_user(world.head)
        html = render_template_string('{% include "outcomes/_case_panels.html" %}', complaint=conclude_ready,
                                      can_act=True, is_head=True)
        assert "Chờ thủ trưởng duyệt" in html and "Mở xác minh" in html and "Mở kỷ luật" in html
    with app.test_request_context():
        login_user(world.clerk_user)
        html = render_template_string('{% include "outcomes/_case_panels.html" %}', complaint=conclude_ready,
                                      can_act=False, is_head=False)
        assert "Mở xác minh" not in html and html.strip() == ""
