"""statements: the actor key is not indexed (agent filters use statement_agents)

Revision ID: 3094192722b4
Revises: 9731f10d2996
Create Date: 2026-11-29 19:10:34.781398

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3094192722b4'
down_revision = '9731f10d2996'
branch_labels = None
depends_on = None


def upgrade():
    # Every statement paid for this index on a long column, and no query used it. A plain
    # DROP INDEX: no table rebuild, even on SQLite.
    op.drop_index('ix_statements_actor_key', table_name='statements')


def downgrade():
    op.create_index('ix_statements_actor_key', 'statements', ['actor_key'], unique=False)
