"""Keeping the index of published answers (`published_answers`) in step with the cases.

An answer is public when `Answer.published_at` is set, it has an approved public text
(`public_body`) and its complaint has `consent_publish`. A session hook re-syncs the
index row of every answer touched in a flush (and of answers whose complaint or
verification changed), in the same transaction. `flask publication reindex` rebuilds
everything; `ensure_search_index()` creates the full-text structures a migrated
database may lack (PostgreSQL: generated tsvector column + GIN index; SQLite: FTS5
table + triggers) and indexes published answers missing from the index. It is
idempotent and runs once per process at the first search.
"""
import logging
import threading

from sqlalchemy import delete, event, insert, inspect, select, text, update
from sqlalchemy.orm import Session

from feedback.extensions import db
from feedback.models import Answer, Complainant, Complaint, Open311Request, PublishedAnswer, Staff, Verification
from feedback.models.publication import PG_SEARCH_DDL, SQLITE_SEARCH_DDL
from feedback.text import fold

log = logging.getLogger(__name__)

_COMPLAINT_FIELDS = ("consent_publish", "unit_id", "category_id", "answered_at", "submitted_at", "staff_id")
_ANSWER_FIELDS = ("published_at", "public_summary", "public_body", "public_ref", "sent_at")
_VERIFICATION_FIELDS = ("status", "conclusion")


def _redact(text_value, names=(), staff=None, literals=()):
    """Last line of defence: the case's redaction (feedback.redaction) again on the approved public text.

    The approver's text was redacted when published; running it again is harmless and catches texts
    that reached `Answer.public_*` another way (imports, demo data, direct edits).
    """
    if not text_value:
        return text_value
    try:
        from feedback.redaction import redact
    except ImportError:  # the redaction module is optional for this index
        return text_value
    return redact(text_value, names=names, staff=staff, literals=literals)


def search_text_for(summary, body):
    return fold(" ".join(t for t in (summary, body) if t))


def _changed(obj, fields):
    state = inspect(obj)
    return any(state.attrs[f].history.has_changes() for f in fields if f in state.attrs)


def _collect(session):
    answer_ids, complaint_ids = set(), set()
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Answer):
            if obj in session.new or _changed(obj, _ANSWER_FIELDS):
                answer_ids.add(obj.id)
        elif isinstance(obj, Complaint):
            if obj not in session.new and _changed(obj, _COMPLAINT_FIELDS):
                complaint_ids.add(obj.id)
        elif isinstance(obj, Verification):
            if obj in session.new or _changed(obj, _VERIFICATION_FIELDS):
                complaint_ids.add(obj.complaint_id)
    return answer_ids, complaint_ids


def sync_answers(connection, answer_ids=(), complaint_ids=()):
    """Insert, update or remove the index rows of these answers (and the answers of these complaints)."""
    ids = {i for i in answer_ids if i is not None}
    complaint_ids = {i for i in complaint_ids if i is not None}
    if complaint_ids:
        ids |= set(connection.scalars(select(Answer.id).where(Answer.complaint_id.in_(complaint_ids))).all())
        ids |= set(connection.scalars(
            select(PublishedAnswer.answer_id)
            .join(Answer, Answer.id == PublishedAnswer.answer_id)
            .where(Answer.complaint_id.in_(complaint_ids))
        ).all())
    if not ids:
        return
    rows = connection.execute(
        select(
            Answer.id, Answer.public_ref, Answer.public_summary, Answer.public_body, Answer.published_at,
            Answer.sent_at, Complaint.id.label("complaint_id"), Complaint.unit_id, Complaint.target_unit_id,
            Complaint.category_id, Complaint.submitted_at, Complaint.answered_at, Complaint.consent_publish,
            Complaint.complainant_id, Complaint.staff_id,
        ).join(Complaint, Complaint.id == Answer.complaint_id).where(Answer.id.in_(ids))
    ).all()
    found = {row.id: row for row in rows}
    existing = dict(connection.execute(
        select(PublishedAnswer.answer_id, PublishedAnswer.id).where(PublishedAnswer.answer_id.in_(ids))
    ).all())
    for answer_id in ids:
        row = found.get(answer_id)
        public = row is not None and row.published_at is not None and row.consent_publish and bool(row.public_body)
        if not public:
            if answer_id in existing:
                connection.execute(delete(PublishedAnswer).where(PublishedAnswer.answer_id == answer_id))
            continue
        conclusion = connection.scalar(
            select(Verification.conclusion)
            .where(Verification.complaint_id == row.complaint_id, Verification.status == "approved")
            .order_by(Verification.id.desc()).limit(1)
        )
        person = connection.execute(
            select(Complainant.full_name, Complainant.phone, Complainant.email, Complainant.address)
            .where(Complainant.id == row.complainant_id)
        ).first() if row.complainant_id else None
        staff = connection.execute(
            select(Staff.full_name, Staff.position).where(Staff.id == row.staff_id)
        ).first() if row.staff_id else None
        names = [person.full_name] if person and person.full_name else []
        literals = [v for v in (person.address, person.email, person.phone) if v] if person else []
        summary = _redact(row.public_summary, names, staff, literals)
        body = _redact(row.public_body, names, staff, literals)
        values = dict(
            public_ref=row.public_ref,
            unit_id=row.unit_id or row.target_unit_id,
            category_id=row.category_id,
            conclusion=conclusion,
            submitted_at=row.submitted_at,
            answered_at=row.answered_at or row.sent_at or row.published_at,
            published_at=row.published_at,
            summary=summary,
            body=body,
            search_text=search_text_for(summary, body),
        )
        if answer_id in existing:
            connection.execute(update(PublishedAnswer).where(PublishedAnswer.answer_id == answer_id).values(**values))
        else:
            connection.execute(insert(PublishedAnswer).values(answer_id=answer_id, **values))
        # A public case also has a public Open311 handle.
        has_handle = connection.scalar(
            select(Open311Request.id).where(Open311Request.complaint_id == row.complaint_id)
        )
        if has_handle is None:
            from feedback.models.publication import _public_id

            connection.execute(insert(Open311Request).values(complaint_id=row.complaint_id, public_id=_public_id()))


