"""The order of extraction's steps, from a source's blocks to one :class:`Extraction`.

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
    column_table_items,
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
from planwatch.extract.prose import GoalContext, prose_indicators, qualitative_indicators
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
from planwatch.extract.unread import target_figures, unread_sentences
from planwatch.extract.values import has_number
from planwatch.extract.work_reports import announced_five_year_plan, annual_plan_title
from planwatch.ingest import DEFAULT_MAX_BYTES, SourceText, read_source
from planwatch.numerals import to_halfwidth

__all__ = ["extract_file", "extract_source", "plan_spans"]

_GOAL_WORDS = ("主要目标", "发展目标", "总体目标", "具体目标", "分类目标", "建设目标", "工作目标", "规划目标",
               "行动目标", "主要预期目标", "总目标", "阶段目标", "年度目标", "主要指标", "主要发展指标", "核心指标")
_PLAN_WORDS = ("规划", "纲要", "方案", "计划", "要点", "意见", "细则")
_MAX_TITLE = 100  # a plan's title line, as printed at the head of its body
_LEAD = re.compile(r"^[—\-]*\s*([^，,。．\d]{2,25}?)[。．]")
# A paragraph that announces the goals itself: 今年经济社会发展主要预期目标是：…
_GOALS_LEAD = re.compile(r"(?:^|(?<=[，,。]))[^，,。；;：:]{0,24}?((?:主要)?(?:预期)?目标)(?:是|为|包括|如下)?[：:]")
_GOALS_LEAD_WITHIN = 40  # the announcement opens the paragraph, after at most a short preamble
# A paragraph closing with the announcement of a list of goals: …要努力实现以下主要目标。
_ANNOUNCES_GOALS = re.compile(r"(?:以下|如下|下列)(?:几个方面的)?(?:主要)?(?:发展)?(?:预期)?目标[。：:]?$"
                              r"|(?:主要|发展|预期)目标(?:是|为|如下)?[：:]$")
_BULLET = re.compile(r"^\s*(?:[—－─-]{1,2}|[•·●○◆■]|\d{1,2}[.、．]|[（(]\d{1,2}[）)]|[一二三四五六七八九十]+是)")


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
        doc_plans = plan_spans(source.name, span, lines) or _plan_of_its_tables(source.name, span, items, lines) \
            or _plan_of_its_goals(source.name, span, lines)
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
            front = _front_part_end([h for h in plan_outline if h.line > plan.start_line], plan.end_line)
            read: set[int] = set()  # tables (by first line) that gave indicators or said why not
            quiet: set[int] = set()  # tables of target-like figures that gave nothing and said nothing
            indicators.extend(_plan_indicators(source.name, body, plan_items, chains, openings, front, diagnostics,
                                               read, quiet))
            ledger = LedgerContext(source.name, plan.title, plan.start_year, plan.end_year)
            plan_tasks = task_items(plan_lines, chains, ledger)
            # units named in parentheses outside task chapters (保障措施, 实施机制) are tasks too
            plan_tasks.extend(t for t in tasks_in(plan.title, plan_lines, chains)
                              if not in_task_chapter(chains[t.line]))
            divided: list[DivisionRow] = []
            for grid in (i for i in plan_items if isinstance(i, Grid)):
                rows = [[(c.text, c.line) for c in row] for row in grid.rows]
                grid_projects, grid_divisions = projects_from_grid(rows, ledger), division_rows(rows)
                projects.extend(grid_projects)
                divided.extend(grid_divisions)
                boxed = [] if grid_projects or grid.start_line in read else column_table_items(
                    rows, grid.caption, ledger)
                plan_tasks.extend(boxed)
                if grid.start_line in quiet and not grid_projects and not grid_divisions and not boxed:
                    diagnostics.append(Diagnostic(source.name, grid.start_line, "table",
                                                  grid.caption or _first_row(grid), "unread_table"))
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
            titles = [_unquoted(doc.title)]
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


def _unquoted(title: str) -> str:
    """《…纲要》 printed as a page's title names the plan …纲要."""
    return title[1:-1] if title.startswith("《") and title.endswith("》") and title.count("《") == 1 else title


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


