"""Extraction: documents, plans, outline and the indicator system of one source file.

The steps follow the genre: split the gazette into documents (GB/T 9704), find the plans
each document issues and where their bodies start, build each plan's outline, then read
indicators from its tables and from the sentences of its goals sections.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from planwatch.extract.documents import DocumentSpan, same_title, split_documents, title_key
from planwatch.extract.layout import Grid, Item, Line, layout
from planwatch.extract.outline import Heading, sections
from planwatch.extract.periods import period_of, years_in
from planwatch.extract.prose import GoalContext, prose_indicators
from planwatch.extract.records import Document, Extraction, Indicator, OutlineEntry, Plan, Task
from planwatch.extract.tables import TableContext, indicators_from_grid
from planwatch.extract.tasks import tasks_in
from planwatch.extract.text import squeeze
from planwatch.ingest import DEFAULT_MAX_BYTES, SourceText, read_source

__all__ = ["Extraction", "extract_file", "extract_source"]

_GOAL_WORDS = ("主要目标", "发展目标", "总体目标", "具体目标", "分类目标", "建设目标", "工作目标", "规划目标",
               "行动目标", "主要预期目标", "总目标", "阶段目标", "年度目标")
_PLAN_WORDS = ("规划", "纲要", "方案", "计划", "要点", "意见", "细则")
_MAX_TITLE = 100  # a plan's title line, as printed at the head of its body
_LEAD = re.compile(r"^[—\-]*\s*([^，,。．\d]{2,25}?)[。．]")


def extract_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, progress: Callable[[int, int], None] | None = None) -> Extraction:
    return extract_source(read_source(path, max_bytes, progress))


def extract_source(source: SourceText) -> Extraction:
    items = layout(source.blocks, wrapped=source.format == "pdf")
    lines = [item for item in items if isinstance(item, Line)]
    spans = split_documents(lines, source.line_count)
    documents = tuple(_document(source.name, span) for span in spans)
    indicators: list[Indicator] = []
    plans: list[Plan] = []
    outline: list[OutlineEntry] = []
    tasks: list[Task] = []
    for span in spans:
        for plan in plan_spans(source.name, span, lines):
            plans.append(plan)
            plan_items = [i for i in items if plan.start_line <= _first_line(i) <= plan.end_line]
            plan_lines = [i for i in plan_items if isinstance(i, Line)]
            chains = dict(zip((line.line for line in plan_lines), sections(plan_lines), strict=True))
            plan_outline = [chain[-1] for line, chain in chains.items() if chain and chain[-1].line == line]
            outline.extend(OutlineEntry(plan.title, h.line, h.rank, h.number, h.title) for h in plan_outline)
            openings = _action_openings(plan_lines, plan_outline, plan)
            tasks.extend(tasks_in(plan.title, plan_lines, chains))
            indicators.extend(_plan_indicators(source.name, plan, plan_items, chains, openings))
    indicators.sort(key=lambda ind: ind.line)
    return Extraction(source.name, documents, tuple(indicators), tuple(plans), tuple(outline), tuple(tasks))


def _first_line(item: Item) -> int:
    return item.start_line if isinstance(item, Grid) else item.line


def _document(file: str, span: DocumentSpan) -> Document:
    return Document(file, span.start_line, span.end_line, span.title, span.doc_number, span.issuer, span.date,
                    span.attached_plans)


def plan_spans(file: str, doc: DocumentSpan, lines: Sequence[Line]) -> list[Plan]:
    """Where each plan a document issues begins and ends; a bare plan file is its own plan."""
    body = [line for line in lines if doc.start_line <= line.line <= doc.end_line]
    if not body:
        return []
    titles = list(doc.attached_plans)
    short = [(k, line) for k, line in enumerate(body) if len(line.text) <= _MAX_TITLE]
    if not titles:
        if doc.doc_number is None and doc.date is None and any(w in doc.title for w in _PLAN_WORDS):
            titles = [doc.title]
        else:
            return []
    after_notice = doc.date_line or doc.body_start
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
        if end_year is None and doc.date:
            start_year = end_year = int(doc.date[:4])
        spans.append(Plan(file, titles[n], start, end, start_year, end_year, doc.doc_number))
    return spans


def _is_goal_heading(heading: Heading) -> bool:
    title = heading.title.rstrip("。．：:")
    if "远景" in title:
        return False  # 2035年远景目标: a vision, not monitored targets
    # “发展领域、主要目标和策略措施” covers tasks too; its 主要目标 sub-headings are the goals.
    return title.endswith("目标") or (any(w in title for w in _GOAL_WORDS) and not re.search("措施|任务", title))


def _plan_indicators(file: str, plan: Plan, items: Sequence[Item], chains: dict[int, tuple[Heading, ...]],
                     openings: set[int]) -> list[Indicator]:
    """Indicators of one plan: every indicator table, and the sentences of its goals sections."""
    out: list[Indicator] = []
    chain: tuple[Heading, ...] = ()
    for item in items:
        if isinstance(item, Grid):
            domain = chain[-1].title if chain else None
            table_ctx = TableContext(file, plan.title, plan.start_year, plan.end_year, domain)
            rows = [[(c.text, c.line) for c in row] for row in item.rows]
            out.extend(indicators_from_grid(rows, item.caption, table_ctx))
            continue
        chain = chains[item.line]
        goal = next((h for h in reversed(chain) if _is_goal_heading(h)), None)
        if goal is None and item.line not in openings:
            continue
        section = goal if goal is not None else chain[-1]
        years = years_in(section.title)
        default_year = max(years) if years else plan.end_year
        ctx = GoalContext(file, plan.title, default_year, plan.start_year, _prose_domain(item, chain))
        out.extend(prose_indicators(item.text, item.line, ctx))
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