def _after_flush(session, _flush_context):
    answer_ids, complaint_ids = _collect(session)
    if answer_ids or complaint_ids:
        sync_answers(session.connection(), answer_ids, complaint_ids)


_installed = False


def install_hook():
    global _installed
    if not _installed:
        event.listen(Session, "after_flush", _after_flush)
        _installed = True


# --- full-text structures -------------------------------------------------------------------

_ready = set()
_lock = threading.Lock()


def ensure_search_index(backfill=True):
    """Create the full-text structures if missing and index unindexed published answers. Idempotent."""
    engine = db.engine
    dialect = engine.dialect.name
    with engine.begin() as connection:
        if dialect == "postgresql":
            for statement in PG_SEARCH_DDL:
                connection.execute(text(statement))
        elif dialect == "sqlite":
            existed = connection.execute(
                text("SELECT 1 FROM sqlite_master WHERE name = 'published_answers_fts'")).first()
            for statement in SQLITE_SEARCH_DDL:
                connection.execute(text(statement))
            if not existed:  # rows indexed before the FTS table existed (a migrated database)
                connection.execute(text("INSERT INTO published_answers_fts(published_answers_fts) VALUES ('rebuild')"))
        if backfill:
            missing = connection.scalars(
                select(Answer.id)
                .join(Complaint, Complaint.id == Answer.complaint_id)
                .outerjoin(PublishedAnswer, PublishedAnswer.answer_id == Answer.id)
                .where(Answer.published_at.is_not(None), Complaint.consent_publish.is_(True),
                       PublishedAnswer.id.is_(None))
            ).all()
            for start in range(0, len(missing), 500):
                sync_answers(connection, missing[start:start + 500])
    _ready.add(str(engine.url))


def ensure_search_index_once():
    key = str(db.engine.url)
    if key in _ready:
        return
    with _lock:
        if key not in _ready:
            ensure_search_index()


def reindex():
    """Rebuild the whole index from the answers; returns the number of public answers."""
    ensure_search_index(backfill=False)
    with db.engine.begin() as connection:
        ids = connection.scalars(select(Answer.id).where(Answer.published_at.is_not(None))).all()
        stale = connection.scalars(
            select(PublishedAnswer.answer_id).where(PublishedAnswer.answer_id.not_in(select(Answer.id)))
        ).all()
        if stale:
            connection.execute(delete(PublishedAnswer).where(PublishedAnswer.answer_id.in_(stale)))
        indexed = set(connection.scalars(select(PublishedAnswer.answer_id)).all())
        ids = sorted(set(ids) | indexed)
        for start in range(0, len(ids), 500):
            sync_answers(connection, ids[start:start + 500])
        if connection.dialect.name == "sqlite":
            connection.execute(text("INSERT INTO published_answers_fts(published_answers_fts) VALUES ('rebuild')"))
        return connection.scalar(select(db.func.count()).select_from(PublishedAnswer))
