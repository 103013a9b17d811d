"""Every model, importable from one place."""
from feedback.models.audit import AuditEvent
from feedback.models.base import utcnow
from feedback.models.case import (Attachment, CaseEvent, Category, Complainant, Complaint, LateNotice, RoutingRule,
                                  CaseReview, TransferRequest,
                                  TrackingCode)
from feedback.models.messaging import JobOutbox, OutboundMessage, PeriodicRun, SmsOptOut
from feedback.models.intake import IntakeItem
from feedback.models.hotline import InboundMedia, InboundSms, VoiceCall
from feedback.models.monitoring import CaseRollup, OfficialSurvey, RatingRollup, ReportRun, RollupState, Setting, StaffFlag
from feedback.models.notification import IdentityRevealRequest, Notification
from feedback.models.org import LoginThrottle, Staff, Unit, User
from feedback.models.outcome import Answer, DisciplineAppeal, DisciplineDecision, DisciplinePause, Verification
from feedback.models.publication import ApiKey, Open311Request, PublishedAnswer
from feedback.models.rating import Kiosk, Rating
from feedback.models.triage import TriageCorrection, TriageSuggestion

__all__ = [
    "InboundMedia", "InboundSms", "VoiceCall",
    "ApiKey", "Open311Request", "PublishedAnswer",
    "IntakeItem",
    "Answer", "Attachment", "AuditEvent", "CaseEvent", "Category", "Complainant", "Complaint", "LateNotice",
    "DisciplineDecision", "JobOutbox", "PeriodicRun", "TrackingCode", "Kiosk", "OutboundMessage", "Rating", "RoutingRule",
    "IdentityRevealRequest", "Notification",
    "LoginThrottle", "SmsOptOut", "TriageCorrection", "TriageSuggestion", "CaseRollup", "OfficialSurvey", "RatingRollup", "ReportRun", "RollupState", "Setting", "StaffFlag", "Staff", "Unit", "User", "Verification", "utcnow",
]
