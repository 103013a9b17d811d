"""Triage's state changes: suggest for a text, store it for a case, route automatically where sure,
and record what people chose instead."""
from dataclasses import dataclass, field

from sqlalchemy import select

from feedback import audit
from feedback.extensions import db
from feedback.models import Category, Staff, Unit
from feedback.models.triage import TriageCorrection, TriageSuggestion
from feedback.redaction import redact_patterns
from feedback.triage import matching
from feedback.triage.directory import current_directory
from feedback.triage.text import tokens

# Defaults of the per-field thresholds an administrator sets (Setting keys triage_threshold:<field>).
DEFAULT_THRESHOLDS = {"unit": 0.9, "staff": 0.9, "category": 0.3}
NEXT_BEST = 3


@dataclass
class Field:
    value: str | None = None  # unit code, staff badge or category code
    confidence: float = 0.0
    candidates: list = field(default_factory=list)  # [(value, confidence)], the next best
    id: int | None = None  # the row's id (a staff member without a badge code has only this)

    def as_dict(self):
        return {"value": self.value, "confidence": round(self.confidence, 3),
                "candidates": [[v, round(c, 3)] for v, c in self.candidates]}


@dataclass
class Suggestion:
    unit: Field
    staff: Field
    category: Field
    names_unit: bool  # the text itself names a unit (not only a hint from the channel)

    @property
    def confidence(self):
        """The unit's confidence: what decides routing."""
        return self.unit.confidence

    def auto_route(self, thresholds=None):
        """True when the case may be routed without a person: the text names a unit, sure enough."""
        thresholds = thresholds or current_thresholds()
        return self.names_unit and self.unit.value is not None and self.unit.confidence >= thresholds["unit"]

    def as_dict(self):
        return {"unit": self.unit.as_dict(), "staff": self.staff.as_dict(), "category": self.category.as_dict(),
                "names_unit": self.names_unit}


def current_thresholds():
    from feedback.monitoring.settings import get_setting

    thresholds = dict(DEFAULT_THRESHOLDS)
    for name in thresholds:
        value = get_setting(f"triage_threshold:{name}")
        if value is not None:
            thresholds[name] = float(value)
    return thresholds


def save_thresholds(actor, percents):
    """The administrator's thresholds, in percent; a blank one keeps the current value."""
    from feedback.monitoring.settings import set_setting

    changed = {name: value for name, value in percents.items() if value is not None}
    for name, value in changed.items():
        set_setting(f"triage_threshold:{name}", round(value / 100, 3))
    if changed:
        audit.record("triage.thresholds", actor=actor, **changed)


def suggest(text, *, hint_unit_code=None, model=None):
    """The suggestion for one text (a `model` from `current_model()`, or None for no category)."""
    directory = current_directory()
    words = tokens(text)
    hint = directory.by_code.get(hint_unit_code) if hint_unit_code else None
    units = matching.unit_candidates(directory, words, hint)
    names_unit = bool(units) and units[0].why != "hint"
    if model is not None and not names_unit:
        remembered = model.remembered_unit(text)
        if remembered and remembered[0] in directory.by_code:
            # An operator's own correction of a text this like it: near-certain when nearly the same text.
            confidence = round(min(0.99, 0.5 + remembered[1] * 0.5), 3)
            units = [matching.Candidate(directory.by_code[remembered[0]], confidence, "learned")] + units
            names_unit = True
    unit = Field()
    if units:
        unit = Field(directory.units[units[0].value].code, units[0].confidence,
                     [(directory.units[c.value].code, c.confidence) for c in units[1:NEXT_BEST + 1]])
    staff = Field()
    people = matching.staff_candidates(directory, words, units[0].value if units else None)
    if people:
        staff = Field(people[0].value.badge, people[0].confidence,
                      [(c.value.badge, c.confidence) for c in people[1:NEXT_BEST + 1]], id=people[0].value.id)
    category = Field()
    scores = model.category_scores(text, directory.name_words) if model is not None else []
    if scores:
        category = Field(scores[0][0], scores[0][1], scores[1:NEXT_BEST + 1])
    return Suggestion(unit, staff, category, names_unit)


