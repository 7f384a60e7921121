"""Extraction: documents, plans, outline and the indicator system of one source file.

The steps follow the genre: split the gazette into documents (GB/T 9704), find the plans
each document issues and where their bodies start, build each plan's outline, then read
indicators from its tables and from the sentences of its goals sections.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

from planwatch.extract.divisions import DivisionRow, division_rows, with_divisions
from planwatch.extract.documents import DocumentSpan, same_title, split_documents, title_key
from planwatch.extract.layout import Grid, Item, Line, layout
from planwatch.extract.ledger import (
    LedgerContext,
    assigned_tasks,
    in_task_chapter,
    projects_from_grid,
    task_items,
)
from planwatch.extract.outline import Heading, sections
from planwatch.extract.periods import (
    five_year_ordinal,
    five_year_plan_span,
    period_in_body,
    period_of,
    years_in,
)
from planwatch.extract.prose import GoalContext, prose_indicators, unread_goal_sentences
from planwatch.extract.records import (
    Diagnostic,
    Document,
    Extraction,
    Indicator,
    OutlineEntry,
    Plan,
    Project,
    Task,
)
from planwatch.extract.tables import TableContext, indicators_from_grid
from planwatch.extract.target_types import with_target_types
from planwatch.extract.tasks import tasks_in
from planwatch.extract.text import squeeze
from planwatch.extract.work_reports import announced_five_year_plan, annual_plan_title
from planwatch.ingest import DEFAULT_MAX_BYTES, SourceText, read_source

__all__ = ["Extraction", "extract_file", "extract_source"]

_GOAL_WORDS = ("主要目标", "发展目标", "总体目标", "具体目标", "分类目标", "建设目标", "工作目标", "规划目标",
               "行动目标", "主要预期目标", "总目标", "阶段目标", "年度目标", "主要指标", "主要发展指标", "核心指标")
_PLAN_WORDS = ("规划", "纲要", "方案", "计划", "要点", "意见", "细则")
_MAX_TITLE = 100  # a plan's title line, as printed at the head of its body
_LEAD = re.compile(r"^[—\-]*\s*([^，,。．\d]{2,25}?)[。．]")
# A paragraph that announces the goals itself: 今年经济社会发展主要预期目标是：…
_GOALS_LEAD = re.compile(r"(?:^|(?<=[，,。]))[^，,。；;：:]{0,24}?((?:主要)?(?:预期)?目标)(?:是|为|包括|如下)?[：:]")
_GOALS_LEAD_WITHIN = 40  # the announcement opens the paragraph, after at most a short preamble


def extract_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, progress: Callable[[int, int], None] | None = None) -> Extraction:
    return extract_source(read_source(path, max_bytes, progress))


def extract_source(source: SourceText) -> Extraction:
    items = layout(source.blocks)
    lines = [item for item in items if isinstance(item, Line)]
    spans = split_documents(lines, source.line_count)
    documents: list[Document] = []
    indicators: list[Indicator] = []
    plans: list[Plan] = []
    outline: list[OutlineEntry] = []
    tasks: list[Task] = []
    projects: list[Project] = []
    diagnostics: list[Diagnostic] = []
    for span in spans:
        doc_plans = plan_spans(source.name, span, lines) or _plan_of_its_tables(source.name, span, items, lines)
        plans.extend(doc_plans)
        documents.append(_document(source.name, span, doc_plans))
        # Plans sharing one body (a work report's year and five-year plans) are read in one pass.
        for body in _bodies(doc_plans):
            plan = body[0]
            plan_items = [i for i in items if plan.start_line <= _first_line(i) <= plan.end_line]
            plan_lines = [i for i in plan_items if isinstance(i, Line)]
            chains = dict(zip((line.line for line in plan_lines), sections(plan_lines), strict=True))
            plan_outline = [chain[-1] for line, chain in chains.items() if chain and chain[-1].line == line]
            outline.extend(OutlineEntry(plan.title, h.line, h.rank, h.number, h.title) for h in plan_outline)
            openings = _action_openings(plan_lines, plan_outline, plan)
            indicators.extend(_plan_indicators(source.name, body, plan_items, chains, openings, diagnostics))
            ledger = LedgerContext(source.name, plan.title, plan.start_year, plan.end_year)
            plan_tasks = task_items(plan_lines, chains, ledger)
            # units named in parentheses outside task chapters (保障措施, 实施机制) are tasks too
            plan_tasks.extend(t for t in tasks_in(plan.title, plan_lines, chains)
                              if not in_task_chapter(chains[t.line]))
            divided: list[DivisionRow] = []
            for grid in (i for i in plan_items if isinstance(i, Grid)):
                rows = [[(c.text, c.line) for c in row] for row in grid.rows]
                projects.extend(projects_from_grid(rows, ledger))
                divided.extend(division_rows(rows))
            tasks.extend(with_divisions(plan_tasks, divided, plan.title))
        if not doc_plans:  # a meeting's notes assign tasks with units and deadlines
            doc_lines = [x for x in lines if span.start_line <= x.line <= span.end_line]
            opening = years_in(" ".join(x.text for x in doc_lines[:3]))  # 2026年3月10日，区长…主持召开…
            year = int(span.date[:4]) if span.date else (opening[0] if opening else None)
            tasks.extend(assigned_tasks(doc_lines, LedgerContext(source.name, span.title, None, None, year)))
    indicators = sorted(map(with_target_types, indicators), key=lambda ind: ind.line)
    diagnostics.sort(key=lambda d: d.line)
    return Extraction(source.name, tuple(documents), tuple(indicators), tuple(plans), tuple(outline), tuple(tasks),
                      tuple(diagnostics), tuple(projects))


def _first_line(item: Item) -> int:
    return item.start_line if isinstance(item, Grid) else item.line


def _document(file: str, span: DocumentSpan, plans: Sequence[Plan]) -> Document:
    """A work report issues no plan but sets the targets of two: those are its plans."""
    attached = tuple(p.title for p in plans) if span.work_report is not None else span.attached_plans
    return Document(file, span.start_line, span.end_line, span.title, span.doc_number, span.issuer, span.date,
                    attached)


def plan_spans(file: str, doc: DocumentSpan, lines: Sequence[Line]) -> list[Plan]:
    """Where each plan a document issues begins and ends; a bare plan file is its own plan."""
    body = [line for line in lines if doc.start_line <= line.line <= doc.end_line]
    if not body:
        return []
    if doc.work_report is not None:
        return _work_report_plans(file, doc, body)
    titles = list(doc.attached_plans)
    short = [(k, line) for k, line in enumerate(body) if len(line.text) <= _MAX_TITLE]
    after_notice = doc.date_line or doc.body_start
    if not titles:
        if doc.doc_number is None and doc.date is None and any(w in doc.title for w in _PLAN_WORDS):
            titles = [doc.title]
            after_notice = doc.start_line - 1  # no notice before it: the plan begins at its own title
        else:
            return []
    starts: list[int] = []
    for n, title in enumerate(titles):
        key = title_key(title)
        found = next((line.line for k, line in short if line.line > after_notice and (
            same_title(title_key(line.text), key)
            or (k + 1 < len(body) and same_title(title_key(line.text + body[k + 1].text), key)))
                      and (not starts or line.line > starts[-1])), None)
        if found is None:
            found = after_notice + 1 if n == 0 else None
        if found is None:
            continue
        starts.append(found)
    spans = []
    for n, start in enumerate(starts):
        end = starts[n + 1] - 1 if n + 1 < len(starts) else doc.end_line
        start_year, end_year = period_of(titles[n])
        if end_year is None:
            start_year, end_year = period_of(doc.title)
        if end_year is None:  # never the publication year: the period the plan's text states
            start_year, end_year = period_in_body([line.text for line in body if start <= line.line <= end])
        spans.append(Plan(file, titles[n], start, end, start_year, end_year, doc.doc_number))
    return spans


def _plan_of_its_tables(file: str, doc: DocumentSpan, items: Sequence[Item], lines: Sequence[Line]) -> list[Plan]:
    """A document that issues no plan but prints an indicator table is the plan of that table:
    a file with an indicator table never yields nothing for want of a recognized frame."""
    grids = [i for i in items if isinstance(i, Grid) and doc.start_line <= i.start_line <= doc.end_line]
    if not grids:
        return []
    start_year, end_year = period_of(doc.title)
    if end_year is None:
        start_year, end_year = period_in_body([x.text for x in lines if doc.start_line <= x.line <= doc.end_line])
    years: list[int] = []
    for grid in grids:
        rows = [[(c.text, c.line) for c in row] for row in grid.rows]
        found = indicators_from_grid(rows, grid.caption, TableContext(file, doc.title, start_year, end_year))
        years.extend(t.year for ind in found.indicators for t in ind.targets)
    if not years:
        return []
    return [Plan(file, doc.title, doc.body_start, doc.end_line, start_year, end_year or max(years), doc.doc_number)]


def _work_report_plans(file: str, doc: DocumentSpan, body: Sequence[Line]) -> list[Plan]:
    """The year's plan, and the five-year plan whose goals the report announces, over the whole report."""
    frame = doc.work_report
    assert frame is not None
    plans = [Plan(file, annual_plan_title(frame), doc.start_line, doc.end_line, frame.year, frame.year)]
    announced = announced_five_year_plan(frame, body)
    if announced is not None:
        title, start, end = announced
        plans.append(Plan(file, title, doc.start_line, doc.end_line, start, end))
    return plans


