"""Autovacuum the cases table after 1% of its rows change, not 20%

The register, the queue's counts and the monitoring office's live counts read `complaints` through
index-only scans, which skip the table only on pages the visibility map marks all-visible. Every
deadline sweep and workflow step updates cases and clears those marks; with PostgreSQL's defaults a
table of a million cases waits for 200,000 changes before autovacuum sets them again, and the
named-staff register's query then took 85 ms instead of 23 ms (121,723 heap fetches).

Revision ID: d41f7a9c2e65
Revises: 9c927f49ada5
Create Date: 2026-12-03 07:40:00
"""
from alembic import op

revision = "d41f7a9c2e65"
down_revision = "9c927f49ada5"
branch_labels = None
depends_on = None

SETTINGS = ("autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_insert_scale_factor = 0.01, "
            "autovacuum_analyze_scale_factor = 0.01")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":  # SQLite has no autovacuum to tune
        op.execute(f"ALTER TABLE complaints SET ({SETTINGS})")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE complaints RESET (autovacuum_vacuum_scale_factor, "
                   "autovacuum_vacuum_insert_scale_factor, autovacuum_analyze_scale_factor)")
