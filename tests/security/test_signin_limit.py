"""Probe 7: the sign-in limit was per worker, and checking it recorded an attempt."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from carpe.context import Carpe
from carpe.store.access import SignInFailure
from tests.security.conftest import make_client, sign_in


def _failures(carpe: Carpe) -> int:
    with carpe.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(SignInFailure)) or 0)


def test_two_workers_share_one_limit(people: Carpe) -> None:
    with make_client(people) as one, make_client(people) as two:
        statuses = [sign_in(one if i % 2 else two, "ana", "wrong guess") for i in range(5)]
        assert statuses == [401] * 5
        assert sign_in(one, "ana", "wrong guess") == 429
        assert sign_in(two, "ana", "wrong guess") == 429
        assert sign_in(two, "ana") == 429  # even the right password, while blocked


def test_checking_a_block_records_nothing(client: TestClient, people: Carpe) -> None:
    for _ in range(5):
        sign_in(client, "ana", "wrong guess")
    assert _failures(people) == 5
    for _ in range(10):
        assert sign_in(client, "ana", "wrong guess") == 429
    assert _failures(people) == 5


def test_the_limit_is_per_account_whatever_the_case_of_the_name(
    client: TestClient, people: Carpe
) -> None:
    for name in ("ana", "ANA", "Ana", "aNa", "anA"):
        assert sign_in(client, name, "wrong guess") == 401
    assert sign_in(client, "ana", "wrong guess") == 429
    assert sign_in(client, "root") == 303  # another account from the same address still can


def test_one_address_trying_many_accounts_is_blocked(client: TestClient, people: Carpe) -> None:
    for i in range(20):
        assert sign_in(client, f"guess{i}", "wrong guess") == 401
    assert sign_in(client, "root") == 429


def test_old_failures_are_pruned(client: TestClient, people: Carpe) -> None:
    for _ in range(4):
        sign_in(client, "ana", "wrong guess")
    with people.unit_of_work() as uow:
        for row in uow.session.scalars(select(SignInFailure)):
            row.at -= timedelta(minutes=6)
        uow.commit()
    assert sign_in(client, "ana", "wrong guess") == 401
    assert _failures(people) == 1  # the four older ones are gone


def test_signing_in_clears_the_accounts_failures(client: TestClient, people: Carpe) -> None:
    for _ in range(4):
        sign_in(client, "ana", "wrong guess")
    assert sign_in(client, "ana") == 303
    assert _failures(people) == 0
