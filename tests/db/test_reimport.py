"""A plan imported again in another format is the same plan, and corrections follow their indicator.

The office imports a gazette as Word and later receives the PDF (or the text typed again):
the indicator system is the same (names, units, targets), so no new version is made and the
data, assignments and corrections stay where they are. When a revision does make a new
version, a correction finds its indicator by name even if the other format wraps or moves it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import func, select, text

from planwatch.demo import DEMO_PLAN
from planwatch.services import corrections, import_history, plan_import
from planwatch.services.corrections import IndicatorFix
from planwatch.services.indicator_keys import indicator_system
from planwatch.store import Database
from planwatch.store.migrate import upgrade
from planwatch.store.models import ImportRecord, Indicator, Plan, SourceFile, User
from tests.conftest import DIALECTS, database_url, migrated_sqlite_url
from tests.shared.conftest import shared_dir


def _as_docx(text: str, path: Path) -> Path:
    """The plan typed into Word: paragraphs, and each run of tab-separated lines a real table."""
    document = Document()
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for cells, row in zip(table.rows, rows, strict=True):
                for cell, value in zip(cells.cells, row, strict=False):
                    cell.text = value
            rows.clear()

    for line in text.split("\n"):
        if "\t" in line and "·" not in line:
            rows.append(line.split("\t"))
            continue
        flush()
        if line.strip():
            document.add_paragraph(line)
    flush()
    document.save(str(path))
    return path


def _admin(database: Database) -> None:
    from planwatch.services import users

    with database.session() as session:
        users.add_user(session, None, "fenxi", "shuju-pass-1", "monitoring", name="分析员")


def _typed_tables_only(path: Path) -> Path:
    """The demo plan without its one-cell-per-line table, which Word would hold as a real table
    (this test's converter writes tab rows only)."""
    lines = DEMO_PLAN.read_text(encoding="utf-8").split("\n")
    start = lines.index("表3 青川区智慧城市建设阶段目标")
    end = lines.index("三、主要任务")
    path.write_text("\n".join(lines[:start] + lines[end:]), encoding="utf-8")
    return path


def test_the_same_plan_in_word_after_text_is_the_same_version(database: Database, tmp_path: Path) -> None:
    text = _typed_tables_only(tmp_path / "青川公报.txt")
    with database.session() as session:
        first = plan_import.import_file(session, text)
    word = _as_docx(text.read_text(encoding="utf-8"), tmp_path / "青川公报.docx")
    with database.session() as session:
        again = plan_import.import_file(session, word)
        assert again.same_as == text.name and not again.already_imported
        assert [(p.plan_id, p.version, p.unchanged) for p in again.plans] == \
               [(p.plan_id, p.version, True) for p in first.plans]
        assert session.scalar(select(func.count()).select_from(SourceFile)) == 1  # nothing stored
        assert session.scalar(select(func.count()).select_from(Plan)) == len(first.plans)
        outcome, summary, _ = import_history.plan_import_summary(again)
        assert outcome.value == "unchanged" and text.name in summary


def test_a_changed_target_in_another_format_is_a_new_version(database: Database, tmp_path: Path) -> None:
    with database.session() as session:
        plan_import.import_file(session, _typed_tables_only(tmp_path / "原文.txt"))
    text = (tmp_path / "原文.txt").read_text(encoding="utf-8").replace("10\t森林覆盖率\t%\t48.3\t≥50",
                                                                     "10\t森林覆盖率\t%\t48.3\t≥52")
    with database.session() as session:
        revised = plan_import.import_file(session, _as_docx(text, tmp_path / "修订.docx"))
    assert not revised.same_as and [p.version for p in revised.plans if "十四五" in p.title] == [2]


def test_a_correction_follows_its_indicator_into_a_wrapped_and_moved_reading(database: Database,
                                                                            tmp_path: Path) -> None:
    _admin(database)
    with database.session() as session:
        plan_import.import_file(session, DEMO_PLAN)
        actor = session.scalars(select(User).where(User.login == "fenxi")).one()
        forest = session.scalars(select(Indicator).where(Indicator.name == "森林覆盖率")).one()
        corrections.correct_indicator(session, actor, forest.id, IndicatorFix(unit="%", name="森林覆盖率（全域）"),
                                      reason="按统计口径命名")
    original = DEMO_PLAN.read_text(encoding="utf-8")
    # another reading wraps the name cell (森林 覆盖率) and moves every line; one other target differs
    changed = ("\n\n\n" + original).replace("10\t森林覆盖率\t%", "10\t森林 覆盖率\t%").replace(
        "\t88.4\t≥90\t", "\t88.4\t≥92\t")
    assert changed.count("森林 覆盖率") == 1 and "≥92" in changed
    path = tmp_path / "qingchuan_again.txt"
    path.write_text(changed, encoding="utf-8")
    with database.session() as session:
        result = plan_import.import_file(session, path)
        (main,) = [p for p in result.plans if "十四五" in p.title]
        assert main.version == 2 and not main.unchanged
        renamed = session.scalars(select(Indicator).where(Indicator.plan_id == main.plan_id,
                                                          Indicator.name == "森林覆盖率（全域）")).one()
        assert renamed.line == forest.line + 3 and renamed.unit == "%"
        assert renamed.id in corrections.corrected_ids(session, session.get_one(Plan, main.plan_id))


def test_indicator_systems_compare_names_units_and_targets_not_wording() -> None:
    from planwatch.extract import records as rec

    def indicator(name: str, text: str, value: float, line: int) -> rec.Indicator:
        return rec.Indicator(file="a", line=line, plan="p", name=name, unit="%", domain=None, attribute="预期性",
                             baseline_year=2020, baseline="48", kind="table", source_text=text,
                             targets=(rec.Target(year=2025, text=text, value=value, comparator=rec.Comparator.GE),))

    word = indicator("森林覆盖率", "≥50", 50.0, 30)
    pdf = indicator("森林 覆盖率", "≥ 50", 50.0, 912)
    assert indicator_system([word]) == indicator_system([pdf])
    assert indicator_system([word]) != indicator_system([indicator("森林覆盖率", "≥52", 52.0, 30)])


@pytest.mark.shared
def test_a_gazette_imported_as_word_then_as_pdf_keeps_its_plans(tmp_path: Path) -> None:
    renderings = shared_dir() / "renderings"
    word, pdf = renderings / "000_b78c4a5612e3a1d9.docx", renderings / "000_b78c4a5612e3a1d9.pdf"
    if not (word.is_file() and pdf.is_file()):
        pytest.skip(f"{renderings} is not present")
    database = Database(migrated_sqlite_url(tmp_path / "gazette.db"))
    with database.session() as session:
        first = plan_import.import_file(session, word)
    with database.session() as session:
        second = plan_import.import_file(session, pdf)
        assert second.same_as == word.name and all(p.unchanged and p.version == 1 for p in second.plans)
        assert [p.plan_id for p in second.plans] == [p.plan_id for p in first.plans]
        assert sum(p.indicators for p in first.plans) >= 100
        assert session.scalar(select(func.max(Plan.version))) == 1
    database.dispose()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_an_upgraded_database_takes_its_plan_imports_into_the_history(dialect: str, tmp_path: Path) -> None:
    """Revision 0018 starts the history with the plans imported before it, from their audit events."""
    urls = database_url(dialect, tmp_path)
    database = Database(next(urls))
    try:
        upgrade(database.engine, "0014")  # a database of the previous release, one plan file imported
        with database.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO source_files (sha256, name, format, size, text, imported_at) "
                "VALUES ('ab', '旧公报.txt', 'txt', 1234, '', CURRENT_TIMESTAMP)"))
            file_id = connection.execute(text("SELECT id FROM source_files")).scalar_one()
            connection.execute(text(
                "INSERT INTO audit_events (at, actor_id, actor_login, action, entity, entity_id, old, new, reason) "
                "VALUES (CURRENT_TIMESTAMP, NULL, 'cli', 'import', 'source_files', :id, NULL, :new, NULL)"),
                {"id": str(file_id), "new": '{"name": "旧公报.txt", "sha256": "ab", "plans": [[7, "某规划", 2]]}'})
        database.upgrade()
        with database.session(readonly=True) as session:
            (record,) = session.scalars(select(ImportRecord)).all()
            assert (record.file_name, record.channel, record.outcome, record.size, record.sha256) == \
                   ("旧公报.txt", "cli_import", "imported", 1234, "ab")
            assert record.summary == "规划「某规划」第 2 版" and record.plan_id is None  # plan 7 is not stored
    finally:
        database.dispose()
        urls.close()
