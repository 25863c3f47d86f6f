"""statements that refer to a statement are flagged and indexed

The statement filters also return the statements that refer to one they match (xAPI 1.0.3
§2.1.3). Those are few; flagging and indexing them (in storage order) lets a query start from
them and check each one's target, instead of gathering every statement the filters match.

Revision ID: 0c095d197220
Revises: 3661dc03590a
Create Date: 2026-11-23 14:32:44.742308

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0c095d197220'
down_revision = '3661dc03590a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_reference', sa.Boolean(), server_default=sa.false(), nullable=False))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "UPDATE statements SET is_reference = true"
            " WHERE payload -> 'object' ->> 'objectType' = 'StatementRef'"
        )
    else:
        op.execute(
            "UPDATE statements SET is_reference = 1"
            " WHERE json_extract(payload, '$.object.objectType') = 'StatementRef'"
        )
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.create_index('ix_statements_references', ['seq'], unique=False, postgresql_where=sa.text('is_reference'), sqlite_where=sa.text('is_reference = 1'))


def downgrade():
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_index('ix_statements_references', postgresql_where=sa.text('is_reference'), sqlite_where=sa.text('is_reference = 1'))
        batch_op.drop_column('is_reference')
