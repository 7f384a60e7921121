"""The monitoring database itself: migrations, plan import and versions, org units, users,
backup and restore, evaluation of stored data."""

from __future__ import annotations

import csv
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from openpyxl import Workbook
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from planwatch.demo import DEMO_PLAN
from planwatch.demo.seed import DEMO_ORG_UNITS, DEMO_PASSWORD, seed_demo
from planwatch.errors import InputError
from planwatch.evaluate import Status
from planwatch.services import assignments, backup, orgunits, plan_import, plans, unit_names, users
from planwatch.services import evaluation as evaluation_service
from planwatch.services.evaluation import evaluate_stored_plan
from planwatch.services.plans import PlanNotFound
from planwatch.store import Database
from planwatch.store.migrate import include_name
from planwatch.store.models import (
    Assignment,
    AuditEvent,
    Base,
    Indicator,
    Observation,
    ObservationRevision,
    OrgUnit,
    Plan,
    SourceFile,
    Target,
    User,
)
from tests.conftest import POSTGRES_ENV, database_url
from tests.unit import plan_samples


def _count(db: Database, model: type[Base]) -> int:
    with db.session(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_migrations_match_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"include_name": include_name}),
                                Base.metadata)
    assert diff == []


def test_audit_trail_refuses_update_even_by_raw_sql(database: Database) -> None:
    with database.session() as session:
        orgunits.import_org_units(session, None, orgunits.read_org_unit_file(DEMO_ORG_UNITS))
    with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor_login = 'someone else'"))
    with database.session(readonly=True) as session:
        assert session.scalars(select(AuditEvent.actor_login)).all() == ["cli"]


def test_read_only_sessions_refuse_writes(database: Database) -> None:
    with pytest.raises(DBAPIError), database.session(readonly=True) as session:
        session.add(OrgUnit(code="X1", name="只读会话写入的单位", kind="department"))
        session.flush()
    assert _count(database, OrgUnit) == 0


def _revised(tmp_path: Path) -> Path:
    """The demo plan with one target changed (森林覆盖率 ≥50 → ≥52) and a title revision mark."""
    original = DEMO_PLAN.read_text(encoding="utf-8")
    revised = original.replace("10\t森林覆盖率\t%\t48.3\t≥50", "10\t森林覆盖率\t%\t48.3\t≥52")
    assert revised != original
    path = tmp_path / "qingchuan_plan_revised.txt"
    path.write_text(revised, encoding="utf-8")
    return path


def test_import_is_idempotent_and_revisions_carry_unchanged_indicators(demo_database: Database, tmp_path: Path) -> None:
    with demo_database.session(readonly=True) as session:
        first = plans.find_plan(session, "青川区国民经济")
        codes = {i.name: i.code for i in first.indicators}
        v1_assignments = session.scalar(select(func.count()).select_from(Assignment)
                                        .join(Indicator, Indicator.id == Assignment.indicator_id)
                                        .where(Indicator.plan_id == first.id))
    counts = {m.__name__: _count(demo_database, m) for m in (SourceFile, Plan, Indicator, Target, Observation)}
    with demo_database.session() as session:
        again = plan_import.import_file(session, DEMO_PLAN)
    assert again.already_imported
    assert {m.__name__: _count(demo_database, m) for m in (SourceFile, Plan, Indicator, Target, Observation)} == counts

    with demo_database.session() as session:
        result = plan_import.import_file(session, _revised(tmp_path))
    (imported,) = result.plans
    assert imported.version == 2
    assert imported.carried_over == imported.indicators - 1  # all but 森林覆盖率
    with demo_database.session(readonly=True) as session:
        current = plans.find_plan(session, "青川区国民经济")
        assert current.id == imported.plan_id and current.version == 2
        assert session.get_one(Plan, first.id).current is False
        assert {i.name: i.code for i in current.indicators} == codes  # codes survive revisions
        forest = next(i for i in current.indicators if i.name == "森林覆盖率")
        assert [t.value for t in forest.targets] == [52.0]
        carried = session.scalars(select(Observation.indicator_id).join(Indicator)
                                  .where(Indicator.plan_id == current.id)).all()
        assert carried and forest.id not in carried
        gdp = next(i for i in current.indicators if i.name == "地区生产总值")
        old_gdp = next(i for i in first.indicators if i.name == "地区生产总值")
        values = {o: r for o, r in session.execute(
            select(Observation.period_id, ObservationRevision.value).join(ObservationRevision)
            .where(Observation.indicator_id == gdp.id))}
        old_values = {o: r for o, r in session.execute(
            select(Observation.period_id, ObservationRevision.value).join(ObservationRevision)
            .where(Observation.indicator_id == old_gdp.id))}
        assert sorted(v or 0 for v in values.values()) == sorted(v or 0 for v in old_values.values())
        new_assignments = session.scalar(select(func.count()).select_from(Assignment)
                                         .join(Indicator, Indicator.id == Assignment.indicator_id)
                                         .where(Indicator.plan_id == current.id))
        assert new_assignments == v1_assignments  # forest's unit re-extracted, the others carried
        assert session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "carry_over")) == len(carried)


