"""Full-text search over every imported document, with Chinese word segmentation.

Chinese is written without spaces, so neither SQLite's FTS5 nor PostgreSQL's full-text
parser can find words in it by themselves. Each source line is segmented by jieba in its
search mode (which also emits the shorter words inside long ones: 孕产妇 → 孕产, 产妇) and
stored space-separated; both engines then index those words as they index English. A query
is segmented the same way and every word must occur. A query jieba cannot split into
indexed words (a single character, a fragment across word boundaries) falls back to a
plain substring match, so a user never gets nothing for text that is on the page.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import jieba
from sqlalchemy import ColumnElement, bindparam, exists, func, insert, select, text
from sqlalchemy.orm import Session

from planwatch.monitor.permissions import Action, Scope, check, visible_org_unit_id
from planwatch.services import region_scope
from planwatch.store.models import Document, SearchEntry, SourceFile, User

__all__ = ["Hit", "IndexedLine", "SearchResults", "index_file", "index_pending", "search", "segmented_lines", "snippet",
           "words"]

SNIPPET_CHARS: Final = 120
_WORD = re.compile(r"\w")
_jieba_ready = threading.Lock()


def _jieba() -> None:
    with _jieba_ready:
        if not jieba.dt.initialized:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()


def words(line: str) -> list[str]:
    """The words of a line as indexed: jieba's search mode, punctuation dropped, lower case."""
    _jieba()
    return _kept(jieba.cut_for_search(line))


def _query_words(query: str) -> list[str]:
    """A query's words, each once: jieba's exact mode, so that every word the user typed is required."""
    _jieba()
    return list(dict.fromkeys(_kept(jieba.cut(query))))


def _kept(tokens: Iterable[str]) -> list[str]:
    return [t.strip().lower() for t in tokens if _WORD.search(t)]


IndexedLine = tuple[int, str, str]  # line number, text, its words space-separated


def segmented_lines(text_of_file: str) -> list[IndexedLine]:
    """The non-blank lines of a file with their words, as :func:`index_file` stores them.

    Segmenting is most of the cost of indexing (seconds for a large gazette); an import does
    it before its write transaction opens, so the database is locked only for the inserts.
    """
    return [(number, line, " ".join(words(line)))
            for number, line in enumerate(text_of_file.split("\n"), start=1) if line.strip()]


def index_file(session: Session, source: SourceFile, segmented: Sequence[IndexedLine] | None = None) -> int:
    """Index the non-blank lines of one stored file (``segmented`` if already done); returns how many."""
    lines = segmented_lines(source.text) if segmented is None else segmented
    if not lines:
        return 0
    session.execute(insert(SearchEntry), [{"source_file_id": source.id, "line": number, "text": line, "tokens": tokens}
                                          for number, line, tokens in lines])
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("INSERT INTO search_fts(rowid, tokens) SELECT id, tokens FROM search_entries "
                             "WHERE source_file_id = :source"), {"source": source.id})
    return len(lines)


def index_pending(session: Session) -> int:
    """Index the files not indexed yet (stored before search existed, or restored from a
    backup, which leaves the derived index out); returns the number of files indexed."""
    pending = session.scalars(select(SourceFile).where(
        ~exists().where(SearchEntry.source_file_id == SourceFile.id)).order_by(SourceFile.id)).all()
    for source in pending:
        index_file(session, source)
    return len(pending)


@dataclass(frozen=True, slots=True)
class Hit:
    source_file_id: int
    file_name: str
    document_title: str | None  # the gazette item the line belongs to
    line: int
    snippet: tuple[tuple[str, bool], ...]  # (text, is a match) pieces, for the page to mark up


@dataclass(frozen=True, slots=True)
class SearchResults:
    query: str
    words: tuple[str, ...]
    total: int
    hits: tuple[Hit, ...]
    substring: bool  # the words matched nothing and a plain substring match was used


def search(session: Session, actor: User, query: str, *, limit: int = 20, offset: int = 0) -> SearchResults:
    """Lines of the documents ``actor`` may read (those of its district's plans) containing
    every word of ``query``, best match first."""
    check(actor, Action.VIEW, Scope(org_unit_id=visible_org_unit_id(actor)))
    query = query.strip()
    terms = _query_words(query)
    if not query:
        return SearchResults(query, (), 0, (), False)
    region = region_scope.region_of(session, actor)
    files = None if region.everywhere else list(session.scalars(
        select(SourceFile.id).where(region_scope.file_filter(region))))
    total, rows = _full_text(session, terms, limit, offset, files) if terms else (0, [])
    substring = total == 0
    if substring:
        total, rows = _substring(session, query, limit, offset, files)
    marks = [query, *terms] if substring else [*terms, query]
    return SearchResults(query, tuple(terms), total, tuple(_hits(session, rows, marks)), substring)


