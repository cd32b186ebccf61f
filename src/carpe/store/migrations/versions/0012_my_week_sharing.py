"""my week sharing: whether an employee shares their My week page with managers

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "my_week_sharing",
        sa.Column("employee_id", sa.String(length=128), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.employee_id"],
            name=op.f("fk_my_week_sharing_employee_id_employees"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("employee_id", name=op.f("pk_my_week_sharing")),
    )


def downgrade() -> None:
    op.drop_table("my_week_sharing")
