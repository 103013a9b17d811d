"""Column types and helpers shared by every model."""
import secrets
from datetime import datetime, timezone

from sqlalchemy import BigInteger, Integer
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

# SQLite only auto-increments INTEGER PRIMARY KEY, PostgreSQL tables may grow past 2**31.
BigId = BigInteger().with_variant(Integer, "sqlite")


def utcnow():
    """Naive UTC: every timestamp in the database is UTC without tzinfo."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


# Crockford-style alphabet without look-alikes (no 0/O, 1/I/L, U) for codes people read aloud.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def random_code(length):
    """A random code a citizen can read over the phone."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


# Phone keypad letters (ITU E.161): a tracking code typed on a telephone.
_KEYPAD = {letter: digit for digit, letters in {
    "2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO", "7": "PQRS", "8": "TUV", "9": "WXYZ",
}.items() for letter in letters}


def keypad_digits(code):
    """'PA7K2M9XQB' -> '7257269972': the digits a caller presses for a code."""
    return "".join(_KEYPAD.get(ch, ch) for ch in (code or "").upper() if ch.isalnum())


def hotline_digits(code):
    """'PA7K2M9XQB' -> '5726 9972': the eight digits printed beside a code for callers, who key in
    numbers only (elderly callers cannot find letters on a keypad); PA's 72 is implied."""
    digits = keypad_digits(code)[2:]
    return f"{digits[:4]} {digits[4:]}" if len(digits) == 8 else ""


def insert_unless_taken(session, model, values, key):
    """INSERT one row and return it, or None when its unique `key` column already holds that value.

    ON CONFLICT DO NOTHING instead of a look-up and a savepoint: a replayed submission costs one round
    trip instead of four, and no race between the look-up and the insert (PostgreSQL waits for a
    concurrent insert of the same key to commit, then does nothing). A None key never conflicts.
    """
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(model)
    if values.get(key.key) is not None:
        statement = statement.on_conflict_do_nothing(index_elements=[key])
    return session.scalars(statement.returning(model), [values]).first()
