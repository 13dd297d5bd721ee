"""real signatures: signature, certificate and payload version on signoffs and
countersignatures

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 08:30:00

Format-1 sign-offs and countersignatures were made without a key: they keep
``signed_payload_version`` 0, no signature and no certificate, and are reported
as "made without a key (format 1)", never as valid signatures.
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

TABLES = ("signoffs", "countersignatures")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('signature', sa.LargeBinary(), nullable=True))
            batch_op.add_column(sa.Column('certificate_der', sa.LargeBinary(), nullable=True))
            batch_op.add_column(sa.Column('signed_payload_version', sa.Integer(), nullable=False,
                                          server_default='0'))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('signed_payload_version')
            batch_op.drop_column('certificate_der')
            batch_op.drop_column('signature')