_Row = tuple[int, int, str]  # source_file_id, line, text


def _full_text(session: Session, terms: Sequence[str], limit: int, offset: int,
               files: Sequence[int] | None) -> tuple[int, list[_Row]]:
    """``files`` None searches every file; else only those (a district's)."""
    page = {"limit": limit, "offset": offset}
    only = "" if files is None else " AND source_file_id IN :files"
    scope = {} if files is None else {"files": list(files)}

    def run(sql: str, values: dict[str, object]) -> Any:
        statement = text(sql)
        if files is not None:
            statement = statement.bindparams(bindparam("files", expanding=True))
        return session.execute(statement, values | scope)

    if session.get_bind().dialect.name == "sqlite":
        match = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)
        fts = "FROM search_fts JOIN search_entries ON search_entries.id = search_fts.rowid WHERE search_fts MATCH :q"
        total = run(f"SELECT count(*) {fts}{only}", {"q": match}).scalar()
        rows = run(f"SELECT source_file_id, line, text {fts}{only} "
                   "ORDER BY bm25(search_fts), search_entries.id LIMIT :limit OFFSET :offset",
                   {"q": match, **page}).all()
    else:
        condition = "to_tsvector('simple', tokens) @@ plainto_tsquery('simple', :q)" + only
        words_text = " ".join(terms)
        total = run(f"SELECT count(*) FROM search_entries WHERE {condition}", {"q": words_text}).scalar()
        rows = run(f"SELECT source_file_id, line, text FROM search_entries WHERE {condition} "
                   "ORDER BY ts_rank(to_tsvector('simple', tokens), plainto_tsquery('simple', :q)) DESC, id "
                   "LIMIT :limit OFFSET :offset", {"q": words_text, **page}).all()
    return int(total or 0), [(r[0], r[1], r[2]) for r in rows]


def _substring(session: Session, query: str, limit: int, offset: int,
               files: Sequence[int] | None) -> tuple[int, list[_Row]]:
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    condition: ColumnElement[bool] = SearchEntry.text.like(pattern, escape="\\")
    if files is not None:
        condition = condition & SearchEntry.source_file_id.in_(files)
    total = session.scalar(select(func.count()).select_from(SearchEntry).where(condition))
    rows = session.execute(select(SearchEntry.source_file_id, SearchEntry.line, SearchEntry.text)
                           .where(condition).order_by(SearchEntry.id).limit(limit).offset(offset)).all()
    return int(total or 0), [(r[0], r[1], r[2]) for r in rows]


def _hits(session: Session, rows: Sequence[_Row], marks: Sequence[str]) -> Iterable[Hit]:
    files = {f.id: f.name for f in session.scalars(select(SourceFile).where(
        SourceFile.id.in_({r[0] for r in rows})))}
    documents = session.scalars(select(Document).where(Document.source_file_id.in_(set(files)))).all()
    for source_file_id, line, line_text in rows:
        title = next((d.title for d in documents
                      if d.source_file_id == source_file_id and d.start_line <= line <= d.end_line), None)
        yield Hit(source_file_id, files[source_file_id], title, line, snippet(line_text, marks))


def snippet(line: str, marks: Sequence[str]) -> tuple[tuple[str, bool], ...]:
    """A window of the line around its first match, cut into plain and matched pieces."""
    folded = line.lower()
    spans: list[tuple[int, int]] = []
    for mark in sorted({m.lower() for m in marks if m}, key=len, reverse=True):
        start = folded.find(mark)
        while start >= 0:
            end = start + len(mark)
            if all(end <= s or start >= e for s, e in spans):
                spans.append((start, end))
            start = folded.find(mark, end)
    spans.sort()
    first = spans[0][0] if spans else 0
    begin = max(0, min(first - SNIPPET_CHARS // 3, len(line) - SNIPPET_CHARS))
    stop = min(len(line), begin + SNIPPET_CHARS)
    pieces: list[tuple[str, bool]] = [("…", False)] if begin else []
    position = begin
    for start, end in spans:
        if end <= begin or start >= stop:
            continue
        start, end = max(start, begin), min(end, stop)
        if start > position:
            pieces.append((line[position:start], False))
        pieces.append((line[start:end], True))
        position = end
    if position < stop:
        pieces.append((line[position:stop], False))
    if stop < len(line):
        pieces.append(("…", False))
    return tuple(pieces)
