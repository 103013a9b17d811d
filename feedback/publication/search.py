"""The board of published answers: filters, accent-insensitive search and keyset paging.

Search folds the query exactly as the index was folded (feedback.text.fold), then:
PostgreSQL matches `search_vector @@ plainto_tsquery('simple', folded)` (GIN index) under a
statement_timeout; SQLite matches the FTS5 table `published_answers_fts`. Paging is by keyset,
never OFFSET: newest first with the cursor (published_at, id); by relevance within the newest
RELEVANCE_WINDOW matches with the cursor (rank, id).
"""
import base64
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import and_, func, literal_column, or_, select, text, tuple_
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload

from feedback.calendar import to_utc
from feedback.extensions import db
from feedback.models import PublishedAnswer, Unit
from feedback.publication.index import ensure_search_index_once
from feedback.text import fold

PAGE_SIZE = 20
# Ranking every match of a common word is slow on a million rows: rank among the newest N matches.
# Measured at 1M answers: up to ~700 PostgreSQL walks the (published_at, id) index; above it the planner
# (underestimating word pairs) switches to a bitmap scan of every match (2.8 s for 'thai do').
RELEVANCE_WINDOW = 200
MAX_QUERY_TERMS = 12
# The unit and category every row shows, in the same query.
_EAGER = (joinedload(PublishedAnswer.unit), joinedload(PublishedAnswer.category))


class SearchTimeout(Exception):
    """The search took longer than PUBLICATION_SEARCH_TIMEOUT_MS."""


@dataclass
class BoardQuery:
    q: str = ""
    unit: Unit | None = None
    category_id: int | None = None
    conclusion: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "new"  # "new" or "relevance"
    cursor: str | None = None
    limit: int = PAGE_SIZE


@dataclass
class BoardPage:
    rows: list = field(default_factory=list)
    next_cursor: str | None = None


def terms(q):
    """The folded words of a query, at most MAX_QUERY_TERMS."""
    return re.findall(r"\w+", fold(q or ""))[:MAX_QUERY_TERMS]


def encode_cursor(*values):
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor, kinds):
    """Decode a cursor into values of the given kinds (datetime/float/int), or None when malformed."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(kinds):
            return None
        out = []
        for value, kind in zip(values, kinds):
            if kind is datetime:
                out.append(datetime.fromisoformat(value))
            elif kind is float:
                out.append(float(value))
            else:
                out.append(int(value))
        return out
    except (ValueError, TypeError, json.JSONDecodeError):
        return None


def _filters(query):
    pa = PublishedAnswer
    clauses = []
    if query.unit is not None:
        clauses.append(pa.unit_id.in_(select(Unit.id).where(Unit.subtree_clause(query.unit))))
    if query.category_id:
        clauses.append(pa.category_id == query.category_id)
    if query.conclusion:
        clauses.append(pa.conclusion == query.conclusion)
    if query.date_from:
        clauses.append(pa.published_at >= to_utc(datetime.combine(query.date_from, time.min)))
    if query.date_to:
        clauses.append(pa.published_at < to_utc(datetime.combine(query.date_to + timedelta(days=1), time.min)))
    return clauses


def _match(words, dialect):
    """(where clause, rank expression) for the folded words."""
    folded = " ".join(words)
    if dialect == "postgresql":
        tsq = func.plainto_tsquery(literal_column("'simple'::regconfig"), folded)
        vector = literal_column("published_answers.search_vector")
        return vector.op("@@")(tsq), func.ts_rank(vector, tsq)
    # SQLite FTS5: every word must appear (like plainto_tsquery); each word is quoted.
    expression = " ".join('"' + w.replace('"', '') + '"' for w in words)
    where = PublishedAnswer.id.in_(
        select(literal_column("rowid")).select_from(text("published_answers_fts"))
        .where(text("published_answers_fts MATCH :fts_query").bindparams(fts_query=expression))
    )
    rank = select(literal_column("-bm25(published_answers_fts)")).select_from(text("published_answers_fts")).where(
        text("published_answers_fts MATCH :fts_query2 AND published_answers_fts.rowid = published_answers.id")
        .bindparams(fts_query2=expression)
    ).scalar_subquery()
    return where, rank


def _set_timeout(session):
    if session.get_bind().dialect.name == "postgresql":
        timeout = int(current_app.config.get("PUBLICATION_SEARCH_TIMEOUT_MS", 3000))
        session.execute(text(f"SET LOCAL statement_timeout = {timeout}"))


def board_page(query, session=None):
    """One page of the board for `query`: rows of PublishedAnswer and the next cursor."""
    session = session or db.session
    ensure_search_index_once()
    dialect = session.get_bind().dialect.name
    pa = PublishedAnswer
    clauses = _filters(query)
    words = terms(query.q)
    limit = max(1, min(query.limit, 100))
    try:
        if words:
            _set_timeout(session)
            where, rank = _match(words, dialect)
            clauses.append(where)
        if words and query.sort == "relevance":
            window = (
                select(pa.id.label("id"), rank.label("rank"))
                .where(*clauses)
                .order_by(pa.published_at.desc(), pa.id.desc())
                .limit(RELEVANCE_WINDOW)
                .subquery()
            )
            # Round so that the cursor's rank compares equal to the database's value.
            rank_col = func.round(window.c.rank * 1000000)
            ranked = select(window.c.id, rank_col.label("r")).subquery()
            stmt = select(ranked.c.id, ranked.c.r)
            cursor = decode_cursor(query.cursor, (float, int))
            if cursor:
                stmt = stmt.where(or_(ranked.c.r < cursor[0], and_(ranked.c.r == cursor[0], ranked.c.id < cursor[1])))
            stmt = stmt.order_by(ranked.c.r.desc(), ranked.c.id.desc()).limit(limit + 1)
            found = session.execute(stmt).all()
            page, more = found[:limit], len(found) > limit
            objects = {o.id: o for o in session.scalars(
                select(pa).options(*_EAGER).where(pa.id.in_([r.id for r in page])))}
            rows = [objects[r.id] for r in page if r.id in objects]
            next_cursor = encode_cursor(float(page[-1].r), page[-1].id) if more and page else None
            return BoardPage(rows, next_cursor)
        stmt = select(pa).options(*_EAGER).where(*clauses)
        cursor = decode_cursor(query.cursor, (datetime, int))
        if cursor:
            # A row comparison, so that PostgreSQL walks the (published_at, id) index from the cursor on.
            stmt = stmt.where(tuple_(pa.published_at, pa.id) < tuple_(cursor[0], cursor[1]))
        stmt = stmt.order_by(pa.published_at.desc(), pa.id.desc()).limit(limit + 1)
        found = session.scalars(stmt).all()
    except OperationalError as exc:
        if "statement timeout" in str(exc) or "canceling statement" in str(exc):
            session.rollback()
            raise SearchTimeout() from exc
        raise
    page, more = found[:limit], len(found) > limit
    next_cursor = encode_cursor(page[-1].published_at, page[-1].id) if more and page else None
    return BoardPage(list(page), next_cursor)


def unit_feed(unit, limit=50, session=None):
    """The newest published answers of a unit's subtree (for its Atom feed)."""
    return board_page(BoardQuery(unit=unit, limit=limit), session=session).rows
