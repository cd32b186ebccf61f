"""The authorisation matrix, asked of the one permission check directly.

Every (resource kind, action) carpe checks × every kind of actor, with the
expected answer written out by hand (not recomputed from the rules), so a rule
changed by mistake fails here. A rule added without a row here fails too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carpe.errors import ForbiddenError
from carpe.services.permissions import (
    RULES,
    SYSTEM,
    TEAM,
    Resource,
    Viewer,
    allowed,
    moment,
    require,
)

ACTORS: dict[str, Viewer | None] = {
    "-": None,
    "owner": Viewer(1, "ana", "frontline", "E1"),
    "other": Viewer(2, "ben", "frontline", "E2"),
    "involved": Viewer(3, "cy", "frontline", "E3"),
    "manager": Viewer(4, "mona", "manager", "E9"),
    "admin": Viewer(5, "root", "admin", None),
    "read token": Viewer(1, "ana", "frontline", "E1", scope="read"),
    "admin's write token": Viewer(5, "root", "admin", None, scope="write"),
    "system": SYSTEM,
}
"""Who asks. The resource below is E1's (ana's); E3 is involved in it (a conflict's account)."""

IT = Resource("?", owners=("E1",), involved=("E3",), users=("ana",))

# One letter per actor, in the order of ACTORS: Y allowed, N denied.
MATRIX: dict[tuple[str, str], str] = {
    ("account", "see"): "NYYYYYYYY",
    ("touchpoint", "log"): "NYYYYYNYY",
    ("moment", "see"): "NYYYYYYYY",
    ("moment", "review"): "NYNNYYNYY",
    ("sensitive_moment", "see"): "NYNNYYYYY",
    ("sensitive_moment", "review"): "NYNNYYNYY",
    ("follow_ups", "list"): "NYNNYYYYY",
    ("follow_up", "act"): "NYNNYYNYY",
    ("conflict", "see"): "NYNYYYYYY",
    ("conflict", "act"): "NYNNYYNYY",
    ("conflict", "reassign"): "NNNNYYNYY",
    ("story", "see"): "NYNNYYYYY",
    ("story", "consent"): "NYNNYYNYY",
    ("story", "edit"): "NYNNYYNYY",
    ("budget", "see"): "NYNNYYYYY",
    ("budget", "manage"): "NNNNYYNYY",
    ("gesture", "see"): "NYNNYYYYY",
    ("gesture", "log"): "NYNNYYNYY",
    ("gesture", "decide"): "NNNNYYNYY",
    ("team", "see"): "NNNNYYNYY",
    ("week", "see"): "NYNNNNYNN",
    ("week", "share"): "NYNNNNNNN",
    ("contact", "export"): "NNNNNYNNY",
    ("contact", "erase"): "NNNNNYNNY",
    ("user", "manage"): "NNNNNYNNY",
    ("token", "see"): "NYNNNYYNY",
    ("token", "create"): "NYNNNYNNY",
    ("token", "revoke"): "NYNNNYNNY",
    ("token", "list_all"): "NNNNNYNNY",
}

CASES = [
    pytest.param(kind, action, actor, row[i] == "Y", id=f"{kind}.{action}-{actor}")
    for (kind, action), row in MATRIX.items()
    for i, actor in enumerate(ACTORS)
]


@pytest.mark.parametrize(("kind", "action", "actor", "expected"), CASES)
def test_allowed_answers_the_matrix(kind: str, action: str, actor: str, expected: bool) -> None:
    resource = Resource(kind, owners=IT.owners, involved=IT.involved, users=IT.users)
    assert allowed(ACTORS[actor], action, resource) is expected


def test_allowed_has_a_row_in_the_matrix_for_every_rule() -> None:
    assert set(MATRIX) == set(RULES)
    assert all(len(row) == len(ACTORS) for row in MATRIX.values())


def test_allowed_denies_without_an_actor_whatever_the_action() -> None:
    for kind, action in RULES:
        assert not allowed(None, action, Resource(kind))
    with pytest.raises(ForbiddenError, match="an actor is required"):
        require(None, "see", Resource("account"))


def test_allowed_denies_an_action_no_rule_names() -> None:
    assert not allowed(SYSTEM, "delete", Resource("account"))
    assert not allowed(SYSTEM, "see", Resource("payroll"))
    with pytest.raises(ForbiddenError, match="you may not delete this account"):
        require(SYSTEM, "delete", Resource("account"))


def test_allowed_lets_managers_see_a_shared_week_only() -> None:
    shared = Resource("week", owners=("E1",), shared=True)
    assert [allowed(a, "see", shared) for a in ACTORS.values()] == [c == "Y" for c in "NYNNYYYYY"]


def test_allowed_never_lets_a_manager_decide_their_own_gesture_but_an_admin_may() -> None:
    manager, admin = ACTORS["manager"], ACTORS["admin"]
    assert manager is not None and admin is not None
    by_their_employee = Resource("gesture", owners=("E9",))
    logged_by_them = Resource("gesture", users=("mona",))
    assert not allowed(manager, "decide", by_their_employee)
    assert not allowed(manager, "decide", logged_by_them)
    assert allowed(admin, "decide", Resource("gesture", owners=(None,), users=("root",)))


def test_allowed_does_not_take_the_system_actor_for_a_user_of_the_same_name() -> None:
    assert not allowed(SYSTEM, "share", Resource("week", users=("cli",)))
    assert allowed(Viewer(7, "cli", "frontline", None), "share", Resource("week", users=("cli",)))


def test_moment_is_sensitive_or_not_as_said() -> None:
    ben = ACTORS["other"]
    assert allowed(ben, "see", moment(sensitive=False, recorded_by="E1", owner="E1"))
    assert not allowed(ben, "see", moment(sensitive=True, recorded_by="E1", owner="E1"))
    assert allowed(ben, "see", moment(sensitive=True, recorded_by="E2", owner="E1"))
    assert allowed(ben, "see", moment(sensitive=True, recorded_by=None, owner="E2"))


def test_team_is_for_managers() -> None:
    assert not allowed(ACTORS["owner"], "see", TEAM)
    assert allowed(ACTORS["manager"], "see", TEAM)


def test_docs_state_every_row_of_the_matrix() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "web.md").read_text(encoding="utf-8")
    missing = [
        f"{k} {a}"
        for (k, a), p in RULES.items()
        if f"| `{k}` | `{a}` | {p.rule.value} | {'yes' if p.writes else 'no'} |" not in docs
    ]
    assert not missing, f"rows of the permission matrix not in docs/web.md: {missing}"
