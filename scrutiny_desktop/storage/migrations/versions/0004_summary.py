"""the scrutineer's summary: overall judgement, conclusion, strengths, areas for
improvement, scope and method, and a summary for each section

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 11:00:00

Earlier documents have no summary (no rows): their content, fingerprint and
signatures are unchanged by the upgrade.
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'summary_parts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('part', sa.String(length=128), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('part'),
    )


def downgrade() -> None:
    op.drop_table('summary_parts')
