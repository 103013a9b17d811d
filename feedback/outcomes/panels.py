"""What the case page's outcome panels show (templates/outcomes/_case_panels.html)."""
from flask_login import current_user

from feedback.models.outcome import CONCLUSIONS, DISCIPLINE_FORMS, LIGHTER_MEASURES
from feedback.outcomes import access, services


def outcome_panels(complaint):
    """Verification, discipline and answer of `complaint`, and what the current user may do."""
    if not access.can_view(current_user, complaint):
        return None
    verification = services.current_verification(complaint)
    # The latest verification is the latest approved one when it is approved; with none, none is approved.
    if verification is None or verification.status == "approved":
        approved = verification
    else:
        approved = services.approved_verification(complaint)
    decision = services.current_discipline(complaint)
    answer = services.current_answer(complaint)
    return {
        "verification": verification,
        "approved": approved,
        "decision": decision,
        "answer": answer,
        "can_draft": access.can_draft(current_user, complaint),
        "can_approve": access.can_approve(current_user, complaint),
        "discipline_refusal": services.discipline_refusal(complaint, approved),
        "answer_refusal": services.answer_refusal(complaint),
        "conclusions": CONCLUSIONS,
        "forms": DISCIPLINE_FORMS,
        "lighter": LIGHTER_MEASURES,
    }