def _bodies(plans: Sequence[Plan]) -> list[list[Plan]]:
    groups: list[list[Plan]] = []
    for plan in plans:
        if groups and (groups[-1][0].start_line, groups[-1][0].end_line) == (plan.start_line, plan.end_line):
            groups[-1].append(plan)
        else:
            groups.append([plan])
    return groups


def _plan_of_goals(plans: Sequence[Plan], goals_title: str) -> Plan:
    """A goals section naming a five-year period (“十五五”时期主要目标) belongs to that period's plan."""
    ordinal = five_year_ordinal(goals_title)
    if ordinal is not None:
        start, end = five_year_plan_span(ordinal)
        return next((p for p in plans if (p.start_year, p.end_year) == (start, end)), plans[0])
    return plans[0]


def _is_goal_heading(heading: Heading) -> bool:
    return _is_goal_title(heading.title)


@lru_cache(maxsize=4096)  # asked for every line under a heading, of the same few titles
def _is_goal_title(printed: str) -> bool:
    title = printed.rstrip("。．：:")
    if "远景" in title:
        return False  # 2035年远景目标: a vision, not monitored targets
    # “发展领域、主要目标和策略措施” covers tasks too; its 主要目标 sub-headings are the goals.
    return title.endswith("目标") or (any(w in title for w in _GOAL_WORDS) and not re.search("措施|任务", title))


