"""The digest as a mail: plain text and HTML, readable on a phone. Pure: no store, no settings.

The HTML is one column at most 600 px wide with inline styles (mail clients
drop style sheets), large type and one link per item, so it reads on a phone
as in a desktop client; the plain-text part says the same with the links
spelled out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

if TYPE_CHECKING:
    from carpe.services.digest import Digest

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class DigestLinks:
    """Where links point: carpe's address as people open it (``CARPE_BASE_URL``)."""

    base_url: str

    def to(self, path: str) -> str:
        """The absolute link to a page of carpe (each path segment quoted)."""
        safe = "/".join(quote(part, safe="") for part in path.split("/"))
        return self.base_url.rstrip("/") + safe


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("carpe.services", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["money"] = lambda v: f"{v:,.0f}"
    env.filters["day"] = lambda d: f"{WEEKDAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]}"
    return env


def subject_of(digest: Digest) -> str:
    """``Your day, Monday 7 Dec: 3 follow-ups, 1 conflict``."""
    parts = []
    due = len(digest.follow_ups) + digest.more_follow_ups
    if due:
        parts.append(f"{due} follow-up{'s' if due != 1 else ''}")
    if digest.conflicts:
        parts.append(f"{len(digest.conflicts)} conflict{'s' if len(digest.conflicts) != 1 else ''}")
    if digest.quiet:
        parts.append(f"{len(digest.quiet)} gone quiet")
    if not parts and digest.ideas:
        parts.append("ideas for a small gesture")
    day = _environment().filters["day"](digest.day)
    return f"Your day, {day}: " + (", ".join(parts) if parts else "nothing pressing")


def render_text(digest: Digest, links: DigestLinks) -> str:
    """The plain-text part."""
    return _environment().get_template("digest.txt").render(d=digest, link=links.to)


def render_html(digest: Digest, links: DigestLinks) -> str:
    """The HTML part."""
    return _environment().get_template("digest.html").render(d=digest, link=links.to)


def build_message(digest: Digest, *, to: str, sender: str, links: DigestLinks) -> EmailMessage:
    """The digest as a ``multipart/alternative`` mail (text, then HTML) to ``to`` (if given)."""
    message = EmailMessage()
    message["Subject"] = subject_of(digest)
    message["From"] = sender
    if to:
        message["To"] = to
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid("digest", domain=urlsplit(links.base_url).hostname)
    message["Auto-Submitted"] = "auto-generated"
    message["List-Unsubscribe"] = f"<{links.to('/preferences')}>"
    message.set_content(render_text(digest, links))
    message.add_alternative(render_html(digest, links), subtype="html")
    return message
