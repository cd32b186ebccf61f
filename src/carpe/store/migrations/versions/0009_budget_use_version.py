"""budget use version: a row the inputs of budget use change by trigger; gestures by contact

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 18:00:00

Every insert, update or delete on gestures, gesture_requests, budgets and
employees sets a new random ``budget_use_version.version`` in the same
transaction, so the web can keep each budget's spent and reserved until one of
its inputs changes (see ``carpe.services.gesture_budgets``).

``ix_gestures_contact_given``: a contact's last gesture (the brief's ideas) without
reading every gesture.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

INPUTS = ("gestures", "gesture_requests", "budgets", "employees")
OPERATIONS = ("insert", "update", "delete")
PG_FUNCTION = "budget_use_version_bump"


def _trigger(table: str, operation: str | None = None) -> str:
    return f"budget_use_version_{table}" + (f"_{operation}" if operation else "")


def upgrade() -> None:
    with op.batch_alter_table("gestures", schema=None) as batch_op:
        batch_op.create_index("ix_gestures_contact_given", ["contact_id", "given_on"], unique=False)
    version = op.create_table(
        "budget_use_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_use_version")),
    )
    op.bulk_insert(version, [{"id": 1, "version": uuid.uuid4().hex}])
    if op.get_bind().dialect.name == "sqlite":
        for table in INPUTS:
            for operation in OPERATIONS:
                op.execute(
                    f"CREATE TRIGGER {_trigger(table, operation)} "
                    f"AFTER {operation.upper()} ON {table} BEGIN "
                    "UPDATE budget_use_version SET version = lower(hex(randomblob(16))); END"
                )
    else:  # PostgreSQL: once per statement
        op.execute(
            f"CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "UPDATE budget_use_version "
            "SET version = md5(random()::text || clock_timestamp()::text); RETURN NULL; END $$"
        )
        for table in INPUTS:
            op.execute(
                f"CREATE TRIGGER {_trigger(table)} "
                f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in INPUTS:
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER IF EXISTS {_trigger(table, operation)}")
    else:
        for table in INPUTS:
            op.execute(f"DROP TRIGGER IF EXISTS {_trigger(table)} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
    op.drop_table("budget_use_version")
    with op.batch_alter_table("gestures", schema=None) as batch_op:
        batch_op.drop_index("ix_gestures_contact_given")
