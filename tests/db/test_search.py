"""Full-text search with jieba words, on SQLite FTS5 and PostgreSQL full text."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from planwatch.demo import DEMO_PLAN
from planwatch.monitor.permissions import PermissionDenied
from planwatch.services import backup, plan_import, search
from planwatch.store import Database
from planwatch.store.models import SearchEntry, SourceFile, User


def _user(session: Session, login: str) -> User:
    return session.scalars(select(User).where(User.login == login)).one()


def _lines_with(needle: str) -> set[int]:
    return {n for n, line in enumerate(DEMO_PLAN.read_text(encoding="utf-8").split("\n"), start=1) if needle in line}


def _marked(hit: search.Hit) -> list[str]:
    return [piece for piece, matched in hit.snippet if matched]


def test_words_inside_chinese_text_are_found_with_their_line(demo_database: Database) -> None:
    with demo_database.session() as session:
        clerk = _user(session, "fgw")  # clerks read the plans too
        found = search.search(session, clerk, "孕产妇死亡率")
        assert found.words == ("孕产妇", "死亡率") and not found.substring
        assert {h.line for h in found.hits} == _lines_with("孕产妇死亡率") and found.total == len(found.hits)
        assert all(_marked(h)[0] == "孕产妇死亡率" and set(_marked(h)) <= {"孕产妇死亡率", "死亡率"} for h in found.hits)
        assert all(h.file_name == DEMO_PLAN.name and h.document_title for h in found.hits)

        inner = search.search(session, clerk, "产妇")  # a word inside a longer word
        assert {h.line for h in inner.hits} == _lines_with("产妇")

        both = search.search(session, clerk, "森林 防火")  # every word must occur, anywhere in the line
        expected = {n for n in _lines_with("森林") if n in _lines_with("防火")}
        assert expected and {h.line for h in both.hits} == expected

        fragment = search.search(session, clerk, "率达")  # no word of its own: substring fallback
        assert fragment.substring and {h.line for h in fragment.hits} == _lines_with("率达")

        assert search.search(session, clerk, "量子引力").total == 0
        assert search.search(session, clerk, "   ").total == 0

        page = search.search(session, clerk, "2025年", limit=2, offset=1)
        assert len(page.hits) == 2 and page.total == len(_lines_with("2025"))


def test_snippets_are_a_window_around_the_match() -> None:
    line = "甲" * 300 + "孕产妇死亡率" + "乙" * 300
    pieces = search.snippet(line, ["孕产妇", "死亡率", "孕产妇死亡率"])
    assert pieces[0] == ("…", False) and pieces[-1] == ("…", False)
    assert [p for p, matched in pieces if matched] == ["孕产妇死亡率"]
    assert sum(len(p) for p, _ in pieces[1:-1]) == search.SNIPPET_CHARS


def test_index_is_rebuilt_for_files_stored_without_it(demo_database: Database, tmp_path: Path) -> None:
    with demo_database.session() as session:
        session.execute(delete(SearchEntry))
        if demo_database.dialect == "sqlite":
            session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('delete-all')"))
        session.add(SourceFile(sha256="0" * 64, name="blank.txt", format="txt", size=2, text="\n\n"))
    with demo_database.session() as session:
        assert search.search(session, _user(session, "admin"), "森林覆盖率").substring  # nothing indexed
        assert search.index_pending(session) == session.scalar(select(func.count()).select_from(SourceFile))
        assert search.search(session, _user(session, "admin"), "森林覆盖率").total == len(_lines_with("森林覆盖率"))
        files = session.scalar(select(func.count()).select_from(SourceFile))
        assert session.scalar(select(func.count(func.distinct(SearchEntry.source_file_id)))) == files - 1  # not blank

    dump = backup.backup(demo_database, tmp_path / "b.jsonl.gz")
    assert "search_entries" not in dump.rows  # derived: rebuilt, not restored
    target = Database(f"sqlite:///{tmp_path / 'restored.db'}")
    try:
        backup.restore(target, dump.path)
        with target.session() as session:
            found = search.search(session, _user(session, "admin"), "森林覆盖率")
            assert found.total == len(_lines_with("森林覆盖率")) and not found.substring
    finally:
        target.dispose()


def test_search_needs_a_known_role(demo_database: Database) -> None:
    with demo_database.session() as session:
        user = _user(session, "lingdao")
        user.role = "guest"
        with pytest.raises(PermissionDenied):
            search.search(session, user, "森林")
        session.rollback()
    with demo_database.session() as session:
        assert plan_import.import_file(session, DEMO_PLAN).already_imported  # indexing happens once per file
        assert session.scalar(select(func.count()).select_from(SearchEntry)) == sum(
            1 for line in session.scalars(select(SourceFile.text)).one().split("\n") if line.strip())