def _plan_of_its_goals(file: str, doc: DocumentSpan, lines: Sequence[Line]) -> list[Plan]:
    """A document that issues no plan but sets numeric goals of its own (an 实施意见 with 主要目标：
    到2027年…达到…) is the plan of those goals: its targets are never lost for want of a frame."""
    body = [x for x in lines if doc.body_start <= x.line <= doc.end_line]
    chains = sections(body)
    if not any(_is_goal_heading(h) and target_figures(line.text) for line, chain in zip(body, chains, strict=True)
               for h in chain):
        return []
    start_year, end_year = period_of(doc.title)
    if end_year is None:
        start_year, end_year = period_in_body([x.text for x in body])
    return [Plan(file, doc.title, doc.body_start, doc.end_line, start_year, end_year, doc.doc_number)]


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
                     chains: dict[int, tuple[Heading, ...]], openings: set[int], front: int,
                     unread: list[Diagnostic], read: set[int], quiet: set[int]) -> list[Indicator]:
    """Indicators of one plan body: every indicator table, and the sentences of its goals sections.
    What looked like a target but gave no indicator is added to ``unread``, also from the
    plan's front part (up to ``front``) and from sections about targets that are no goals section."""
    out: list[Indicator] = []
    chain: tuple[Heading, ...] = ()
    announced: str | None = None  # “…要努力实现以下主要目标。”: the bullets that follow are the goals
    for item in items:
        if isinstance(item, Grid):
            plan = plans[0]
            domain = chain[-1].title if chain else None
            table_ctx = TableContext(file, plan.title, plan.start_year, plan.end_year, domain)
            rows = [[(c.text, c.line) for c in row] for row in item.rows]
            reading = indicators_from_grid(rows, item.caption, table_ctx)
            out.extend(reading.indicators)
            unread.extend(reading.unread)
            if reading.indicators or reading.unread:
                read.add(item.start_line)
            elif _holds_targets(item, chain, plan):
                quiet.add(item.start_line)
            continue
        heading_before = chain[-1].line if chain else 0
        chain = chains[item.line]
        if announced is not None and (not _BULLET.match(item.text) or chain[-1].line != heading_before):
            announced = None  # the announced list ends at the first paragraph that is no bullet
        goal = next((h for h in reversed(chain) if _is_goal_heading(h)), None)
        lead = _GOALS_LEAD.search(squeeze(item.text)[:_GOALS_LEAD_WITHIN])
        if goal is not None:
            goals_title = goal.title
        elif lead is not None:  # 今年经济社会发展主要预期目标是：…
            goals_title = lead.group()
        elif item.line in openings:
            goals_title = chain[-1].title
        elif announced is not None:
            goals_title = announced
        else:
            if _ANNOUNCES_GOALS.search(squeeze(item.text)):
                announced = " ".join(h.title for h in chain) + squeeze(item.text)[-_GOALS_LEAD_WITHIN:]
            elif _states_targets(item, chain, plans[0], front):
                unread.extend(unread_sentences(item.text, item.line, (), file, cued=True))
            continue
        plan = _plan_of_goals(plans, goals_title)
        years = years_in(goals_title)
        default_year = max(years) if years else plan.end_year
        domain = lead.group(1) if lead is not None and goal is None else _prose_domain(item, chain)
        ctx = GoalContext(file, plan.title, default_year, plan.start_year, domain)
        found = prose_indicators(item.text, item.line, ctx)
        out.extend(found)
        out.extend(qualitative_indicators(item.text, item.line, ctx))
        unread.extend(unread_sentences(item.text, item.line, found, file))
    for first, last, seen in _loose_cell_runs(items, chains, out):
        # a table left as lines is one diagnostic, not one per cell that looked like a goal sentence
        unread[:] = [d for d in unread if d.kind != "goal_sentence" or not first <= d.line <= last]
        unread.append(Diagnostic(file, first, "table", seen, "unread_table"))
    return out


_VALUE_CELL = re.compile(r"^[≥≤＞＜><]?\s*\d+(?:\.\d+)?\s*(?:%|％|‰)?\s*(?:以上|以下|以内|左右)?$")
_CELL_LINE = 30  # a table cell printed on a line of its own is short


