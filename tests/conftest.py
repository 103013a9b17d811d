"""Fixtures: the app on SQLite (default) or PostgreSQL (TEST_DATABASE_URL), Redis when set.

Each test starts from empty tables: rows are removed after every test, so tests
may commit, use threads and run real workers. With REQUIRE_SERVICES=1 a test that
needs PostgreSQL or Redis fails instead of skipping.
"""
import os

import pytest
from sqlalchemy import text

from feedback import create_app
from feedback.extensions import db

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _need(service, why):
    if REQUIRE_SERVICES:
        pytest.fail(f"{service} is required (REQUIRE_SERVICES=1): {why}")
    pytest.skip(f"{service} not available: {why}")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def upload_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("uploads"))


@pytest.fixture(scope="session")
def make_app(database_url, upload_dir):
    """Build an app on the test database with config overrides."""
    from config import normalise_database_url

    def factory(**overrides):
        settings = {
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
            "UPLOAD_FOLDER": upload_dir,
        }
        settings.update(overrides)
        app = create_app("test", **settings)

        def _forget_cached_user():
            # Tests keep an app context open, so `g` outlives a request: let each
            # request load its user afresh, as in production.
            from flask import g
            from flask_babel import refresh

            g.pop("_login_user", None)
            refresh()  # and its language, which Flask-Babel caches on the (shared) app context

        # First of all before-request hooks: the others (session time-outs) must see this request's user.
        app.before_request_funcs.setdefault(None, []).insert(0, _forget_cached_user)

        return app

    return factory


@pytest.fixture(scope="session")
def _session_app(make_app):
    app = make_app()
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def _empty_tables():
    engine = db.engine
    tables = [t.name for t in db.metadata.sorted_tables]
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        return
    # PRAGMA foreign_keys is ignored inside a transaction: switch it on the raw (autocommit)
    # connection, and back on afterwards, or the pooled connection would keep it off for later tests.
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.execute("BEGIN")
        for name in reversed(tables):
            cursor.execute(f'DELETE FROM "{name}"')
        cursor.execute("COMMIT")
        cursor.execute("PRAGMA foreign_keys=ON")
        assert cursor.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        raw.close()


@pytest.fixture
def app(_session_app):
    """The app, inside an app context, with empty tables afterwards."""
    with _session_app.app_context():
        yield _session_app
        db.session.remove()
        _empty_tables()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def postgres(app):
    """Skip (or fail under REQUIRE_SERVICES) unless the tests run on PostgreSQL."""
    if db.engine.dialect.name != "postgresql":
        _need("PostgreSQL", "set TEST_DATABASE_URL")
    return db.engine


@pytest.fixture
def redis_url():
    """A Redis URL with an emptied database, or skip/fail."""
    url = os.environ.get("REDIS_URL")
    if not url:
        _need("Redis", "set REDIS_URL")
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        connection = Redis.from_url(url, socket_connect_timeout=2)
        connection.flushdb()
    except RedisError as exc:
        _need("Redis", str(exc))
    yield url
    connection.flushdb()


def login(client, user):
    """Sign `user` in on this test client without going through the form."""
    with client.session_transaction() as session:
        import time

        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["signed_in_at"] = session["seen_at"] = time.time()
