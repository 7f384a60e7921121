"""The second half of a plan: its key tasks and major projects (任务台账 · 重大项目).

Plans decompose their work into numbered task items under chapters named 重点任务 /
主要任务 / 重点工作 / 主要举措 (一、（一）1.), and into 专栏 boxes of named works; each item
may name its units in parentheses and state quantities of its own (新建消防救援站1座,
改造燃气老化管道421公里, 到2027年完成…) and a deadline (2025年底前, 6月底前). Those are
second-tier targets: tracked with the task, never mixed into the indicator system.
Major projects come as tables (项目名称 | 建设内容 | 总投资 | 建设年限 | 责任单位).
Executive-meeting notes assign tasks in a sentence: 由区发展改革委牵头，…于6月底前完成.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from planwatch.extract.layout import Line
from planwatch.extract.outline import Heading
from planwatch.extract.periods import years_in
from planwatch.extract.prose import GoalContext, prose_indicators
from planwatch.extract.records import LedgerTarget, Project, Task
from planwatch.extract.tables import split_name_unit
from planwatch.extract.tasks import LEAD, RESPONSIBLE, SUPPORT, units_by_role
from planwatch.extract.text import cjk_count, fold, squeeze
from planwatch.extract.values import read_value
from planwatch.numerals import parse_chinese_integer, to_halfwidth

_TASK_CHAPTER = re.compile(r"重点任务|主要任务|重点工作|工作任务|主要举措|重点举措|任务措施|重点工程|重大工程|重点行动|"
                           r"主要措施|工作措施|具体措施|行动任务")
_COLUMN = re.compile(r"^专栏\s*[\d一二三四五六七八九十]*\s*[：:]?\s*(.*)$")
_COLUMN_ITEM = re.compile(r"^(?:\d{1,2}[.、．]|[（(]\d{1,2}[）)])?\s*([^：:。，]{2,30}?)[：:](.+)$")
_PAREN = re.compile(r"[（(]([^（）()]{2,200})[）)]")
_DEADLINE = re.compile(r"((?:19|20)\d{2})\s*年\s*(?:(\d{1,2})\s*月)?\s*(?:底|末)?\s*(?:前|之前|以前)"
                       r"|(?<![\d年])(\d{1,2})\s*月\s*(?:底|末|中旬|上旬)?\s*(?:前|之前)")
_ASSIGNED = re.compile(r"由([^，,。；;（）()]{2,40}?)(?:牵头|负责)")
_MAX_TITLE = 120
_FIGURE = re.compile(r"[\d０-９]")
_SENTENCES = re.compile(r"[^。；;]+[。；;]?")
_SENTENCE_END = re.compile(r"[。；;！？!?…）)”]$")


@dataclass(frozen=True, slots=True)
class LedgerContext:
    file: str
    plan: str
    start_year: int | None
    end_year: int | None
    year: int | None = None  # the year a note without years refers to (a meeting's)


def deadline_of(text: str, year: int | None) -> str | None:
    """2025年底前 → 2025-12; 6月底前 in a note of 2026 → 2026-06; None when no deadline is printed.
    A task with stages (2026年底前完成试点，2030年底前全面推广) is due at its last stage."""
    if "前" not in text:
        return None
    found = []
    for m in _DEADLINE.finditer(to_halfwidth(text)):
        if m.group(1):
            found.append(f"{int(m.group(1)):04d}-{int(m.group(2) or 12):02d}")
        elif year is not None:
            found.append(f"{year:04d}-{int(m.group(3)):02d}")
    return max(found, default=None)


def _targets(text: str, line: int, ctx: LedgerContext) -> tuple[LedgerTarget, ...]:
    """The quantities an item states, read as goal sentences are (the year: stated, else the plan's end)."""
    stated = "".join(s for s in _SENTENCES.findall(text) if _FIGURE.search(s))
    if not stated:
        return ()  # most task items state no quantity
    text = stated
    goal = GoalContext(ctx.file, ctx.plan, ctx.end_year, ctx.start_year, None)
    return tuple(LedgerTarget(ind.name, t.year, t.text, t.value, ind.unit, t.comparator.value)
                 for ind in prose_indicators(text, line, goal) for t in ind.targets[-1:])


def _units(text: str) -> dict[str, list[str]]:
    roles: dict[str, list[str]] = {}
    for m in _PAREN.finditer(text):
        for role, units in units_by_role(m.group(1)).items():
            roles.setdefault(role, []).extend(u for u in units if u not in roles.get(role, []))
    return roles


def _task(kind: str, number: str, title: str, section: str, text: str, line: int, ctx: LedgerContext) -> Task:
    roles = _units(text)
    return Task(ctx.plan, line, title[:_MAX_TITLE], tuple(roles.get(LEAD, ())), tuple(roles.get(RESPONSIBLE, ())),
                tuple(roles.get(SUPPORT, ())), kind=kind, number=number, section=section,
                targets=_targets(_PAREN.sub("", text), line, ctx), deadline=deadline_of(text, ctx.end_year))


def task_items(lines: Sequence[Line], chains: dict[int, tuple[Heading, ...]], ctx: LedgerContext) -> list[Task]:
    """Every numbered item under a task chapter, and every item of a 专栏, with its text up to the next heading."""
    out: list[Task] = []
    k = 0
    while k < len(lines):
        line = lines[k]
        chain = chains.get(line.line, ())
        heading = chain[-1] if chain and chain[-1].line == line.line else None
        column = _COLUMN.match(squeeze(line.text))
        if column:
            k = _column_items(lines, k, chains, ctx, out)
            continue
        k += 1
        if heading is None or not heading.number or not in_task_chapter(chain[:-1]):
            continue
        body = [line.text]
        while k < len(lines) and not _is_heading(lines[k], chains) and not _COLUMN.match(squeeze(lines[k].text)):
            body.append(lines[k].text)
            k += 1
        section = next((h.title for h in reversed(chain[:-1]) if h.number), "")
        out.append(_task("task", heading.number, heading.title, section, "".join(body), line.line, ctx))
    return out


def in_task_chapter(chain: Sequence[Heading]) -> bool:
    return any(_TASK_CHAPTER.search(h.title) for h in chain)


def _is_heading(line: Line, chains: dict[int, tuple[Heading, ...]]) -> bool:
    chain = chains.get(line.line, ())
    return bool(chain) and chain[-1].line == line.line and bool(chain[-1].number)


def _column_items(lines: Sequence[Line], k: int, chains: dict[int, tuple[Heading, ...]], ctx: LedgerContext,
                  out: list[Task]) -> int:
    """专栏3 重点消防工程: the works the box lists, in the forms plans print them —
    named lines (消防站建设工程：新建消防救援站2座…), numbered lines (1.智能装备提升工程：…,
    1.云溪算力中心项目), groups of them under labels ((一)重点方向 / (二)重点项目), and
    labelled lists (重点平台：云溪商务区、滨江文旅街区). The box's own numbering starts again at
    one; a heading that goes on with the text's numbering, another 专栏 or running text ends it.
    An item cut in two by a page break (its line stops mid-sentence) goes on in the next line.
    """
    caption = _COLUMN.match(squeeze(lines[k].text))
    title = caption.group(1) if caption else ""
    items: list[tuple[str, str, int]] = []  # name, text, line
    expected: dict[float, int] = {}  # the next number of each of the box's own numbering ranks
    # the numbers that would go on with the text the box sits in
    text_goes_on = {h.rank: n + 1 for h in chains.get(lines[k].line, ()) if (n := _number_of(h.number)) is not None}
    k += 1
    while k < len(lines) and not _COLUMN.match(squeeze(lines[k].text)):
        line, text = lines[k], squeeze(lines[k].text)
        heading = _heading_at(line, chains)
        if heading is not None and not heading.number and len(text) <= 14:
            pass  # 信息系统: a label of the lines after it, inside the box
        elif heading is not None:
            number = _number_of(heading.number)
            if number is None or expected.get(heading.rank, 1) != number or (
                    text_goes_on.get(heading.rank) == number and not _resumes_later(lines, k, chains, heading, number)):
                break  # the text's own headings again
            expected = {rank: n for rank, n in expected.items() if rank < heading.rank}
            expected[heading.rank] = number + 1
            if not _is_group_label(lines, k, chains, heading):
                items.append((_item_name(heading.title), line.text, line.line))
        elif (listed := _LISTED.match(text)) is not None and _KIND_LABEL.match(listed.group(1)) \
                and len(parts := _list_parts(listed.group(2))) >= 2:
            items.extend((part, line.text, line.line) for part in parts)  # 重点平台：云溪商务区、滨江文旅街区
        elif (item := _COLUMN_ITEM.match(text)) is not None:
            items.append((item.group(1), line.text, line.line))
        elif items and not _SENTENCE_END.search(squeeze(items[-1][1])):
            name, begun, at = items[-1]
            items[-1] = (name, begun + line.text, at)
        elif len(text) > 60:
            break  # running text again: the box has ended
        k += 1
    out.extend(_task("column", "", name, title, text, line, ctx) for name, text, line in items)
    return k


def column_table_items(rows: list[list[tuple[str, int]]], caption: str, ctx: LedgerContext) -> list[Task]:
    """A 专栏 printed as a table that lists no projects (类别 | 重点工程 | 建设内容): each row is a work,
    named by its name cell (the header's 名称/工程/项目/内容 column, else the first text cell)."""
    box = _COLUMN.match(squeeze(caption))
    if box is None or len(rows) < 2:
        return []
    header = [squeeze(t) for t, _ in rows[0]]
    named = next((c for c, h in enumerate(header) if re.search(r"名称|工程|项目|任务|行动|内容", h)), None)
    out = []
    for cells in rows[1:]:
        texts = [squeeze(t) for t, _ in cells]
        at = named if named is not None and named < len(texts) and texts[named] else next(
            (c for c, t in enumerate(texts) if cjk_count(t) >= 2), None)
        if at is None:
            continue
        out.append(_task("column", "", _item_name(texts[at]), box.group(1), "；".join(t for t in texts if t),
                         cells[at][1], ctx))
    return out


_LISTED = re.compile(r"^([^：:，。]{2,12})[：:](.+)$")
# A label naming a kind of work, not a work: 重点平台：A、B、C lists the works themselves.
_KIND_LABEL = re.compile(r"^(?:重点|主要|重大|核心|标志性)?(?:平台|方向|项目|工程|载体|园区|基地|产业|领域|任务|行动|片区)$")
_LIST_PART = re.compile(r"[、；;]")


def _list_parts(text: str) -> list[str]:
    """The works a labelled list names (云溪商务区、滨江文旅街区): short names, no clause among them."""
    if re.search(r"[，,：:]", text):
        return []  # a sentence about one work, not a list of works
    parts = [p.strip("。．.　 ") for p in _LIST_PART.split(text) if p.strip("。．.　 ")]
    return parts if all(2 <= len(p) <= 16 for p in parts) else []


def _resumes_later(lines: Sequence[Line], k: int, chains: dict[int, tuple[Heading, ...]], heading: Heading,
                   number: int) -> bool:
    """Whether the text's numbering resumes with ``number`` further on (1.…2.…3.…4. in the box, then 2.
    in the text): then this heading, with the same number, is still the box's."""
    for line in lines[k + 1:]:
        later = _heading_at(line, chains)
        if later is None:
            continue
        if later.rank < heading.rank:
            return False
        if later.rank == heading.rank and _number_of(later.number) == number:
            return True
    return False


def _heading_at(line: Line, chains: dict[int, tuple[Heading, ...]]) -> Heading | None:
    chain = chains.get(line.line, ())
    return chain[-1] if chain and chain[-1].line == line.line else None


def _number_of(printed: str) -> int | None:
    digits = re.sub(r"[（()）、.．\s]", "", to_halfwidth(printed))
    return int(digits) if digits.isdigit() else parse_chinese_integer(digits)


def _is_group_label(lines: Sequence[Line], k: int, chains: dict[int, tuple[Heading, ...]], heading: Heading) -> bool:
    """(一)重点方向 above 1.… 2.…: a label of the items under it, not an item."""
    following = _heading_at(lines[k + 1], chains) if k + 1 < len(lines) else None
    return following is not None and following.rank > heading.rank and len(heading.title) <= 12


def _item_name(title: str) -> str:
    """A numbered work's name: what comes before its colon or full stop, else its first clause."""
    name = re.split(r"[：:。]", title, maxsplit=1)[0].strip()
    return re.split(r"[，,；;]", name, maxsplit=1)[0].strip() if len(name) > 30 else name


def assigned_tasks(lines: Sequence[Line], ctx: LedgerContext) -> list[Task]:
    """Meeting notes: 由区发展改革委牵头，区财政局配合，…于6月底前完成 — a task with its units and deadline."""
    out = []
    for line in lines:
        for sentence in re.findall(r"[^。；;]+[。；;]?", line.text):
            lead = _ASSIGNED.search(sentence)
            deadline = deadline_of(sentence, ctx.year)
            if lead is None or deadline is None:
                continue
            roles = units_by_role(sentence[lead.start() + 1:])
            leads = roles.get(LEAD) or roles.get(RESPONSIBLE) or [squeeze(lead.group(1))]
            out.append(Task(ctx.plan, line.line, squeeze(sentence)[:_MAX_TITLE], tuple(leads), (),
                            tuple(roles.get(SUPPORT, ())), kind="assignment", deadline=deadline))
    return out


# ---- major projects -------------------------------------------------------------------------

_PROJECT_FIELDS = (
    ("name", re.compile(r"项目名称|工程名称|项目$|名称$")),
    ("content", re.compile(r"建设内容|建设规模|主要内容|规模")),
    ("start", re.compile(r"开工|起始|开始")),
    ("end", re.compile(r"完工|竣工|建成|结束")),
    ("period_investment", re.compile(r"(?:十[一二三四五六七八九]五|期间|期内|年度|计划).*投资|完成投资")),
    ("investment", re.compile(r"总投资|投资")),
    ("years", re.compile(r"年限|期限|起止|建设期|实施期|时间")),
    ("units", re.compile(r"责任|牵头|实施主体|业主|建设单位|主体")),
    ("category", re.compile(r"类别|类型|领域|分类")),
    ("index", re.compile(r"序号|编号")),
)
_INVESTMENT_UNIT = re.compile(r"(亿元|万元|元)")
_INDEX = re.compile(r"\d{1,3}")
_YEAR_SPAN = re.compile(r"((?:19|20)\d{2})\s*年?\s*(?:[—–\-~～至到]+\s*((?:19|20)\d{2}))?")


def _project_field(header: str) -> str:
    h = fold(header)
    return next((name for name, pattern in _PROJECT_FIELDS if pattern.search(h)), "")


def is_project_header(cells: Sequence[str]) -> bool:
    fields = {_project_field(c) for c in cells if c.strip()}
    return "name" in fields and bool(fields & {"investment", "content", "years", "start"}) and any(
        "项目" in c or "工程" in c for c in cells)


def projects_from_grid(rows: list[list[tuple[str, int]]], ctx: LedgerContext) -> list[Project]:
    """Every row of a project table: name, content, investment, years and units."""
    header: list[str] = []
    fields: list[str] = []
    out: list[Project] = []
    category = ""
    for cells in rows:
        texts = [squeeze(t) for t, _ in cells]
        if fields and _new_header(texts):  # the next table, or the header repeated on a new page
            header, fields = [], []
        if not fields:
            if not is_project_header(texts) and not header:
                continue
            header = [a + b for a, b in zip(header, texts, strict=False)] if header else texts
            fields = [_project_field(h) for h in header]
            continue
        texts = _aligned(texts, fields)
        if not header or len(texts) != len(fields):
            continue
        if _is_sub_header(texts):  # 开工年 | 完工年 under 建设年限: a second header row
            header = [a + b for a, b in zip(header, texts, strict=True)]
            fields = [_project_field(h) for h in header]
            continue
        row = {f: t for f, t in zip(fields, texts, strict=True) if f and t not in ("", "—", "-", "/")}
        category = row.get("category", category)
        name = row.get("name", "")
        if not name or name in ("小计", "合计", "总计") or not re.search(r"[\u4e00-\u9fff]", name):
            continue
        out.append(_project(row, header, fields, category, cells[0][1], ctx))
    return out


def _new_header(texts: list[str]) -> bool:
    """A header row inside a grid: header words in short cells, no 序号 value (a data row such as
    32 | | 智慧停车建设项目 | 主要内容：… also names a project and its content)."""
    return is_project_header(texts) and not any(_INDEX.fullmatch(t) for t in texts) \
        and max((len(t) for t in texts), default=0) <= 20


def _aligned(texts: list[str], fields: list[str]) -> list[str]:
    """A row in the header's columns: padded when it stops before the header's empty trailing
    cells; and when its category is printed over more cells than the header gives it (铁路 |
    规划项目 | 高速铁路 | 1 | 渝西高铁 … under 项目类型 | | 序号 | 项目名称), the extra category
    cells joined, so that the 序号 and everything after it fall in their columns again."""
    if len(texts) < len(fields) and not any(fields[len(texts):]):
        texts = texts + [""] * (len(fields) - len(texts))  # the header's trailing cells are empty
    if "index" not in fields:
        return texts
    at = fields.index("index")
    if at >= len(texts) or _INDEX.fullmatch(texts[at]) or at == 0:
        return texts
    for extra in (1, 2):
        if at + extra < len(texts) and _INDEX.fullmatch(texts[at + extra]) and len(texts) - extra <= len(fields):
            joined = " ".join(t for t in texts[at - 1:at + extra] if t)
            row = [*texts[:at - 1], joined, *texts[at + extra:]]
            return row + [""] * (len(fields) - len(row))
    return texts


def _is_sub_header(texts: list[str]) -> bool:
    return not any(re.search(r"\d", t) for t in texts) and sum(1 for t in texts if _project_field(t)) >= 2


def _project(row: dict[str, str], header: list[str], fields: list[str], category: str, line: int,
             ctx: LedgerContext) -> Project:
    start = end = None
    if "years" in row:
        m = _YEAR_SPAN.search(to_halfwidth(row["years"]))
        if m:
            start, end = int(m.group(1)), int(m.group(2) or m.group(1))
    for key in ("start", "end"):
        years = years_in(row.get(key, "") + "年") if row.get(key) else []
        if years:
            start, end = (years[0], end) if key == "start" else (start, years[0])
    name, _ = split_name_unit(row["name"])
    units = units_by_role(row.get("units", "") + "负责") if row.get("units") else {}
    return Project(
        plan=ctx.plan, line=line, name=name, category=category or None, content=row.get("content"),
        investment=_amount(row.get("investment"), header, fields, "investment"),
        period_investment=_amount(row.get("period_investment"), header, fields, "period_investment"),
        start_year=start, end_year=end,
        units=tuple(u for role in (LEAD, RESPONSIBLE, SUPPORT) for u in units.get(role, ())))


def _amount(text: str | None, header: list[str], fields: list[str], field: str) -> float | None:
    """An investment in 万元, whatever unit the column or the cell prints (亿元 → ×10000)."""
    if not text:
        return None
    reading = read_value(text)
    if reading is None or reading.value is None:
        return None
    column = header[fields.index(field)]
    unit = _INVESTMENT_UNIT.search(text) or _INVESTMENT_UNIT.search(column)
    scale = {"亿元": 10000.0, "万元": 1.0, "元": 0.0001}.get(unit.group(1) if unit else "万元", 1.0)
    return round(reading.value * scale, 4)
