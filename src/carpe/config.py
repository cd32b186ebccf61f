"""Settings, declared once as data.

Every setting is read from the environment with the prefix ``CARPE_`` (or
given directly to :class:`Settings`). ``docs/configuration.md`` documents each
one and a test fails when one is undocumented.
"""

from __future__ import annotations

import os
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
        description=(
            "`production` refuses the published development secret, sends HSTS and "
            "marks cookies Secure; `development` reloads templates."
        ),
    )
    secret_key: str | None = Field(
        default=None,
        description=(
            "Signs session cookies and webhook events. Unset (the default): the random "
            "secret `carpe init` made and keeps in the store. The published development "
            "secret is refused in production and when serving beyond this machine."
        ),
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
        description=(
            "Absolute lifetime of a sign-in (days): after it the person signs in again, "
            "however active."
        ),
    )
    login_attempts: int = Field(
        default=5,
        ge=1,
        description=(
            "Failed sign-ins allowed per account (from any address) in 5 minutes before "
            "refusing; counted in the store, so shared by every worker."
        ),
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
    currency: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z]{3}$",
        description=(
            "The ISO code (e.g. `EUR`) of amounts that carry no currency of their own "
            "(budgets, gestures, orders, money at stake). Blank: the currency most "
            "imported invoices are in."
        ),
    )

    # -- sessions, tokens, sign-in (security) --
    session_idle_minutes: int = Field(
        default=480,
        ge=5,
        le=60 * 24 * 30,
        description="A sign-in ends after this many minutes without a request (idle lifetime).",
    )
    login_attempts_per_address: int = Field(
        default=20,
        ge=1,
        description="Failed sign-ins allowed per address (for any accounts) in 5 minutes.",
    )
    token_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description="Default lifetime of a new API token (days); each token may ask for less.",
    )

    # Conflict detectors (docs/conflicts.md says why each default).
    conflict_amount_tolerance: float = Field(
        default=0.01,
        ge=0,
        description=(
            "Relative slack before an invoice counts as above its order or quote "
            "(rounding, small fees)."
        ),
    )
    conflict_duplicate_days: int = Field(
        default=14,
        ge=0,
        description=(
            "The same amount invoiced again for one order within this many days is a "
            "duplicate, paid or not."
        ),
    )
    conflict_duplicate_window_days: int = Field(
        default=45,
        ge=1,
        description="... and up to this many days when the first one is not paid yet.",
    )
    conflict_lead_time_slip_z: float = Field(
        default=5.0,
        gt=0,
        description=(
            "`promise_lead_time`: a won quote's own orders later than promised by more than "
            "the median slip of the business's quotes + this many robust standard deviations."
        ),
    )
    conflict_lead_time_keep_z: float = Field(
        default=3.0,
        gt=0,
        description=(
            "... while own orders that slipped no more than the median + this many robust "
            "standard deviations kept the promise."
        ),
    )
    conflict_price_spread_z: float = Field(
        default=3.0,
        gt=0,
        description=(
            "`promise_price`: an invoice above its quote beyond the business's usual band "
            "(median excess + this many robust standard deviations) breaks the quote."
        ),
    )
    conflict_handoff_min_days: int = Field(
        default=30,
        ge=1,
        description=(
            "After an account owner leaves, the new side has at least this many days to "
            "contact the customer before it is a `handoff_gap`."
        ),
    )
    conflict_handoff_usual_quantile: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description=(
            "... or longer: this quantile of the owner department's own gaps between two "
            "contacts with an account."
        ),
    )
    conflict_reopen_min_days: int = Field(
        default=14,
        ge=1,
        description=(
            "A ticket the customer reopens or complains about after it was closed, left "
            "unanswered at least this long, is a `handoff_gap`."
        ),
    )
    conflict_reopen_usual_quantile: float = Field(
        default=0.99,
        ge=0,
        le=1,
        description=(
            "... and longer than this quantile of the business's own waits between a "
            "customer's ticket message and the answer."
        ),
    )
    conflict_kpi_tail: float = Field(
        default=0.05,
        gt=0,
        lt=0.5,
        description=(
            "`kpi_disagreement`: a department is in trouble when its metric is worse than "
            "all but this share of its own reports."
        ),
    )
    conflict_kpi_min_departments: int = Field(
        default=2,
        ge=1,
        description=(
            "... at least this many departments at once, while another reports the "
            "account better than half of its own reports."
        ),
    )
    conflict_kpi_min_months: int = Field(
        default=2,
        ge=1,
        description="... in at least this many consecutive months (one odd month is noise).",
    )
    memory_date_order: Literal["dmy", "mdy"] | None = Field(
        default=None,
        description=(
            "How an all-number date in a note (3/4) is read when both orders are possible: "
            "`dmy` (3 April) or `mdy` (March 4); unset: `mdy` when the system locale is "
            "en_US, else `dmy`. An impossible order (14/3, 3/14) is always read the one way "
            "it can be."
        ),
    )

    def date_order(self) -> str:
        """The day-month order for all-number dates: the setting, else the system locale."""
        if self.memory_date_order is not None:
            return self.memory_date_order
        import locale

        name = locale.getlocale(locale.LC_TIME)[0] or os.environ.get("LANG", "")
        return "mdy" if name.startswith("en_US") else "dmy"

    # Imports, exports and erasure (security: data).
    import_max_text_bytes: int = Field(
        default=65_536,
        ge=1_024,
        description=(
            "The longest note, feedback comment or gesture description an import accepts, "
            "in UTF-8 bytes (64 KB by default); a longer one is named as a bad value."
        ),
    )
    import_wait_seconds: float = Field(
        default=30.0,
        ge=0,
        description=(
            "How long an import waits for another import into the same store to finish "
            "before it stops and says one is running (0: do not wait)."
        ),
    )
    csv_escape_formulas: bool = Field(
        default=True,
        description=(
            "Write a text cell of an exported CSV that starts with `=`, `+`, `-`, `@`, a tab "
            "or a carriage return with a leading `'`, so spreadsheets show it instead of "
            "running it (`carpe import` removes the mark again). `false` for programs that "
            "read the files and want the values as stored."
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
                "CARPE_SECRET_KEY is the published development secret; unset it (carpe "
                "keeps a random secret of its own in the store) or set one nobody else knows"
            )
        if self.demo_user and self.environment != "development":
            raise ValueError("CARPE_DEMO_USER signs people in without a password: development only")
        if (
            self.environment == "production"
            and self.secret_key is not None
            and len(self.secret_key) < 32
        ):
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
