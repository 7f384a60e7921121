"""Issue 24 (#11, #12): the org-unit import refuses parent cycles and writes in batches.

The import's blocking time is measured by ``bench/bench_orgunit_import.py`` (not timed
here); these tests check what the batching must keep: a bad table stores nothing, a good
one is complete, a cycle is named, and a 20 000-row table goes through (it took minutes
when the duplicate check was quadratic).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from planwatch.services import orgunits
from planwatch.services.orgunit_import import import_in_batches
from planwatch.services.orgunits import OrgUnitRow
from planwatch.services.table_files import RowErrors
from planwatch.store import Database
from planwatch.store.models import OrgUnit
from tests.conftest import DIALECTS, migrated_database_url, opened


@pytest.fixture(params=DIALECTS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated database without the security suite's users (tests/security/conftest.py)."""
    with opened(migrated_database_url(request.param, tmp_path)) as db:
        yield db

def _count(database: Database) -> int:
    with database.session(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(OrgUnit)) or 0


def test_a_parent_cycle_is_refused_and_nothing_is_stored(database: Database, tmp_path: Path) -> None:
    table = tmp_path / "units.csv"
    table.write_text("代码,名称,类型,上级代码\nQC,青川区,区,\nC1,单位一,部门,C2\nC2,单位二,部门,C1\n", encoding="utf-8")
    with pytest.raises(RowErrors, match="上级关系成环：C1 → C2 → C1"):
        import_in_batches(database, None, orgunits.read_org_unit_file(table))
    assert _count(database) == 0
    with database.session() as session, pytest.raises(RowErrors, match="成环"):
        orgunits.import_org_units(session, None, orgunits.read_org_unit_file(table))


def test_a_cycle_through_a_stored_unit_is_refused(database: Database) -> None:
    import_in_batches(database, None, [OrgUnitRow("A", "甲", "district", ""), OrgUnitRow("B", "乙", "department", "A")])
    with pytest.raises(RowErrors, match="A → B → A"):
        import_in_batches(database, None, [OrgUnitRow("A", "甲", "district", "B")])
    with database.session(readonly=True) as session:
        assert session.scalars(select(OrgUnit.parent_id).where(OrgUnit.code == "A")).one() is None


def test_a_large_table_is_written_whole_over_several_batches(database: Database) -> None:
    rows = [OrgUnitRow("QC", "青川区", "district", "")]
    rows += [OrgUnitRow(f"T{n:05d}", f"单位{n:05d}", "town", "QC" if n < 100 else f"T{n % 100:05d}")
             for n in range(20_000)]
    assert import_in_batches(database, None, rows) == (20_001, 0)
    assert _count(database) == 20_001
    with database.session(readonly=True) as session:
        parents = dict(session.execute(select(OrgUnit.code, OrgUnit.parent_id)).all())
        ids = dict(session.execute(select(OrgUnit.code, OrgUnit.id)).all())
    assert parents["T12345"] == ids["T00045"] and parents["QC"] is None
    renamed = [OrgUnitRow("T00001", "单位一号", "town", "QC")]
    assert import_in_batches(database, None, renamed) == (0, 1)


def test_names_used_twice_are_listed_with_the_rest(database: Database) -> None:
    rows = [OrgUnitRow("A", "甲", "district", ""), OrgUnitRow("B", "甲", "department", "A"),
            OrgUnitRow("C", "丙", "department", "Z")]
    with pytest.raises(RowErrors) as refused:
        import_in_batches(database, None, rows)
    assert refused.value.problems == ["名称「甲」在表中出现多次", "单位「丙」的上级「Z」不存在"]
    assert _count(database) == 0
