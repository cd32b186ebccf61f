"""Permissions: who is asking (the actor), and the one check every use case asks.

Every service that reads or changes something a role may not reach asks
:func:`allowed` (or :func:`require`, which raises) with the actor, an action and
the resource. The rules are data, in :data:`RULES`: one row per resource kind and
action, naming who may. There is no actor for "nobody in particular": a call
without one is denied. The local command line acts as :data:`SYSTEM`, named at
each call; the scheduler composes each digest as its recipient (chat messages
never carry a sensitive moment's subject), and the analysis pipeline calls no use
case that takes an actor.

A read-scoped API token is refused every action that changes data. The matrix
is stated in ``docs/web.md`` (a test holds the two equal) and tested for every
kind of actor (``tests/unit/test_permissions.py``) and every route
(``tests/e2e/test_authorization.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from carpe.errors import ForbiddenError


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking (the actor): a person signed in, an API token acting as one, or SYSTEM."""

    user_id: int
    username: str
    role: str
    employee_id: str | None
    scope: str | None = None
    """An API token's scope (``read``, ``write``, ``admin``); ``None`` for a person signed in."""

    @property
    def is_manager(self) -> bool:
        """Managers and admins see and act on everyone's data."""
        return self.role in ("manager", "admin")

    @property
    def is_admin(self) -> bool:
        """Admins manage users, exports and erasures (a token only with the admin scope)."""
        return self.role == "admin" and self.scope in (None, "admin")

    @property
    def may_write(self) -> bool:
        """Whether this viewer may change data (a read-scoped token may not)."""
        return self.scope != "read"

    @property
    def manages_tokens(self) -> bool:
        """Whether this viewer may create and revoke tokens (a person, or an admin-scoped token)."""
        return self.scope in (None, "admin")


Actor = Viewer
"""The name the permission check uses for whoever asks."""

SYSTEM = Viewer(user_id=0, username="cli", role="admin", employee_id=None)
"""The system actor: the local command line (and tests and benchmarks acting as it).
Trusted like an admin, audited as ``cli``; always named at the call, never implied
by a missing actor."""


class Rule(StrEnum):
    """Who may: one of a handful of answers, each explained in the docs' matrix."""

    ANYONE = "anyone"
    OWNER = "owner"
    OWNER_OR_MANAGER = "owner or manager"
    INVOLVED_OR_MANAGER = "involved or manager"
    OWNER_OR_SHARED_MANAGER = "owner, or manager when shared"
    MANAGER = "manager"
    MANAGER_NOT_OWN = "manager, not their own (admins may)"
    ADMIN = "admin"
    OWNER_OR_ADMIN = "owner or admin"


@dataclass(frozen=True, slots=True)
class Resource:
    """What an action is on: its kind and whose it is.

    Attributes
    ----------
    kind : str
        A kind of :data:`RULES` (``moment``, ``conflict``, ...).
    owners : tuple of str or None
        Employee ids whose it is (who recorded a moment, the account's owner, a
        follow-up's assignee, a budget's employee or department, ...).
    involved : tuple of str or None
        Employee ids who may also see it, without acting on it.
    users : tuple of str
        User names whose it is (who logged a gesture request, a token's user).
    shared : bool
        Whether its owner shares it with managers (a My week page).
    """

    kind: str
    owners: tuple[str | None, ...] = ()
    involved: tuple[str | None, ...] = ()
    users: tuple[str, ...] = ()
    shared: bool = False


@dataclass(frozen=True, slots=True)
class Permission:
    """One row of the matrix: who may take the action, whether it changes data, and
    whether an API token needs the admin scope for it (creating and revoking tokens)."""

    rule: Rule
    writes: bool
    token_admin: bool = False


RULES: dict[tuple[str, str], Permission] = {
    ("account", "see"): Permission(Rule.ANYONE, writes=False),
    ("touchpoint", "log"): Permission(Rule.ANYONE, writes=True),
    ("moment", "see"): Permission(Rule.ANYONE, writes=False),
    ("moment", "review"): Permission(Rule.OWNER_OR_MANAGER, writes=True),
    ("sensitive_moment", "see"): Permission(Rule.OWNER_OR_MANAGER, writes=False),
    ("sensitive_moment", "review"): Permission(Rule.OWNER_OR_MANAGER, writes=True),
    ("follow_ups", "list"): Permission(Rule.OWNER_OR_MANAGER, writes=False),
    ("follow_up", "act"): Permission(Rule.OWNER_OR_MANAGER, writes=True),
    ("conflict", "see"): Permission(Rule.INVOLVED_OR_MANAGER, writes=False),
    ("conflict", "act"): Permission(Rule.OWNER_OR_MANAGER, writes=True),
    ("conflict", "reassign"): Permission(Rule.MANAGER, writes=True),
    ("story", "see"): Permission(Rule.OWNER_OR_MANAGER, writes=False),
    ("story", "consent"): Permission(Rule.OWNER_OR_MANAGER, writes=True),
    ("story", "edit"): Permission(Rule.OWNER_OR_MANAGER, writes=True),
    ("budget", "see"): Permission(Rule.OWNER_OR_MANAGER, writes=False),
    ("budget", "manage"): Permission(Rule.MANAGER, writes=True),
    ("gesture", "see"): Permission(Rule.OWNER_OR_MANAGER, writes=False),
    ("gesture", "log"): Permission(Rule.OWNER_OR_MANAGER, writes=True),
    ("gesture", "decide"): Permission(Rule.MANAGER_NOT_OWN, writes=True),
    ("team", "see"): Permission(Rule.MANAGER, writes=False),
    ("week", "see"): Permission(Rule.OWNER_OR_SHARED_MANAGER, writes=False),
    ("week", "share"): Permission(Rule.OWNER, writes=True),
    ("contact", "export"): Permission(Rule.ADMIN, writes=False),
    ("contact", "erase"): Permission(Rule.ADMIN, writes=True),
    ("user", "manage"): Permission(Rule.ADMIN, writes=True),
    ("token", "see"): Permission(Rule.OWNER_OR_ADMIN, writes=False),
    ("token", "create"): Permission(Rule.OWNER_OR_ADMIN, writes=True, token_admin=True),
    ("token", "revoke"): Permission(Rule.OWNER_OR_ADMIN, writes=True, token_admin=True),
    ("token", "list_all"): Permission(Rule.ADMIN, writes=False),
}
"""Every (resource kind, action) carpe checks, and who may. Anything else is denied."""

