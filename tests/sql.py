"""What the application asks the database: the statements sent inside a block, for tests that count them."""
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import event

from feedback.extensions import db


@dataclass(frozen=True)
class Statement:
    sql: str  # as sent
    parameters: object

    @property
    def text(self):
        """The SQL on one line, lower-case, for matching."""
        return " ".join(self.sql.split()).lower()


@contextmanager
def recorded_sql():
    """Yield a list that fills with every Statement sent to the database until the block ends."""
    seen = []

    def record(_conn, _cursor, statement, parameters, _context, _executemany):
        seen.append(Statement(statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