def _loose_cell_runs(items: Sequence[Item], chains: dict[int, tuple[Heading, ...]],
                     found: Sequence[Indicator]) -> list[tuple[int, int, str]]:
    """Runs of short lines holding figures (≤25, 85, 95以上) between labels: a table printed one cell
    per line that no reader took, outside the review and task chapters (first line, last line, text)."""
    out: list[tuple[int, int, str]] = []
    read_lines = {ind.line for ind in found}
    run: list[Line] = []
    for item in [*items, None]:
        chain = chains.get(item.line, ()) if isinstance(item, Line) else ()
        if isinstance(item, Line) and len(item.text) <= _CELL_LINE and not (
                chain and chain[-1].line == item.line and chain[-1].number):
            run.append(item)
            continue
        values = sum(1 for x in run if _VALUE_CELL.match(squeeze(to_halfwidth(x.text))))
        if values >= 2 and len(run) > values and not any(run[0].line <= n <= run[-1].line for n in read_lines):
            context = chains.get(run[0].line, ())
            if not any(_REVIEW_HEADING.search(h.title) or "远景" in h.title for h in context) \
                    and not in_task_chapter(context):
                out.append((run[0].line, run[-1].line, " | ".join(x.text for x in run[:8])))
        run = []
    return out


_ABOUT_TARGETS = re.compile(r"目标|指标|愿景")
_TASK_HEADING = re.compile(r"重点任务|主要任务|重点工作|工作任务|主要举措|重点举措|任务措施|重点工程|重大工程|重点行动|行动任务")
_REVIEW_HEADING = re.compile(r"基础|回顾|成就|成效|现状|形势|背景|环境|进展|总结|问题|挑战|机遇")
_TARGET_YEAR = re.compile(r"(?:到|至|力争|确保)\s*((?:19|20)\d{2})\s*年|期末|[“\"]?十[一二三四五六七八九]五[”\"]?末")


def _states_targets(item: Line, chain: tuple[Heading, ...], plan: Plan, front: int) -> bool:
    """A paragraph outside the goals sections that sets targets for the plan's years (到2030年…达到…),
    in the plan's front part or under a heading about targets (目标任务, 发展愿景): what the readers
    leave of it is shown rather than dropped. Reviews of past work and the 2035 vision are not;
    the task chapters' figures are the tasks' own quantities (the ledger's)."""
    if any(_REVIEW_HEADING.search(h.title) or "远景" in h.title for h in chain) or in_task_chapter(chain):
        return False
    if item.line >= front and not any(_ABOUT_TARGETS.search(h.title) for h in chain):
        return False
    return any(m.group(1) is None or int(m.group(1)) >= (plan.start_year or 0)
               for m in _TARGET_YEAR.finditer(item.text))


_TARGET_MARK = re.compile(r"[≥≤＞＜><]\s*\d|\d\s*(?:%|％)?\s*(?:以上|以下|以内|左右)|不低于|不超过|不少于|目标|预期")


def _holds_targets(grid: Grid, chain: tuple[Heading, ...], plan: Plan) -> bool:
    """A table outside the review and task chapters whose cells carry a target's marks (≥90, 5%左右,
    目标) or the years of the plan's period above figures."""
    if any(_REVIEW_HEADING.search(h.title) or "远景" in h.title for h in chain) or in_task_chapter(chain):
        return False
    cells = [c.text for row in grid.rows for c in row]
    marks = sum(1 for c in cells if _TARGET_MARK.search(c))
    period = [y for y in years_in(" ".join(c.text for c in grid.rows[0])) if y >= (plan.start_year or 0)] \
        if grid.rows else []
    return marks >= 2 or (bool(period) and any(has_number(c) for c in cells[len(grid.rows[0]):]))


def _first_row(grid: Grid) -> str:
    return " | ".join(c.text for c in grid.rows[0] if c.text) if grid.rows else ""


def _front_part_end(outline: Sequence[Heading], end_line: int) -> int:
    """Where a plan's task part begins: the first task chapter, or the first chapter of the goals
    section's rank (or above) after it. Before it come the frame, the review and the goals."""
    task = next((h.line for h in outline if _TASK_HEADING.search(h.title)), end_line + 1)
    goals = next((k for k, h in enumerate(outline) if _is_goal_heading(h)), None)
    if goals is None:
        return task
    top = outline[goals].rank  # the goals section's outermost enclosing chapter
    for h in reversed(outline[:goals]):
        top = min(top, h.rank)
    after = next((h.line for h in outline[goals + 1:] if h.rank <= top and not _is_goal_heading(h)), end_line + 1)
    return min(task, after)


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
