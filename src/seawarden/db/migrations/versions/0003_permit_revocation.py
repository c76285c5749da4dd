"""register: revocation of company permits (day and reason)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 02:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLE = "registry_company_permits"


def upgrade() -> None:
    """Apply this revision (a database created from the table definitions has the columns)."""
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns(TABLE)}
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        if "revoked_on" not in have:
            batch_op.add_column(sa.Column("revoked_on", sa.Date(), nullable=True))
        if "revoke_reason" not in have:
            batch_op.add_column(sa.Column("revoke_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_column("revoke_reason")
        batch_op.drop_column("revoked_on")