def _plan_indicators(file: str, plans: Sequence[Plan], items: Sequence[Item],
                     chains: dict[int, tuple[Heading, ...]], openings: set[int],
                     unread: list[Diagnostic]) -> list[Indicator]:
    """Indicators of one plan body: every indicator table, and the sentences of its goals sections.
    What looked like a target but gave no indicator is added to ``unread``."""
    out: list[Indicator] = []
    chain: tuple[Heading, ...] = ()
    for item in items:
        if isinstance(item, Grid):
            plan = plans[0]
            domain = chain[-1].title if chain else None
            table_ctx = TableContext(file, plan.title, plan.start_year, plan.end_year, domain)
            rows = [[(c.text, c.line) for c in row] for row in item.rows]
            reading = indicators_from_grid(rows, item.caption, table_ctx)
            out.extend(reading.indicators)
            unread.extend(reading.unread)
            continue
        chain = chains[item.line]
        goal = next((h for h in reversed(chain) if _is_goal_heading(h)), None)
        lead = _GOALS_LEAD.search(squeeze(item.text)[:_GOALS_LEAD_WITHIN])
        if goal is not None:
            goals_title = goal.title
        elif lead is not None:  # 今年经济社会发展主要预期目标是：…
            goals_title = lead.group()
        elif item.line in openings:
            goals_title = chain[-1].title
        else:
            continue
        plan = _plan_of_goals(plans, goals_title)
        years = years_in(goals_title)
        default_year = max(years) if years else plan.end_year
        domain = lead.group(1) if lead is not None and goal is None else _prose_domain(item, chain)
        ctx = GoalContext(file, plan.title, default_year, plan.start_year, domain)
        found = prose_indicators(item.text, item.line, ctx)
        out.extend(found)
        unread.extend(unread_goal_sentences(item.text, item.line, found, ctx))
    return out


def _prose_domain(item: Line, chain: tuple[Heading, ...]) -> str | None:
    """The paragraph's lead phrase (——妇女健康水平持续提升。…), else the heading it is under."""
    lead = _LEAD.match(squeeze(item.text))
    if lead and not (chain and chain[-1].line == item.line):
        return lead.group(1).strip("—“”")
    return chain[-1].title if chain else None


def _action_openings(lines: Sequence[Line], outline: Sequence[Heading], plan: Plan) -> set[int]:
    """Plans whose action chapters (…行动) each open with the action's targets (到2027年，…达到…)."""
    by_rank: dict[float, list[int]] = {}
    for h in outline:
        if h.rank > 5 or h.index + 1 >= len(lines) or "行动" not in h.title:
            continue
        opening = lines[h.index + 1]
        if any(y >= (plan.start_year or 0) for y in _target_years(opening.text)) \
                and not any(o.line == opening.line for o in outline):
            by_rank.setdefault(h.rank, []).append(opening.line)
    return {line for found in by_rank.values() if len(found) >= 3 for line in found}


def _target_years(text: str) -> list[int]:
    return [int(y) for y in re.findall(r"到\s*((?:19|20)\d{2})\s*年", text)]
