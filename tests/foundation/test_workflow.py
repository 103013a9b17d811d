"""Every allowed and every refused move of the case state machine (DESIGN.md "The life of a case")."""
import itertools

import pytest
from sqlalchemy import func, select

from feedback.audit import verify_chain
from feedback.cases.workflow import STATUSES, IllegalTransition, can_transition, transition
from feedback.extensions import db
from feedback.models import AuditEvent, CaseEvent, Complaint
from tests import factories

# Written out from the design, not copied from the code under test.
ALLOWED = {
    ("received", "accepted"), ("received", "declined"),
    ("accepted", "verifying"), ("accepted", "answered"), ("accepted", "declined"),
    ("verifying", "concluded"),
    ("concluded", "verifying"), ("concluded", "answered"),
    ("answered", "published"), ("answered", "closed"), ("answered", "verifying"),
    ("published", "closed"), ("published", "verifying"),
    ("closed", "verifying"),
    # The monitoring office reopens a wrongly declined case (issue 13).
    ("declined", "received"),
}
ALL_STATES = ("received", "accepted", "declined", "verifying", "concluded", "answered", "published", "closed")
PAIRS = list(itertools.product(ALL_STATES, repeat=2))
STAMPS = {"accepted": "accepted_at", "concluded": "concluded_at", "answered": "answered_at",
          "published": "published_at", "closed": "closed_at"}


def test_the_machine_knows_exactly_the_designed_states():
    assert set(STATUSES) == set(ALL_STATES)


def _case(status):
    complaint = Complaint(tracking_code=Complaint.new_tracking_code(), channel="web", status=status,
                          description="Công chức quầy 1 yêu cầu bổ sung hồ sơ ba lần")
    db.session.add(complaint)
    db.session.commit()
    return complaint


def _counts(complaint):
    events = db.session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.complaint_id == complaint.id))
    audits = db.session.scalar(select(func.count()).select_from(AuditEvent))
    return events, audits


@pytest.mark.parametrize("from_status, to_status", [p for p in PAIRS if p in ALLOWED],
                         ids=[f"{a}->{b}" for a, b in PAIRS if (a, b) in ALLOWED])
def test_allowed_transition_moves_the_case_and_records_it(app, from_status, to_status):
    head = factories.user("unit_head")
    complaint = _case(from_status)
    assert can_transition(from_status, to_status)
    event = transition(complaint, to_status, actor=head, note="Ghi chú của lãnh đạo")
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Complaint, complaint.id)
    assert stored.status == to_status
    event = db.session.get(CaseEvent, event.id)
    assert (event.kind, event.from_status, event.to_status) == ("status", from_status, to_status)
    assert event.actor_id == head.id and event.body == "Ghi chú của lãnh đạo"
    audit = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert audit.action == "case.status" and audit.object_id == str(complaint.id)
    assert audit.data["from_status"] == from_status and audit.data["to_status"] == to_status
    if to_status in STAMPS:
        assert getattr(stored, STAMPS[to_status]) is not None
    assert verify_chain() == (True, None)


@pytest.mark.parametrize("from_status, to_status", [p for p in PAIRS if p not in ALLOWED],
                         ids=[f"{a}->{b}" for a, b in PAIRS if (a, b) not in ALLOWED])
def test_refused_transition_changes_nothing(app, from_status, to_status):
    complaint = _case(from_status)
    before = _counts(complaint)
    assert not can_transition(from_status, to_status)
    with pytest.raises(IllegalTransition) as refused:
        transition(complaint, to_status)
    assert (refused.value.from_status, refused.value.to_status) == (from_status, to_status)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Complaint, complaint.id).status == from_status
    assert _counts(complaint) == before


def test_unknown_status_is_refused(app):
    complaint = _case("received")
    with pytest.raises(IllegalTransition):
        transition(complaint, "archived")
    assert complaint.status == "received"


def test_first_stamp_is_kept_when_a_case_is_reopened(app):
    complaint = _case("answered")
    transition(complaint, "closed")
    first_closed = complaint.closed_at
    transition(complaint, "verifying", note="Công dân không đồng ý với câu trả lời")
    transition(complaint, "concluded")
    transition(complaint, "answered")
    transition(complaint, "closed")
    db.session.commit()
    assert complaint.closed_at == first_closed
    path = [(e.from_status, e.to_status) for e in db.session.scalars(
        select(CaseEvent).where(CaseEvent.complaint_id == complaint.id).order_by(CaseEvent.id))]
    assert path == [("answered", "closed"), ("closed", "verifying"), ("verifying", "concluded"),
                    ("concluded", "answered"), ("answered", "closed")]


def test_open_case_index_condition_matches_the_workflow():
    from feedback.cases.workflow import OPEN_STATUSES
    from feedback.models.case import OPEN_CASE_CONDITION

    listed = OPEN_CASE_CONDITION.split("(", 1)[1].rstrip(")").replace("'", "").split(", ")
    assert tuple(listed) == OPEN_STATUSES