def _statements_storing(database: Database, path: Path) -> tuple[list[str], int]:
    """(SQL statements sent while storing ``path``'s import, indicators stored)."""
    from sqlalchemy import event

    prepared = plan_import.prepare_import(path)
    sent: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        with database.session() as session:
            result = plan_import.store_import(session, prepared)
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    return sent, sum(p.indicators for p in result.plans)


def test_storing_a_plan_takes_as_many_statements_however_many_indicators(database: Database,
                                                                         tmp_path: Path) -> None:
    """The write transaction of an import (SQLite's write lock) must not grow with the plan
    round trip by round trip: a plan of thousands of indicators was flushed one indicator at
    a time. Rows now go in batches: on PostgreSQL 20 sections or 200 take as many
    statements; SQLite sends an INSERT per row (it cannot return the keys of a batch in
    order, and in-process statements cost microseconds), but no other statement per row."""
    small, large = tmp_path / "小规划.txt", tmp_path / "大规划.txt"
    small.write_bytes(plan_samples.large_plan(20))
    large.write_bytes(plan_samples.large_plan(200).replace(plan_samples.TITLE.encode(), "水资源保护规划（2021—2025年）".encode()))
    small_sent, small_count = _statements_storing(database, small)
    large_sent, large_count = _statements_storing(database, large)
    assert large_count > 5 * small_count
    if database.dialect == "sqlite":
        small_sent, large_sent = ([s for s in sent if not s.startswith("INSERT")] for sent in (small_sent, large_sent))
    assert len(large_sent) <= len(small_sent) + 3, (len(small_sent), len(large_sent))


def test_import_assigns_units_named_in_the_plan(database: Database) -> None:
    with database.session() as session:
        orgunits.import_org_units(session, None, orgunits.read_org_unit_file(DEMO_ORG_UNITS))
        plan_import.import_file(session, DEMO_PLAN)
    with database.session(readonly=True) as session:
        plan = plans.find_plan(session, None)
        rows = {(a.indicator_name, a.org_unit_name, a.role) for a in assignments.list_assignments(session, plan)}
    assert ("森林覆盖率", "青川区林业局", "牵头") in rows
    assert ("孕产妇死亡率", "青川区卫生健康委员会", "牵头") in rows
    assert ("地区生产总值", "青川区发展和改革委员会", "牵头") in rows


def test_find_plan_explains_the_choices(database: Database) -> None:
    with database.session(readonly=True) as session, pytest.raises(PlanNotFound, match="planwatch import"):
        plans.find_plan(session, None)


