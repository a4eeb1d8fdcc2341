"""scan scores: each response's whole-number total per dimension, so results are one aggregate query

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 10:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scan_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('variant', sa.String(length=12), nullable=False),
    sa.Column('dimension', sa.String(length=40), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['scan_responses.id'], name=op.f('fk_scan_scores_response_id_scan_responses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['scan_rounds.id'], name=op.f('fk_scan_scores_round_id_scan_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scan_scores'))
    )
    with op.batch_alter_table('scan_scores', schema=None) as batch_op:
        batch_op.create_index('ix_scan_scores_round_variant', ['round_id', 'variant', 'dimension'], unique=False)
        batch_op.create_index(batch_op.f('ix_scan_scores_response_id'), ['response_id'], unique=False)
    _score_existing_responses()


def _score_existing_responses():
    """The responses stored before this table existed get their scores, as the action writes them."""
    from community.scan import scoring

    responses = sa.table('scan_responses', sa.column('id', sa.Integer), sa.column('round_id', sa.Integer),
                         sa.column('variant', sa.String), sa.column('answers', sa.JSON))
    rounds = sa.table('scan_rounds', sa.column('id', sa.Integer), sa.column('questionnaire_version', sa.Integer))
    scores = sa.table('scan_scores', sa.column('response_id', sa.Integer), sa.column('round_id', sa.Integer),
                      sa.column('variant', sa.String), sa.column('dimension', sa.String),
                      sa.column('total', sa.Integer), sa.column('items', sa.Integer))
    bind = op.get_bind()
    rows = []
    for response_id, round_id, variant, answers, version in bind.execute(
            sa.select(responses.c.id, responses.c.round_id, responses.c.variant, responses.c.answers,
                      rounds.c.questionnaire_version).join(rounds, rounds.c.id == responses.c.round_id)):
        totals = scoring.dimension_totals(answers, variant, version or 1)
        rows += [dict(response_id=response_id, round_id=round_id, variant=variant, dimension=dimension,
                      total=total, items=items) for dimension, (total, items) in totals.items()]
    if rows:
        bind.execute(sa.insert(scores), rows)


def downgrade():
    with op.batch_alter_table('scan_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scan_scores_response_id'))
        batch_op.drop_index('ix_scan_scores_round_variant')
    op.drop_table('scan_scores')
