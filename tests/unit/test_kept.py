"""What a process keeps: one computation of a key at a time, the oldest results dropped,
and nothing left behind by keys that change with every write."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from planwatch.services.kept import Kept, forget_all


def test_callers_asking_at_once_wait_for_one_computation() -> None:
    kept: Kept[int] = Kept(4)
    runs: list[int] = []

    def slow() -> int:
        runs.append(1)
        time.sleep(0.05)
        return 42

    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(lambda _: kept.computed("plan-1", slow), range(8)))
    assert found == [42] * 8 and runs == [1]
    assert kept._computing == {}  # the lock went with the last caller


def test_an_outdated_result_is_refreshed_once_from_itself() -> None:
    """A result of data version 1 asked for at version 2: one caller refreshes it, given the
    outdated result to update; the others wait and get the refreshed one."""
    kept: Kept[tuple[int, str]] = Kept(4)
    kept.put("plan-1", (1, "evaluated at 1"))
    bases: list[tuple[int, str] | None] = []

    def refresh(stale: tuple[int, str] | None) -> tuple[int, str]:
        bases.append(stale)
        time.sleep(0.05)
        return 2, "updated to 2"

    def at_version_2(_: int) -> tuple[int, str]:
        return kept.refreshed("plan-1", lambda found: found[0] == 2, refresh)

    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(at_version_2, range(8)))
    assert found == [(2, "updated to 2")] * 8 and bases == [(1, "evaluated at 1")]
    assert kept.refreshed("plan-1", lambda found: found[0] == 2, refresh) == (2, "updated to 2")
    assert len(bases) == 1  # current: not refreshed again
    assert kept.refreshed("plan-2", lambda found: True, refresh) == (2, "updated to 2")
    assert bases[-1] is None  # nothing kept: refreshed from nothing


def test_the_least_recently_used_result_goes_first() -> None:
    kept: Kept[str] = Kept(2)
    kept.put("a", "A")
    kept.put("b", "B")
    assert kept.get("a") == "A"  # "a" used again: "b" is now the oldest
    kept.put("c", "C")
    assert (kept.get("a"), kept.get("b"), kept.get("c"), len(kept)) == ("A", None, "C", 2)


def test_a_failed_computation_keeps_nothing_and_frees_its_key() -> None:
    kept: Kept[int] = Kept(2)

    def broken() -> int:
        raise ValueError("database gone")

    with pytest.raises(ValueError, match="database gone"):
        kept.computed("k", broken)
    assert kept.get("k") is None and kept._computing == {}
    assert kept.computed("k", lambda: 7) == 7


def test_forget_all_empties_every_kept_result_of_the_process() -> None:
    first: Kept[int] = Kept(2)
    second: Kept[int] = Kept(2)
    first.put("x", 1)
    second.put("y", 2)
    forget_all()
    assert len(first) == len(second) == 0
