from sqlalchemy import select

from feedback.audit import verify_chain
from feedback.extensions import db
from feedback.jobs import relay_pending
from feedback.intake.services import check_secret, create_case
from feedback.models import CaseEvent, Complaint, OutboundMessage
from tests import factories


def test_create_case_routes_to_named_staff_unit_with_deadlines_and_ack(app):
    tree = factories.province_tree()
    clerk = factories.staff(tree["counter_a"])
    cat = factories.category(answer_days=5)
    result = create_case(channel="web", description="Thái độ không đúng mực", category=cat,
                         target_unit=tree["a"], staff=clerk, contact={"phone": "+84905123456"})
    db.session.commit()
    case = result.complaint
    assert result.created and len(result.secret) == 8  # every case has a secret, contact or not
    assert case.unit_id == tree["counter_a"].id
    assert case.tracking_code.startswith("PA") and len(case.tracking_code) == 10
    assert case.answer_due_at > case.accept_due_at > case.submitted_at
    kinds = [e.kind for e in db.session.scalars(select(CaseEvent).where(CaseEvent.complaint_id == case.id))]
    assert kinds[0] == "created" and "routing" in kinds
    assert relay_pending() == 1  # no Redis in this test: the relay runs the job here
    message = db.session.scalar(select(OutboundMessage))
    assert message.to_address == "+84905123456" and case.tracking_code in message.body
    assert result.secret in message.body  # the acknowledgement carries it
    assert message.status == "held"  # no Twilio credentials: kept in the outbox
    assert verify_chain() == (True, None)


def test_anonymous_case_gets_a_secret_and_no_message(app):
    tree = factories.province_tree()
    result = create_case(channel="web", description="Ẩn danh", target_unit=tree["b"])
    db.session.commit()
    assert result.complaint.complainant_id is None
    assert check_secret(result.complaint, result.secret)
    assert not check_secret(result.complaint, "WRONG")
    assert db.session.scalar(select(OutboundMessage)) is None


def test_case_naming_the_unit_head_goes_one_level_up(app):
    tree = factories.province_tree()
    head = factories.staff(tree["b"], position="Chủ tịch UBND xã")
    tree["b"].head_staff_id = head.id
    result = create_case(channel="web", description="Chủ tịch xã hách dịch", target_unit=tree["b"], staff=head)
    db.session.commit()
    assert result.complaint.unit_id == tree["province"].id


def test_same_submission_key_makes_one_case(app):
    tree = factories.province_tree()
    first = create_case(channel="web", description="x", target_unit=tree["a"], submission_key="k1")
    db.session.commit()
    second = create_case(channel="web", description="x", target_unit=tree["a"], submission_key="k1")
    db.session.commit()
    assert second.created is False and second.complaint.id == first.complaint.id
    assert db.session.query(Complaint).count() == 1


def test_unroutable_case_lands_in_triage(app):
    result = create_case(channel="sms", description="không rõ đơn vị", contact={"phone": "+84905000000"})
    db.session.commit()
    assert result.complaint.unit_id is None


def test_a_resent_submission_with_contact_leaves_one_case_one_complainant_and_one_message(app):
    """The insert that meets a taken submission key keeps nothing of the second delivery."""
    from sqlalchemy import func

    from feedback.models import Complainant

    tree = factories.province_tree()
    contact = {"full_name": "Nguyễn Văn A", "phone": "+84905123456"}
    first = create_case(channel="web", description="Lần một", target_unit=tree["a"], contact=contact,
                        submission_key="web:resent-with-contact")
    db.session.commit()
    again = create_case(channel="web", description="Lần hai", target_unit=tree["a"], contact=contact,
                        submission_key="web:resent-with-contact")
    db.session.commit()
    assert not again.created and again.complaint.id == first.complaint.id and again.secret is None
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 1
    assert db.session.scalar(select(func.count()).select_from(Complainant)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage)) == 1
    assert again.complaint.description == "Lần một"
    assert verify_chain() == (True, None)