TEAM = Resource("team")
"""Everyone's figures at once: the payoff, specialists, retention, a team's week."""

USERS = Resource("user")
"""carpe's users: disabling, passwords, sessions, everyone's tokens."""


def moment(*, sensitive: bool, recorded_by: str | None, owner: str | None) -> Resource:
    """A moment as a resource: recorded by ``recorded_by`` on an account ``owner`` owns."""
    return Resource("sensitive_moment" if sensitive else "moment", owners=(recorded_by, owner))


def _owns(actor: Viewer, resource: Resource, *, involved: bool = False) -> bool:
    me = actor.employee_id
    if me is not None and (me in resource.owners or (involved and me in resource.involved)):
        return True
    return actor.user_id > 0 and actor.username in resource.users


def _manager_not_own(actor: Viewer, resource: Resource) -> bool:
    return actor.is_admin or (actor.is_manager and not _owns(actor, resource))


_RULED: dict[Rule, Callable[[Viewer, Resource], bool]] = {
    Rule.ANYONE: lambda actor, resource: True,
    Rule.OWNER: lambda actor, resource: _owns(actor, resource),
    Rule.OWNER_OR_MANAGER: lambda actor, resource: actor.is_manager or _owns(actor, resource),
    Rule.INVOLVED_OR_MANAGER: lambda actor, resource: (
        actor.is_manager or _owns(actor, resource, involved=True)
    ),
    Rule.OWNER_OR_SHARED_MANAGER: lambda actor, resource: (
        _owns(actor, resource) or (actor.is_manager and resource.shared)
    ),
    Rule.MANAGER: lambda actor, resource: actor.is_manager,
    Rule.MANAGER_NOT_OWN: _manager_not_own,
    Rule.ADMIN: lambda actor, resource: actor.is_admin,
    Rule.OWNER_OR_ADMIN: lambda actor, resource: actor.is_admin or _owns(actor, resource),
}


def allowed(actor: Viewer | None, action: str, resource: Resource) -> bool:
    """Whether ``actor`` may take ``action`` on ``resource``; ``False`` without an actor.

    Parameters
    ----------
    actor : Viewer or None
        Who asks: a person, a token, or :data:`SYSTEM`. ``None`` is denied.
    action : str
        An action of the resource's kind in :data:`RULES` (``see``, ``act``, ...).
    resource : Resource
        What it is on, and whose it is.

    Returns
    -------
    bool
        ``False`` for no actor, an action :data:`RULES` does not list, or a change
        asked by a read-scoped token.

    Examples
    --------
    >>> allowed(SYSTEM, "erase", Resource("contact"))
    True
    >>> allowed(None, "see", Resource("account"))
    False
    """
    if actor is None:
        return False
    permission = RULES.get((resource.kind, action))
    if permission is None or (permission.writes and not actor.may_write):
        return False
    if permission.token_admin and not actor.manages_tokens:
        return False
    return _RULED[permission.rule](actor, resource)


def require(actor: Viewer | None, action: str, resource: Resource, *, why: str = "") -> Viewer:
    """The actor, when :func:`allowed`; else :class:`~carpe.errors.ForbiddenError`.

    Raises
    ------
    ForbiddenError
        No actor was given (a use case is never run on nobody's behalf), or the
        actor's role does not allow the action; ``why`` is the message then.
    """
    if actor is None:
        raise ForbiddenError(f"no one to {action} a {resource.kind} for: an actor is required")
    if not allowed(actor, action, resource):
        raise ForbiddenError(why or f"you may not {action} this {resource.kind.replace('_', ' ')}")
    return actor


def require_actor(actor: Viewer | None) -> Viewer:
    """The actor; :class:`~carpe.errors.ForbiddenError` when none was given."""
    return require(actor, "see", Resource("account"))
