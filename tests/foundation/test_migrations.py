"""`flask db upgrade` on an empty database builds exactly the models' schema, on PostgreSQL and SQLite."""
import logging
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from feedback import create_app
from feedback.extensions import db, include_in_migrations


@pytest.fixture
def keep_logging():
    """Alembic's env.py reconfigures logging from alembic.ini; give the other tests theirs back."""
    root = logging.getLogger()
    level, handlers = root.level, root.handlers[:]
    disabled = {name: logger.disabled for name, logger in logging.Logger.manager.loggerDict.items()
                if isinstance(logger, logging.Logger)}
    yield
    root.setLevel(level)
    root.handlers[:] = handlers
    for name, logger in logging.Logger.manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            logger.disabled = disabled.get(name, False)


def _upgrade_and_compare(url, upload_dir):
    """Run every migration on the empty database at `url`; return the differences from the models."""
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url, UPLOAD_FOLDER=upload_dir)
    with app.app_context():
        try:
            upgrade()
            with db.engine.connect() as connection:
                assert inspect(connection).get_table_names(), "the migration created no table"
                assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
                # The hand-written full-text structures must exist, and are left out of the comparison.
                if connection.dialect.name == "postgresql":
                    columns = {c["name"] for c in inspect(connection).get_columns("published_answers")}
                    assert "search_vector" in columns
                    # Autovacuum keeps the cases table's visibility map fresh for index-only scans.
                    options = connection.execute(text("SELECT reloptions FROM pg_class WHERE relname = 'complaints'"))
                    assert "autovacuum_vacuum_scale_factor=0.01" in (options.scalar() or [])
                else:
                    assert "published_answers_fts" in inspect(connection).get_table_names()
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "include_object": include_in_migrations}
                )
                differences = compare_metadata(context, db.metadata)
            upgrade()  # a second upgrade is a no-op
            return differences
        finally:
            db.session.remove()
            db.engine.dispose()


def test_migrations_build_the_models_schema_on_postgresql(postgres, upload_dir, keep_logging):
    name = f"feedback_migrations_{uuid.uuid4().hex[:12]}"
    server = postgres.execution_options(isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = postgres.url.set(database=name).render_as_string(hide_password=False)
        assert _upgrade_and_compare(url, upload_dir) == []
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_migrations_build_the_models_schema_on_sqlite(tmp_path, upload_dir, keep_logging):
    url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    assert _upgrade_and_compare(url, upload_dir) == []
