"""retention stories and consent

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("story_id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("theme", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("scores", sa.Text(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("custom_title", sa.String(length=300), nullable=True),
        sa.Column("anonymous_title", sa.String(length=300), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("hero_employee_id", sa.String(length=128), nullable=True),
        sa.Column("employee_ids", sa.Text(), nullable=False),
        sa.Column("problem_kinds", sa.Text(), nullable=False),
        sa.Column("effort_signals", sa.Text(), nullable=False),
        sa.Column("outcomes", sa.Text(), nullable=False),
        sa.Column("sentences", sa.Text(), nullable=False),
        sa.Column("anonymous_sentences", sa.Text(), nullable=False),
        sa.Column("touchpoint_ids", sa.Text(), nullable=False),
        sa.Column("feedback_ids", sa.Text(), nullable=False),
        sa.Column("contact_ids", sa.Text(), nullable=False),
        sa.Column("consent", sa.String(length=20), nullable=False),
        sa.Column("consent_by", sa.String(length=200), nullable=True),
        sa.Column("consent_contact_id", sa.String(length=128), nullable=True),
        sa.Column("consent_at", sa.DateTime(), nullable=True),
        sa.Column("amounts_allowed", sa.Boolean(), nullable=False),
        sa.Column("redacted", sa.Boolean(), nullable=False),
        sa.Column("detected_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
            name=op.f("fk_stories_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("story_id", name=op.f("pk_stories")),
    )
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stories_account_id"), ["account_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_stories_hero_employee_id"), ["hero_employee_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_stories_score"), ["score"], unique=False)
        batch_op.create_index("ix_stories_theme_score", ["theme", "score"], unique=False)

    op.create_table(
        "story_consents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("story_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("contact_id", sa.String(length=128), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.story_id"],
            name=op.f("fk_story_consents_story_id_stories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_consents")),
    )
    with op.batch_alter_table("story_consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_consents_story_id"), ["story_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("story_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_consents_story_id"))

    op.drop_table("story_consents")
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_index("ix_stories_theme_score")
        batch_op.drop_index(batch_op.f("ix_stories_score"))
        batch_op.drop_index(batch_op.f("ix_stories_hero_employee_id"))
        batch_op.drop_index(batch_op.f("ix_stories_account_id"))

    op.drop_table("stories")
