"""Near-duplicate indicators suggested for merging on the indicator page."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import select

from planwatch.services.duplicates import near_duplicates
from planwatch.store import Database
from planwatch.store.models import Indicator
from tests.web.client import login


def _indicators(url: str) -> dict[str, Indicator]:
    database = Database(url)
    with database.session(readonly=True) as session:
        found = {i.name: i for i in session.scalars(select(Indicator))}
        pairs = {(i.name, d.indicator.name) for i in found.values() for d in near_duplicates(session, i)}
        session.expunge_all()
    database.dispose()
    found["__pairs__"] = pairs  # type: ignore[assignment]
    return found


def test_the_demo_plans_repeated_goals_are_the_only_suggestions(database_url: str) -> None:
    pairs = _indicators(database_url)["__pairs__"]
    assert pairs == {("新增城镇就业", "新增城镇就业人数"), ("新增城镇就业人数", "新增城镇就业"),
                     ("居民人均可支配收入年均增长", "居民人均可支配收入增长"),
                     ("居民人均可支配收入增长", "居民人均可支配收入年均增长")}


def test_the_indicator_page_suggests_the_duplicate_and_preselects_it(app_client: TestClient,
                                                                     database_url: str) -> None:
    indicators = _indicators(database_url)
    jobs, jobs_count = indicators["新增城镇就业"], indicators["新增城镇就业人数"]
    login(app_client, "pinggu")
    page = BeautifulSoup(app_client.get(f"/indicators/{jobs.id}").text, "html.parser")
    box = page.select_one("#merge-suggested")
    assert box is not None and "新增城镇就业人数" in box.get_text() and "一个名称包含另一个" in box.get_text()
    chosen = page.select_one("input[name=other]")  # the merge picker, the suggestion typed in
    assert chosen is not None and chosen["value"] == jobs_count.code
    forest = BeautifulSoup(app_client.get(f"/indicators/{indicators['森林覆盖率'].id}").text, "html.parser")
    assert forest.select_one("#merge-suggested") is None
    app_client.cookies.clear()
    login(app_client, "lingdao")  # a leader reads, does not manage: no suggestion either
    assert "merge-suggested" not in app_client.get(f"/indicators/{jobs.id}").text


def test_suggestions_follow_a_renamed_indicator_at_once(database_url: str) -> None:
    """The plan's names are kept per process while its definitions stand: a rename is seen
    at the next page, in this process and in a fresh one."""
    database = Database(database_url)
    try:
        with database.session(readonly=True) as session:
            forest = session.scalars(select(Indicator).where(Indicator.name == "森林覆盖率")).one()
            assert near_duplicates(session, forest) == []
        with database.session() as session:
            other = session.scalars(select(Indicator).where(Indicator.name == "新增城镇就业")).one()
            other.name, other.unit = "森林覆盖率（含灌木林）", forest.unit
        with database.session(readonly=True) as session:
            forest = session.get_one(Indicator, forest.id)
            assert [d.indicator.name for d in near_duplicates(session, forest)] == ["森林覆盖率（含灌木林）"]
    finally:
        database.dispose()


def test_the_character_index_finds_what_comparing_every_pair_finds() -> None:
    """The index only leaves out names that cannot reach the threshold: on random names of a
    few characters drawn from a small alphabet, the pairs are those of difflib on every pair."""
    import random

    from planwatch.services import duplicates

    rng = random.Random(5)
    names = ["".join(rng.choice("增长率城镇就业收入人均") for _ in range(rng.randint(2, 9))) for _ in range(300)]
    keys = names  # no spaces: already as name_key gives them
    expected = {(a, b) for a in range(len(keys)) for b in range(len(keys))
                if a != b and duplicates._similarity(keys[a], keys[b]) >= duplicates.SIMILAR}
    index = duplicates._index(list(range(len(keys))), keys, [None] * len(keys), version=0)
    candidates = {a: duplicates._candidates(index, keys[a]) for a in range(len(keys))}
    found = {(a, b) for a, ranked in candidates.items() for _, b in ranked
             if a != b and duplicates._similarity(keys[a], keys[b]) >= duplicates.SIMILAR}
    assert found == expected and len(expected) > 20
    # each bound is one: no name scores more than its candidate said it could
    assert all(duplicates._similarity(keys[a], keys[b]) <= bound + 1e-9
               for a, ranked in candidates.items() for bound, b in ranked)


def test_the_few_suggestions_listed_are_the_best_of_all_pairs() -> None:
    """Comparing stops once no name left can reach the last place listed; what is listed is
    what ranking every pair lists, on names that differ by a number as on random ones."""
    import random

    from planwatch.services import duplicates

    rng = random.Random(11)
    keys = [f"监测指标{n:05d}" for n in range(400)] + [
        "".join(rng.choice("增长率城镇就业收入人均") for _ in range(rng.randint(2, 9))) for _ in range(300)]
    index = duplicates._index(list(range(len(keys))), keys, [None] * len(keys), version=0)
    for a in range(0, len(keys), 7):
        every = {b: duplicates._similarity(keys[a], keys[b]) for b in range(len(keys)) if b != a}
        best = sorted((score for score in every.values() if score >= duplicates.SIMILAR), reverse=True)[:3]
        listed = duplicates._best(index, a, keys[a], None, 3)
        assert sorted(listed.values(), reverse=True)[:3] == best
        assert all(every[b] == score for b, score in listed.items())
