"""signed PDFs: the PAdES-signed PDF made at sign-off and at countersignature

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 10:00:00

At sign-off the app lays out the PDF summary and signs it (PAdES) with the
scrutineer's key; at countersignature it adds the partnership's response to that
PDF and signs it with the chair's key.  Each PDF is kept with its signature record
so that exporting a signed-off or countersigned assessment hands out exactly the
PDF that was signed.  Earlier records have none (NULL).
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

TABLES = ("signoffs", "countersignatures")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('signed_pdf', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('signed_pdf')
