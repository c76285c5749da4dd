"""dangerous goods: containers at the slots of a yard

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 04:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision (a database created from the table definitions has the table)."""
    if sa.inspect(op.get_bind()).has_table("dg_yard_containers"):
        return
    op.create_table(
        "dg_yard_containers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organisation", sa.String(length=64), nullable=False),
        sa.Column("storage_unit_id", sa.Integer(), nullable=False),
        sa.Column("container_no", sa.String(length=16), nullable=False),
        sa.Column("block", sa.String(length=32), nullable=False),
        sa.Column("bay", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("in_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["storage_unit_id"], ["dg_storage_units.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("storage_unit_id", "container_no", name="uq_dg_yard_container"),
    )
    with op.batch_alter_table("dg_yard_containers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dg_yard_containers_organisation"), ["organisation"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("dg_yard_containers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dg_yard_containers_organisation"))
    op.drop_table("dg_yard_containers")
