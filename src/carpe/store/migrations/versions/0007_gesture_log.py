"""gesture log and approvals

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gesture_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("gesture_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("contact_id", sa.String(length=128), nullable=True),
        sa.Column("employee_id", sa.String(length=128), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("moment_id", sa.Integer(), nullable=True),
        sa.Column("budget_id", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("logged_by", sa.String(length=100), nullable=False),
        sa.Column("logged_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
            name=op.f("fk_gesture_requests_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["budgets.budget_id"],
            name=op.f("fk_gesture_requests_budget_id_budgets"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.contact_id"],
            name=op.f("fk_gesture_requests_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.employee_id"],
            name=op.f("fk_gesture_requests_employee_id_employees"),
        ),
        sa.ForeignKeyConstraint(
            ["moment_id"],
            ["moments.id"],
            name=op.f("fk_gesture_requests_moment_id_moments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gesture_requests")),
        sa.UniqueConstraint("gesture_id", name=op.f("uq_gesture_requests_gesture_id")),
    )
    with op.batch_alter_table("gesture_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gesture_requests_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            "ix_gesture_requests_employee_given", ["employee_id", "given_on"], unique=False
        )
        batch_op.create_index(
            "ix_gesture_requests_status_logged", ["status", "logged_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("gesture_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_gesture_requests_status_logged")
        batch_op.drop_index("ix_gesture_requests_employee_given")
        batch_op.drop_index(batch_op.f("ix_gesture_requests_account_id"))

    op.drop_table("gesture_requests")
