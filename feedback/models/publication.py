"""The public face: the index of published answers, Open311 request handles and API keys.

`PublishedAnswer` holds ONLY what may be shown publicly (redacted texts, unit, category,
dates, conclusion) so that every public page reads from one table that cannot leak
anything else. It is kept in step with `Answer`/`Complaint`/`Verification` by a session
hook (feedback.publication.index) and can be rebuilt with `flask publication reindex`.
"""
import hashlib
import secrets
from datetime import datetime

from sqlalchemy import DDL, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models.base import BigId, utcnow


class PublishedAnswer(db.Model):
    __tablename__ = "published_answers"
    __table_args__ = (
        Index("ix_published_answers_published_at_id", "published_at", "id"),
        Index("ix_published_answers_unit_id_published_at", "unit_id", "published_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), unique=True)
    public_ref: Mapped[str] = mapped_column(String(16), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    conclusion: Mapped[str | None] = mapped_column(String(20))
    submitted_at: Mapped[datetime] = mapped_column()
    answered_at: Mapped[datetime | None] = mapped_column()
    published_at: Mapped[datetime] = mapped_column()
    # Redacted texts approved for publication.
    summary: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    # Accent-folded, lower-cased summary + body (feedback.text.fold): what search matches.
    search_text: Mapped[str] = mapped_column(Text, default="")

    unit: Mapped["Unit | None"] = relationship()  # noqa: F821
    category: Mapped["Category | None"] = relationship()  # noqa: F821


# Full-text structures that are not plain columns (created with the table; `ensure_search_index()`
# adds them to a database migrated from the models without them).
PG_SEARCH_DDL = [
    "ALTER TABLE published_answers ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(search_text, ''))) STORED",
    "CREATE INDEX IF NOT EXISTS ix_published_answers_search_vector ON published_answers USING gin (search_vector)",
]
SQLITE_SEARCH_DDL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS published_answers_fts USING fts5("
    "search_text, content='published_answers', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS published_answers_fts_ai AFTER INSERT ON published_answers BEGIN "
    "INSERT INTO published_answers_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS published_answers_fts_ad AFTER DELETE ON published_answers BEGIN "
    "INSERT INTO published_answers_fts(published_answers_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS published_answers_fts_au AFTER UPDATE ON published_answers BEGIN "
    "INSERT INTO published_answers_fts(published_answers_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO published_answers_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]
for _statement in PG_SEARCH_DDL:
    event.listen(PublishedAnswer.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
for _statement in SQLITE_SEARCH_DDL:
    event.listen(PublishedAnswer.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
event.listen(PublishedAnswer.__table__, "before_drop",
             DDL("DROP TABLE IF EXISTS published_answers_fts").execute_if(dialect="sqlite"))


class ApiKey(db.Model):
    """An Open311 client's key; only its hash is stored, the key is shown once."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()

    @staticmethod
    def hash_key(key):
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, name):
        """A new active key: returns (ApiKey, key in clear)."""
        key = "o311_" + secrets.token_urlsafe(30)
        return cls(name=name, key_hash=cls.hash_key(key), prefix=key[:10], active=True), key


def _public_id():
    return secrets.token_hex(8)


class Open311Request(db.Model):
    """The public handle of a case in the Open311 API (never the sequential case id)."""

    __tablename__ = "open311_requests"
    __table_args__ = (UniqueConstraint("api_key_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), unique=True)
    # service_request_id in the API.
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=_public_id)
    # Returned to the client that POSTed the request (tokens/{token}); None for other channels.
    token: Mapped[str | None] = mapped_column(String(48), unique=True)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), index=True)
    # What the client sent, as GeoReport v2 names it (identity fields go to the complainant instead).
    lat: Mapped[float | None] = mapped_column()
    long: Mapped[float | None] = mapped_column()
    address_string: Mapped[str | None] = mapped_column(String(500))
    address_id: Mapped[str | None] = mapped_column(String(100))
    media_url: Mapped[str | None] = mapped_column(String(500))
    device_id: Mapped[str | None] = mapped_column(String(100))
    account_id: Mapped[str | None] = mapped_column(String(100))
    # The client's Idempotency-Key: a retried POST with the same key returns the first request.
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    complaint: Mapped["Complaint"] = relationship()  # noqa: F821
    api_key: Mapped[ApiKey | None] = relationship()
