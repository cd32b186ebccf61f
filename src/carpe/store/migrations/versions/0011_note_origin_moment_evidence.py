"""note origin and moment evidence

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 20:00:00

``touchpoints.origin``: who wrote the note. Empty for a person (imported or logged);
``follow_up``, ``gesture`` or ``generated`` for notes carpe wrote itself, which the
memory never reads for new moments (issue 18: carpe never re-reads itself).

``moment_evidence``: a later note that mentions an open moment again adds a piece of
evidence to it instead of opening a second moment.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("touchpoints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin", sa.String(length=20), nullable=True))
    op.create_table(
        "moment_evidence",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("moment_id", sa.Integer(), nullable=False),
        sa.Column("touchpoint_id", sa.String(length=128), nullable=True),
        sa.Column("noted_on", sa.Date(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["moment_id"], ["moments.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["touchpoint_id"], ["touchpoints.touchpoint_id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_moment_evidence_moment", "moment_evidence", ["moment_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_moment_evidence_moment", table_name="moment_evidence")
    op.drop_table("moment_evidence")
    with op.batch_alter_table("touchpoints", schema=None) as batch_op:
        batch_op.drop_column("origin")