def test_org_units_from_gb18030_csv_and_xlsx(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    with path.open("w", encoding="gb18030", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerows([["单位代码", "单位名称", "单位类型", "上级代码"], ["YX-CN", "城南街道", "街道", "YX"],
                          ["YX", "云溪区", "区", ""]])
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["代码", "名称", "类型", "上级代码", "简称"])
    sheet.append(["YX-JW", "云溪区教育委员会", "部门", "YX", "区教委"])
    xlsx = tmp_path / "units.xlsx"
    book.save(xlsx)
    with database.session() as session:
        assert orgunits.import_org_units(session, None, orgunits.read_org_unit_file(path)) == (2, 0)
        assert orgunits.import_org_units(session, None, orgunits.read_org_unit_file(xlsx)) == (1, 0)
    with database.session(readonly=True) as session:
        tree = {u.code: u for u in orgunits.list_org_units(session)}
        assert [u.code for u in orgunits.list_org_units(session)] == ["YX", "YX-JW", "YX-CN"]
        assert tree["YX-CN"].parent_id == tree["YX"].id
        assert unit_names.UnitMatcher(tree.values()).match("区教委") is tree["YX-JW"]


@pytest.mark.parametrize(("rows", "message"), [
    ([["名称", "类型"], ["云溪区", "区"]], "缺少列：代码"),
    ([["代码", "名称", "类型"], ["YX", "云溪区", "省"]], "第 2 行「类型」应为"),
    ([["代码", "名称", "类型"], ["YX", "云溪区", "区"], ["YX", "云溪县", "区"]], "代码「YX」重复"),
])
def test_bad_org_unit_files_store_nothing(database: Database, tmp_path: Path, rows: list[list[str]],
                                          message: str) -> None:
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    with pytest.raises(InputError, match=message) as caught:
        orgunits.read_org_unit_file(path)
    assert str(path) in str(caught.value)
    assert _count(database, OrgUnit) == 0


def test_users_passwords_and_tokens(database: Database) -> None:
    with database.session() as session:
        orgunits.import_org_units(session, None, orgunits.read_org_unit_file(DEMO_ORG_UNITS))
        clerk = users.add_user(session, None, "lyj", "correct horse", "clerk", org_unit="区林业局")
        token = users.create_token(session, clerk, "script")
        with pytest.raises(users.UserError, match="必须绑定"):
            users.add_user(session, None, "nobody", "correct horse", "clerk")
        with pytest.raises(users.UserError, match="至少 8 位"):
            users.add_user(session, None, "short", "abc", "viewer")
        with pytest.raises(users.UserError, match="已存在"):
            users.add_user(session, None, "lyj", "correct horse", "viewer")
    with database.session() as session:
        stored = session.scalar(select(User).where(User.login == "lyj"))
        assert stored is not None and stored.password_hash.startswith("$argon2")
        assert "correct horse" not in stored.password_hash
        assert users.authenticate(session, "lyj", "correct horse") == stored
        assert users.authenticate(session, "lyj", "wrong horse") is None
        assert users.authenticate(session, "ghost", "correct horse") is None
        assert users.user_for_token(session, token) == stored
        assert users.user_for_token(session, token + "x") is None
        assert users.authenticate(session, users.operator(session).login, "") is None


def test_evaluation_of_stored_demo_data(database: Database) -> None:
    assert seed_demo(database)
    assert not seed_demo(database)  # a second run changes nothing
    with database.session(readonly=True) as session:
        plan = plans.find_plan(session, None)
        forest_id = session.scalars(select(Indicator.id).where(Indicator.name == "森林覆盖率")).one()
        alone = evaluate_stored_plan(session, None, plan, 2024, indicator_ids=[forest_id])  # nothing cached yet
        evaluation = evaluate_stored_plan(session, None, plan, 2024)
        from_cache = evaluate_stored_plan(session, None, plan, 2024, indicator_ids=[forest_id])
        for part in (alone, from_cache):
            assert [s.id for s in part.specs] == [str(forest_id)] and part.completeness == []
            assert part.results == [r for r in evaluation.results if r.indicator_id == str(forest_id)]
            assert part.values == {str(forest_id): evaluation.values[str(forest_id)]}
        statuses = {r.status for r in evaluation.results}
        assert {Status.COMPLETED, Status.SERIOUSLY_BEHIND} <= statuses
        forest = next(r for r in evaluation.results if r.name == "森林覆盖率")
        assert forest.responsible == ("青川区林业局",) and forest.data_year == 2024
        assert forest.current is not None and forest.explanation.text_zh
        clerk = session.scalar(select(User).where(User.login == "lyj"))
        assert clerk is not None and users.authenticate(session, "lyj", DEMO_PASSWORD) == clerk
        own = evaluate_stored_plan(session, clerk, plan, 2024)
        assert [r.name for r in own.results] == ["森林覆盖率"]
        assert [c.org_unit for c in own.completeness] == ["青川区林业局"]


def test_a_plan_asked_for_by_many_at_once_is_evaluated_once(demo_database: Database,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[int] = []
    real = evaluation_service._evaluate

    def counted(*args: Any) -> Any:
        runs.append(1)
        return real(*args)

    monkeypatch.setattr(evaluation_service, "_evaluate", counted)
    start = threading.Barrier(6)

    def dashboard() -> object:
        with demo_database.session(readonly=True) as session:
            start.wait()
            return evaluate_stored_plan(session, None, plans.find_plan(session, None), 2024)

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: dashboard(), range(6)))
    assert len(runs) == 1 and all(r is results[0] for r in results)


def test_backup_while_writing_and_restore_into_another_database(demo_database: Database, tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.jsonl.gz"
    summary = backup.backup(demo_database, snapshot)
    assert summary.rows["observation_revisions"] == _count(demo_database, ObservationRevision) > 0
    target_dialect = "postgresql" if demo_database.dialect == "sqlite" and _has_postgres() else "sqlite"
    urls = database_url(target_dialect, tmp_path / "restored")
    (tmp_path / "restored").mkdir()
    target = Database(next(urls))
    try:
        restored = backup.restore(target, snapshot)
        assert restored.rows == summary.rows
        for model in (Plan, Indicator, Observation, ObservationRevision, AuditEvent, User):
            assert _count(target, model) == _count(demo_database, model)
        with target.session() as session:  # ids continue after the restored rows
            session.add(OrgUnit(code="NEW", name="新单位", kind="other"))
        with pytest.raises(backup.RestoreRefused, match="已有数据"):
            backup.restore(target, snapshot)
        assert _count(target, OrgUnit) == _count(demo_database, OrgUnit) + 1
    finally:
        target.dispose()
        urls.close()


def _has_postgres() -> bool:
    import os

    return bool(os.environ.get(POSTGRES_ENV))


def test_restore_rejects_a_file_that_is_not_a_backup(database: Database, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.jsonl.gz"
    bogus.write_text("not gzip", encoding="utf-8")
    with pytest.raises(InputError, match="不是 PlanWatch 备份文件"):
        backup.restore(database, bogus)
