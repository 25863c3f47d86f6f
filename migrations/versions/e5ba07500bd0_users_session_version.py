"""users: session version, raised when the password changes to end every other session

Revision ID: e5ba07500bd0
Revises: 5e1f0a7c2b93
Create Date: 2026-11-29 19:04:20.973513

"""

import sqlalchemy as sa
from alembic import op

revision = "e5ba07500bd0"
down_revision = "5e1f0a7c2b93"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
