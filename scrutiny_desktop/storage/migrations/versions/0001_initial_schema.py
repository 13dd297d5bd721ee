"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 07:28:12.209446
"""

import sqlalchemy as sa
from alembic import op

# Written out here, not imported, so this revision never changes with the models.
AUDIT_TRIGGERS = (
    "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END",
    "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END",
)


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('judgement', sa.String(length=64), nullable=True),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answers')),
    sa.UniqueConstraint('question_id', name=op.f('uq_answers_question_id'))
    )
    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=36), nullable=False),
    sa.Column('partnership', sa.Text(), nullable=False),
    sa.Column('area', sa.Text(), nullable=False),
    sa.Column('period', sa.Text(), nullable=False),
    sa.Column('scrutineer_name', sa.Text(), nullable=False),
    sa.Column('scrutineer_role', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('modified_at', sa.String(length=40), nullable=False),
    sa.Column('template_id', sa.String(length=64), nullable=False),
    sa.Column('template_version', sa.String(length=64), nullable=False),
    sa.Column('template_title', sa.Text(), nullable=False),
    sa.Column('template_snapshot', sa.Text(), nullable=False),
    sa.Column('template_sha256', sa.String(length=64), nullable=False),
    sa.Column('previous_uid', sa.String(length=36), nullable=True),
    sa.Column('previous_period', sa.Text(), nullable=True),
    sa.Column('audit_head', sa.String(length=64), nullable=False),
    sa.Column('audit_count', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'signed_off', 'reviewed')", name=op.f('ck_assessments_status')),
    sa.CheckConstraint('id = 1', name=op.f('ck_assessments_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments'))
    )
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.Text(), nullable=False),
    sa.Column('media_type', sa.String(length=127), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('added_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments'))
    )
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target', sa.Text(), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('row_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries')),
    sa.UniqueConstraint('seq', name=op.f('uq_audit_entries_seq'))
    )
    op.create_table('countersignatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('role', sa.Text(), nullable=False),
    sa.Column('signed_at', sa.String(length=40), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('signature_png', sa.LargeBinary(), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('voided_at', sa.String(length=40), nullable=True),
    sa.Column('voided_by', sa.Text(), nullable=False),
    sa.Column('void_reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_countersignatures'))
    )
    op.create_table('review_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=True),
    sa.Column('author', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_comments')),
    sa.UniqueConstraint('question_id', name=op.f('uq_review_comments_question_id'))
    )
    op.create_table('signoffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('role', sa.Text(), nullable=False),
    sa.Column('signed_at', sa.String(length=40), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('signature_png', sa.LargeBinary(), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('voided_at', sa.String(length=40), nullable=True),
    sa.Column('voided_by', sa.Text(), nullable=False),
    sa.Column('void_reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signoffs'))
    )
    op.create_table('evidence_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('date', sa.String(length=10), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('document', 'meeting', 'case_audit', 'conversation', 'data', "
                       "'observation', 'other')",
        name=op.f('ck_evidence_items_kind')),
    sa.ForeignKeyConstraint(['answer_id'], ['answers.id'],
        name=op.f('fk_evidence_items_answer_id_answers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'],
        name=op.f('fk_evidence_items_attachment_id_attachments'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_items'))
    )
    with op.batch_alter_table('evidence_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_items_answer_id'), ['answer_id'], unique=False)

    op.create_table('recommendations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=40), nullable=False),
    sa.Column('owner_other', sa.Text(), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('due', sa.String(length=10), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('carried_from', sa.Text(), nullable=False),
    sa.Column('progress', sa.Text(), nullable=False),
    sa.CheckConstraint("priority IN ('high', 'medium', 'low')", name=op.f('ck_recommendations_priority')),
    sa.CheckConstraint("status IN ('open', 'in_progress', 'done')", name=op.f('ck_recommendations_status')),
    sa.ForeignKeyConstraint(['answer_id'], ['answers.id'],
        name=op.f('fk_recommendations_answer_id_answers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendations'))
    )
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendations_answer_id'), ['answer_id'], unique=False)

    op.create_table('recommendation_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=30), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('action_owner', sa.Text(), nullable=False),
    sa.Column('action_due', sa.String(length=10), nullable=True),
    sa.Column('updated_at', sa.String(length=40), nullable=False),
    sa.CheckConstraint("decision IN ('accepted', 'accepted_with_changes', 'not_accepted')",
        name=op.f('ck_recommendation_responses_decision')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'],
        name=op.f('fk_recommendation_responses_recommendation_id_recommendations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendation_responses')),
    sa.UniqueConstraint('recommendation_id', name=op.f('uq_recommendation_responses_recommendation_id'))
    )
    for ddl in AUDIT_TRIGGERS:
        op.execute(ddl)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_entries_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_entries_no_delete")
    op.drop_table('recommendation_responses')
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendations_answer_id'))

    op.drop_table('recommendations')
    with op.batch_alter_table('evidence_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_items_answer_id'))

    op.drop_table('evidence_items')
    op.drop_table('signoffs')
    op.drop_table('review_comments')
    op.drop_table('countersignatures')
    op.drop_table('audit_entries')
    op.drop_table('attachments')
    op.drop_table('assessments')
    op.drop_table('answers')

