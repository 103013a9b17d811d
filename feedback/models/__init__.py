"""Every model, importable from one place."""
from feedback.models.audit import AuditEvent
from feedback.models.base import utcnow
from feedback.models.case import Attachment, CaseEvent, Category, Complainant, Complaint, RoutingRule
from feedback.models.messaging import JobOutbox, OutboundMessage, SmsOptOut
from feedback.models.org import Staff, Unit, User
from feedback.models.outcome import Answer, DisciplineDecision, Verification
from feedback.models.rating import Kiosk, Rating

__all__ = [
    "Answer", "Attachment", "AuditEvent", "CaseEvent", "Category", "Complainant", "Complaint",
    "DisciplineDecision", "JobOutbox", "Kiosk", "OutboundMessage", "Rating", "RoutingRule",
    "SmsOptOut", "Staff", "Unit", "User", "Verification", "utcnow",
]
