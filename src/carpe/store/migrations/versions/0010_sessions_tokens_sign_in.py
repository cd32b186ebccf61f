"""sessions, token scopes and expiry, sign-in failures, instance secret, names without case

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 20:00:00

- ``web_sessions``: one row per signed-in browser (the cookie holds a random id,
  the row its SHA-256), so a session can end before its cookie does.
- ``api_tokens.scope`` (read, write, admin; tokens made before are ``write``) and
  ``api_tokens.expires_at``.
- ``sign_in_failures``: the sign-in limit, shared by every worker process.
- ``instance_secrets``: the secret ``carpe init`` makes for this instance.
- ``users.username_key``: the name case-folded, unique, so user names are unique
  whatever their case. A store holding two names that differ only in case is
  refused with both names.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from carpe.errors import StoreError

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _fill_username_keys() -> None:
    """Each user's case-folded name; refuse (naming them) names that differ only in case."""
    bind = op.get_bind()
    keys: dict[str, str] = {}
    for user_id, username in bind.execute(sa.text("SELECT id, username FROM users")).all():
        key = username.casefold()
        if key in keys:
            raise StoreError(
                f"user names must differ in more than case: rename {keys[key]!r} or "
                f"{username!r} (with the previous carpe version) and migrate again"
            )
        keys[key] = username
        bind.execute(
            sa.text("UPDATE users SET username_key = :key WHERE id = :id"),
            {"key": key, "id": user_id},
        )


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("username_key", sa.String(length=100), nullable=True))
    _fill_username_keys()
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("username_key", existing_type=sa.String(length=100), nullable=False)
        batch_op.create_unique_constraint(op.f("uq_users_username_key"), ["username_key"])
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=10), server_default="write", nullable=False)
        )
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_web_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_sessions_token_hash")),
    )
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"], unique=False)
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
    )
    for column in ("at", "username", "address"):
        op.create_index(
            op.f(f"ix_sign_in_failures_{column}"), "sign_in_failures", [column], unique=False
        )
    op.create_table(
        "instance_secrets",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_instance_secrets")),
    )


def downgrade() -> None:
    op.drop_table("instance_secrets")
    for column in ("at", "username", "address"):
        op.drop_index(op.f(f"ix_sign_in_failures_{column}"), table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
    op.drop_index(op.f("ix_web_sessions_user_id"), table_name="web_sessions")
    op.drop_table("web_sessions")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
        batch_op.drop_column("scope")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_users_username_key"), type_="unique")
        batch_op.drop_column("username_key")
