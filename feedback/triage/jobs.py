"""Triage in the background: the suggestion for a new case, and the periodic retraining."""
import logging

from feedback.extensions import db
from feedback.models import Complaint

log = logging.getLogger(__name__)
RETRAIN_EVERY = 6 * 3600


def triage_case(complaint_id):
    """Suggest (and, where sure, route) for a case that arrived without a unit; idempotent."""
    from feedback.triage.model import current_model
    from feedback.triage.services import suggest_for_case

    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None or complaint.unit_id is not None:
        return None
    row = suggest_for_case(complaint, current_model(train_if_missing=True))
    db.session.commit()
    return {"unit": row.unit_code, "auto_routed": row.auto_routed}


def retrain():
    """Fit the category model and the correction memory again (operators' corrections included)."""
    from feedback.triage.model import retrain as fit

    model = fit()
    log.info("triage model retrained on %d texts (%d corrections)", model.trained_on, model.corrections)
    return {"texts": model.trained_on, "corrections": model.corrections}
