"""Writing and verifying the hash-chained audit trail."""
import hashlib
import json

from flask import has_request_context, request
from sqlalchemy import select, text

from feedback.extensions import db
from feedback.models import AuditEvent, utcnow

GENESIS_HASH = "0" * 64
# Any constant: serialises writers of the chain on PostgreSQL until their commit.
_CHAIN_LOCK_KEY = 7_022_1022
# session.info key: (the transaction that wrote the last row, that row's hash).
_CHAIN_MEMO = "audit_chain_head"


def _row_hash(event):
    fields = [
        event.prev_hash,
        event.created_at.isoformat(timespec="microseconds"),
        event.actor_id,
        event.actor_label,
        event.action,
        event.object_type,
        event.object_id,
        event.data,
        event.ip_address,
    ]
    if event.unit_id is not None:  # rows written before units were recorded keep their hash
        fields.append(["unit", event.unit_id])
    payload = json.dumps(
        fields,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def masked_phone(phone):
    """"+84905123456" -> "+84905***456": enough to tell look-ups apart, not to call anyone."""
    phone = phone or ""
    return phone[:-6] + "***" + phone[-3:] if len(phone) > 8 else "***"


def contact_digest(value):
    """A keyed hash of a phone or e-mail: an auditor who has the number can find its look-ups."""
    import hmac

    from flask import current_app

    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, (value or "").strip().lower().encode(), hashlib.sha256).hexdigest()[:24]


def _innermost_transaction():
    session = db.session()  # the scoped session's own Session (the proxy has no transaction accessors)
    return session.get_nested_transaction() or session.get_transaction()


def _chain_head():
    """The hash the next row links to, read under the chain's lock.

    A second row in the same (sub)transaction links to the first one's hash without asking again: the
    lock is held until the transaction ends, so no other writer can have appended in between. After a
    savepoint is released or rolled back the innermost transaction differs, and the head is read again.
    """
    written = db.session.info.get(_CHAIN_MEMO)
    if written is not None and written[0] is _innermost_transaction():
        return written[1]
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    return db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))



def record(action, *, actor=None, actor_label=None, obj=None, object_type=None, object_id=None, **data):
    """Append one event to the audit trail in the current transaction."""
    prev = _chain_head()
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else obj.id
    event = AuditEvent(
        created_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_label=actor_label or (getattr(actor, "email", None) if actor is not None else "system"),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        data=json.loads(json.dumps(data, default=str)),
        ip_address=request.remote_addr if has_request_context() else None,
        unit_id=getattr(obj, "unit_id", None) or getattr(actor, "unit_id", None),
        prev_hash=prev or GENESIS_HASH,
    )
    event.hash = _row_hash(event)
    db.session.add(event)
    db.session.flush()
    db.session.info[_CHAIN_MEMO] = (_innermost_transaction(), event.hash)
    return event


def verify_chain(batch=5000):
    """Walk the whole chain; return (True, None) or (False, id of the first bad row)."""
    expected_prev = GENESIS_HASH
    last_id = 0
    while True:
        table = AuditEvent.__table__
        rows = db.session.execute(
            select(table).where(table.c.id > last_id).order_by(table.c.id).limit(batch)
        ).all()
        if not rows:
            return True, None
        for event in rows:
            if event.prev_hash != expected_prev or _row_hash(event) != event.hash:
                return False, event.id
            expected_prev = event.hash
            last_id = event.id