def suggest_for_case(complaint, model):
    """Store the suggestion for a case waiting in triage; route it when every gate is passed."""
    hint = complaint.target_unit.code if complaint.target_unit is not None else None
    suggestion = suggest(complaint.description or "", hint_unit_code=hint, model=model)
    row = db.session.scalar(select(TriageSuggestion).where(TriageSuggestion.complaint_id == complaint.id))
    if row is None:
        row = TriageSuggestion(complaint_id=complaint.id)
        db.session.add(row)
    row.unit_code, row.unit_confidence = suggestion.unit.value, suggestion.unit.confidence
    row.staff_id, row.staff_confidence = suggestion.staff.id, suggestion.staff.confidence
    row.category_code, row.category_confidence = suggestion.category.value, suggestion.category.confidence
    row.candidates = suggestion.as_dict()
    db.session.flush()
    thresholds = current_thresholds()
    if complaint.unit_id is None and suggestion.auto_route(thresholds):
        row.auto_routed = auto_route(complaint, suggestion, thresholds)
    return row


def _chosen(suggestion, thresholds):
    """The unit, staff member and category the suggestion is sure enough of."""
    unit = db.session.scalar(select(Unit).where(Unit.code == suggestion.unit.value))
    staff = None
    if suggestion.staff.id and suggestion.staff.confidence >= thresholds["staff"]:
        staff = db.session.get(Staff, suggestion.staff.id)
    category = None
    if suggestion.category.value and suggestion.category.confidence >= thresholds["category"]:
        category = db.session.scalar(select(Category).where(Category.code == suggestion.category.value))
    return unit, staff, category


def auto_route(complaint, suggestion, thresholds):
    """Route a triage case as if the citizen had chosen the suggested unit (and staff, category): the same
    routing rules, so a complaint about a unit's head still climbs. True when it left the queue."""
    from feedback.cases.routing import route
    from feedback.cases.services import _event, _notify, heads_for
    from feedback.timeline import recorded

    unit, staff, category = _chosen(suggestion, thresholds)
    if unit is None:
        return False
    handling, reason = route(category.id if category else None, unit, staff)
    if handling is None:
        return False
    complaint.target_unit, complaint.unit = unit, handling
    if staff is not None:
        complaint.staff = staff
    if category is not None and complaint.category_id is None:
        complaint.category = category
    _event(complaint, "routing", None, body=f"auto:{handling.code}")
    _event(complaint, "note", None, body=recorded(
        "Phân loại tự động từ nội dung: đơn vị %(unit)s (độ tin cậy %(u)s%%)%(staff)s%(category)s.",
        unit=unit.name, u=round(suggestion.unit.confidence * 100),
        staff=recorded(", cán bộ %(name)s (%(c)s%%)", name=staff.full_name,
                       c=round(suggestion.staff.confidence * 100)) if staff else "",
        category=recorded(", loại phản ánh %(name)s (%(c)s%%)", name=category.name_vi,
                          c=round(suggestion.category.confidence * 100)) if category else ""))
    audit.record("case.auto_routed", actor_label="system", obj=complaint, unit=handling.code, reason=reason,
                 unit_confidence=suggestion.unit.confidence, staff=staff.badge_code if staff else None,
                 category=category.code if category else None)
    for head in heads_for(handling, complaint):
        _notify(head, complaint, "transfer", recorded("Phản ánh %(code)s được phân loại tự động về đơn vị.",
                                                       code=complaint.tracking_code))
    return True


def record_choice(complaint, actor, *, unit=None, category=None, staff=None):
    """What a person chose for a triage case: kept (text redacted) for the next retraining."""
    row = db.session.scalar(select(TriageSuggestion).where(TriageSuggestion.complaint_id == complaint.id))
    suggested = row.candidates if row is not None else None
    correction = TriageCorrection(
        complaint_id=complaint.id, text=redact_patterns(complaint.description or "")[:4000],
        unit_code=unit.code if unit is not None else None,
        category_code=category.code if category is not None else None,
        staff_badge=staff.badge_code if staff is not None else None, suggested=suggested,
        user_id=getattr(actor, "id", None))
    db.session.add(correction)
    db.session.flush()
    return correction


def pending_suggestions(complaints):
    """{complaint id: TriageSuggestion} for the cases of a queue page."""
    ids = [c.id for c in complaints]
    if not ids:
        return {}
    rows = db.session.scalars(select(TriageSuggestion).where(TriageSuggestion.complaint_id.in_(ids))).all()
    return {r.complaint_id: r for r in rows}

