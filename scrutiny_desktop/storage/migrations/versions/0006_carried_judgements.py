"""carried-forward judgements: the period a judgement was brought from, while it
waits for the scrutineer to confirm it this year

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 13:00:00

Earlier answers have none (NULL): every judgement in them was made in the document
itself. The column is not part of the signed content, so the content, fingerprint
and signatures of a document are unchanged by the upgrade.
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carried_from', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_column('carried_from')
