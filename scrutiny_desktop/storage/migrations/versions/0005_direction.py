"""direction of travel: the scrutineer's view, per question, of whether things are
improving, stable or declining (offered by format-2 checklists that ask for it)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 12:00:00

Earlier answers have none (NULL): the content, fingerprint and signatures of a
document without a direction are unchanged by the upgrade.
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('direction', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_column('direction')
