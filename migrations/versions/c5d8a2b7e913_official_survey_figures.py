"""official satisfaction survey figures entered by the monitoring office

Revision ID: c5d8a2b7e913
Revises: a7c3e19d2f40
Create Date: 2026-12-02 13:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5d8a2b7e913'
down_revision = 'a7c3e19d2f40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('official_surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('index_value', sa.Float(), nullable=False),
    sa.Column('sample_size', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_official_surveys_entered_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_official_surveys_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_official_surveys')),
    sa.UniqueConstraint('unit_id', 'year', name='uq_official_surveys_unit_year')
    )
    with op.batch_alter_table('official_surveys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_official_surveys_unit_id'), ['unit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('official_surveys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_official_surveys_unit_id'))
    op.drop_table('official_surveys')
