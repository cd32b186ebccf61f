"""Settings, declared once as data.

Every setting is read from the environment with the prefix ``CARPE_`` (or
given directly to :class:`Settings`). ``docs/configuration.md`` documents each
one and a test fails when one is undocumented.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from carpe.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///carpe.db"
DEVELOPMENT_SECRET = "carpe-development-secret-change-me"


class Settings(BaseSettings):
    """carpe's configuration (environment variables prefixed ``CARPE_``)."""

    model_config = SettingsConfigDict(env_prefix="CARPE_", extra="forbid", frozen=True)

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description=(
            "Where the store lives: `sqlite:///path.db` (default `sqlite:///carpe.db` in the "
            "working directory) or `postgresql+psycopg://user@host:5432/db`."
        ),
    )
    environment: Literal["development", "test", "production"] = Field(
        default="development",
        description="`development` allows the built-in secret; `production` refuses it.",
    )
    secret_key: str = Field(
        default=DEVELOPMENT_SECRET,
        description="Signs session cookies and webhook events. Must be set outside development.",
    )
    import_chunk_rows: int = Field(
        default=50_000,
        ge=1_000,
        description="Rows read, validated and written per chunk when importing (bounds memory).",
    )
    import_max_problems: int = Field(
        default=100,
        ge=1,
        description="How many bad rows an import lists before it only counts the rest.",
    )
    page_size: int = Field(
        default=50,
        ge=5,
        le=500,
        description="Rows per page in lists (web and API).",
    )

    session_days: int = Field(
        default=14,
        ge=1,
        le=365,
        description="How long a sign-in lasts (days) before the person signs in again.",
    )
    login_attempts: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins allowed per person and address in 5 minutes before refusing.",
    )
    reconnect_after: int = Field(
        default=25,
        ge=0,
        description=(
            "With `carpe serve --workers N` above 1: requests a keep-alive connection "
            "serves before the client is asked to reconnect, so connections spread over "
            "the workers (0: never ask)."
        ),
    )
    demo_user: str | None = Field(
        default=None,
        description=(
            "Development only: a username the web UI signs in automatically (set by "
            "`carpe demo`). Refused outside development."
        ),
    )
    webhook_url: str | None = Field(
        default=None,
        description=(
            "A URL that receives a signed JSON event (header `X-Carpe-Signature: sha256=...`, "
            "HMAC of the body with the secret key) when a follow-up falls due, a conflict "
            "is found or a gesture waits for a manager's approval."
        ),
    )
    gesture_approval_threshold: float = Field(
        default=50.0,
        ge=0,
        description=(
            "Gestures costing more than this wait for a manager's approval, even within "
            "the giver's budget (those within it and the budget are approved at once)."
        ),
    )

    # Reminders where people work: the morning digest by mail, calendar and chat links.
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description=(
            "The address people open carpe at; links in digests, chat messages and calendar "
            "events start with it."
        ),
    )
    smtp_host: str | None = Field(
        default=None,
        description=(
            "The SMTP server that sends morning digests (unset: no digests are sent, "
            "`carpe digest send --dry-run` still prints them)."
        ),
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="The SMTP server's port.")
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        default="starttls",
        description=(
            "`starttls` (upgrade a plain connection, usually port 587), `tls` (TLS from the "
            "start, usually 465) or `none` (a local relay only)."
        ),
    )
    smtp_user: str | None = Field(
        default=None, description="User name to sign in to the SMTP server (unset: no sign-in)."
    )
    smtp_password: str | None = Field(default=None, description="Password for `CARPE_SMTP_USER`.")
    mail_from: str = Field(
        default="carpe <carpe@localhost>",
        description="The sender of digests (`Name <address>`).",
    )

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql://", "postgresql+psycopg://")):
            raise ValueError(
                f"database_url must start with sqlite:// or postgresql+psycopg:// (got {value!r})"
            )
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @model_validator(mode="after")
    def _enforce_non_default_secret(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEVELOPMENT_SECRET:
            raise ValueError(
                "CARPE_SECRET_KEY is the development default; set a secret of your own "
                "before running with CARPE_ENVIRONMENT=production"
            )
        if self.demo_user and self.environment != "development":
            raise ValueError("CARPE_DEMO_USER signs people in without a password: development only")
        if self.environment == "production" and len(self.secret_key) < 32:
            raise ValueError("CARPE_SECRET_KEY must be at least 32 characters in production")
        return self


def load_settings(**overrides: object) -> Settings:
    """Read the settings from the environment, with explicit overrides on top.

    Raises
    ------
    ConfigError
        When a setting is malformed or unsafe; the message names it.
    """
    from pydantic import ValidationError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigError(f"setting {name}: {first['msg']}") from None
