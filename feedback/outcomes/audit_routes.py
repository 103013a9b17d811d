"""The audit trail for the monitoring office and administrators, with the chain's verification."""
from datetime import datetime, time, timedelta

from flask import abort, render_template, request
from flask_login import current_user, login_required
import re

from sqlalchemy import or_, select, true

from feedback import audit
from feedback.audit import masked_phone
from feedback.cases.access import IDENTITY_ROLES, is_province_level, scope_clause
from feedback.calendar import to_utc
from feedback.extensions import db
from feedback.models import AuditEvent, User
from feedback.outcomes import audit_bp
from feedback.outcomes.forms import AuditFilterForm

PAGE_SIZE = 50
AUDIT_ROLES = {"monitor", "admin"}
_PHONE = re.compile(r"\+?\d[\d .\-]{7,}\d")
_EMAIL = re.compile(r"[^@\s;=]+@[^@\s;=]+\.\w+")


def _scope():
    """A monitor below province level sees the events of their subtree; province level sees all."""
    if current_user.role == "monitor" and not is_province_level(current_user):
        return scope_clause(current_user, AuditEvent.unit_id)
    return true()


def shows_personal_data():
    """Addresses, phone numbers and e-mails in the trail are for those who may see complainants."""
    return current_user.role in IDENTITY_ROLES


def _mask(value):
    text = str(value) if value is not None else ""
    return _EMAIL.sub("***@***", _PHONE.sub(lambda m: masked_phone(m.group(0)), text))


def masked(event):
    """What a viewer without the right to personal data sees of one event (ip, object id, data)."""
    if shows_personal_data():
        return event.ip_address, event.object_id, event.data or {}
    return "—", _mask(event.object_id), {k: _mask(v) for k, v in (event.data or {}).items()}


def _require_role():
    if current_user.role not in AUDIT_ROLES:
        abort(403)


def _filtered(form):
    query = select(AuditEvent).where(_scope())
    if form.action.data:
        action = form.action.data.strip()
        # "case." lists every case action; a full name matches exactly.
        query = query.where(AuditEvent.action.startswith(action, autoescape=True) if action.endswith(".")
                            else AuditEvent.action == action)
    if form.object_type.data:
        query = query.where(AuditEvent.object_type == form.object_type.data.strip())
    if form.object_id.data:
        query = query.where(AuditEvent.object_id == form.object_id.data.strip())
    if form.actor.data:
        actor = form.actor.data.strip()
        user_ids = select(User.id).where(User.email == actor.lower())
        query = query.where(or_(AuditEvent.actor_label == actor, AuditEvent.actor_id.in_(user_ids)))
    if form.date_from.data:
        query = query.where(AuditEvent.created_at >= to_utc(datetime.combine(form.date_from.data, time.min)))
    if form.date_to.data:
        query = query.where(
            AuditEvent.created_at < to_utc(datetime.combine(form.date_to.data + timedelta(days=1), time.min))
        )
    return query


@audit_bp.route("/")
@login_required
def index():
    """Audit events, newest first, filtered, keyset-paged by id (?before=<id>)."""
    _require_role()
    form = AuditFilterForm(request.args)
    events, next_before = [], None
    if form.validate():
        query = _filtered(form)
        before = request.args.get("before", type=int)
        if before:
            query = query.where(AuditEvent.id < before)
        events = db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(PAGE_SIZE + 1)).all()
        if len(events) > PAGE_SIZE:
            events = events[:PAGE_SIZE]
            next_before = events[-1].id
    args = {k: v for k, v in request.args.items() if k != "before" and v}
    return render_template("outcomes/audit.html", form=form, events=events, next_before=next_before, args=args,
                           verified=None, masked=masked)


@audit_bp.route("/verify", methods=["POST"])
@login_required
def verify():
    """Walk the whole hash chain and show whether it is intact (or the first broken row)."""
    _require_role()
    ok, bad_id = audit.verify_chain()
    audit.record("audit.verified", actor=current_user, ok=ok, first_bad_id=bad_id)
    db.session.commit()
    form = AuditFilterForm(formdata=None)
    events = db.session.scalars(select(AuditEvent).where(_scope()).order_by(AuditEvent.id.desc())
                                .limit(PAGE_SIZE)).all()
    return render_template("outcomes/audit.html", form=form, events=events, next_before=None, args={},
                           verified=(ok, bad_id), masked=masked)
