"""moment sensitivity derived from the kind

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 23:30:00

``moments.sensitive`` is dropped: whether a moment is sensitive is derived from
its kind (``carpe.vocabulary.is_sensitive``), in Python and in SQL, so a stored
copy can no longer disagree with the vocabulary. Nothing else in the row
changes. A plain ``ALTER TABLE ... DROP COLUMN`` (SQLite 3.35 or later,
PostgreSQL): the table is not rebuilt, so the follow-ups and evidence that
reference a moment are never touched.

The downgrade adds the column back and fills it from the kind.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from carpe.vocabulary import SENSITIVE_KINDS

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE moments DROP COLUMN sensitive")


def downgrade() -> None:
    op.execute("ALTER TABLE moments ADD COLUMN sensitive BOOLEAN NOT NULL DEFAULT false")
    moments = sa.table("moments", sa.column("kind", sa.String), sa.column("sensitive", sa.Boolean))
    op.execute(moments.update().values(sensitive=moments.c.kind.in_(sorted(SENSITIVE_KINDS))))
