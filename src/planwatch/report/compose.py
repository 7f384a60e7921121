"""The report's text: sections, sentences and tables composed from the evaluation.

Sentences state what the figures say and nothing more; judgement, causes and measures are
the analysts' part, so each section leaves a marked placeholder for them (【请……】).
"""

from __future__ import annotations

from collections.abc import Iterator

from planwatch.evaluate import ProjectionVerdict, Status
from planwatch.evaluate.paths import indicator_paths
from planwatch.numerals import to_chinese_integer
from planwatch.report.charts import indicator_png, status_png
from planwatch.report.content import IndicatorEntry, ReportContent, ReportKind
from planwatch.report.elements import Annex, Element, Figure, Heading, Paragraph, Signature, Table, Title

__all__ = ["compose", "percent"]

_OK = (Status.COMPLETED, Status.AHEAD, Status.ON_TRACK)
_CLOSING_SECTIONS = {
    ReportKind.ANNUAL: (("下一步工作建议", "【请在此撰写下一年度推进规划实施的工作建议。】"),),
    ReportKind.MIDTERM: (("存在的问题和原因分析", "【请在此分析规划实施中存在的主要问题及其原因。】"),
                         ("推进规划后半期实施的建议", "【请在此提出后半期调整目标、强化保障的建议。】")),
    ReportKind.FINAL: (("规划实施总体评价", "【请在此对规划实施情况作出总体评价。】"),
                       ("对下一个规划编制的建议", "【请在此提出下一轮规划编制和实施的建议。】")),
}


def percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _cell(value: float | str | None) -> str:
    return value if isinstance(value, str) else _number(value)


class _Numbering:
    """GB/T 9704 heading numbers: 一、 at level 1, （一） at level 2, 1. at level 3."""

    def __init__(self) -> None:
        self.counters = [0, 0, 0]

    def heading(self, level: int, text: str) -> Heading:
        self.counters[level - 1] += 1
        for deeper in range(level, len(self.counters)):
            self.counters[deeper] = 0
        n = self.counters[level - 1]
        prefix = {1: f"{to_chinese_integer(n)}、", 2: f"（{to_chinese_integer(n)}）", 3: f"{n}."}[level]
        return Heading(level, prefix + text)


def compose(content: ReportContent, *, max_indicator_charts: int = 10) -> list[Element]:
    """The whole report; charts are drawn for at most ``max_indicator_charts`` warnings."""
    numbering = _Numbering()
    elements: list[Element] = [Title(content.title, _subtitle(content))]
    if content.premature:
        elements.append(Paragraph(f"注意：{content.premature}", placeholder=True))
    elements += _overview(content, numbering)
    elements += _domains(content, numbering)
    if content.show_warnings:
        elements += _warnings(content, numbering, max_indicator_charts)
    if not content.public:
        elements += _completeness(content, numbering)
    elements += _ledger(content, numbering)
    elements += _participation(content, numbering)
    day = f"{content.generated_on.year}年{content.generated_on.month}月{content.generated_on.day}日"
    if content.public:  # what the office publishes: its own words only, signed by it
        elements = [e for e in elements if not (isinstance(e, Paragraph) and e.placeholder)]
        elements.append(Signature((content.office, day)))
        return [*elements, *_annex(content)]
    for heading, placeholder in _CLOSING_SECTIONS[content.kind]:
        elements += [numbering.heading(1, heading), Paragraph(placeholder, placeholder=True)]
    elements.append(Signature(("【报告单位】", day)))
    elements += _annex(content)
    elements += _ranking(content)
    return elements


def _subtitle(content: ReportContent) -> str:
    basis = "含已报送待审核数据" if content.include_pending else "仅统计已审核数据"
    return f"（数据截至{content.year}年，{basis}）"


def _count_sentence(counts: dict[Status, int], total: int) -> str:
    parts = [f"{status.label_zh}{counts[status]}项（占{percent(counts[status] / total)}）"
             for status in Status if counts.get(status)]
    return "，".join(parts)


def _overview(content: ReportContent, numbering: _Numbering) -> Iterator[Element]:
    summary = content.summary
    yield numbering.heading(1, "总体情况")
    binding = summary.binding_total
    schedule = content.schedule
    text = (f"本规划共设置监测指标{summary.total}项，其中约束性指标{binding}项、预期性指标"
            f"{sum(1 for r in content.results if r.attribute == '预期性')}项。")
    if summary.total:
        text += f"截至{content.year}年，{_count_sentence(summary.counts, summary.total)}。"
    if schedule is not None:
        text += f"按{content.start_year}—{content.end_year}年规划期计算，时间进度为{percent(schedule)}。"
    text += _types_sentence(content)
    yield Paragraph(text)
    if binding:
        ok = sum(summary.binding_counts.get(s, 0) for s in _OK)
        lagging = [r.name for r in content.results if r.binding and r.status not in _OK
                   and r.status is not Status.NOT_QUANTIFIABLE]
        sentence = f"约束性指标{binding}项中，已完成或进展正常{ok}项（占{percent(ok / binding)}）"
        sentence += f"；未达进度要求或缺少数据{len(lagging)}项：{'、'.join(lagging)}。" if lagging else "，全部达到进度要求。"
        yield Paragraph(sentence)
    if content.kind is not ReportKind.ANNUAL:
        projected = content.projection_counts()
        yield Paragraph(f"按现有趋势推算到规划目标年，预计可以完成的指标{projected[ProjectionVerdict.ACHIEVABLE]}项，"
                        f"难以完成的{projected[ProjectionVerdict.UNLIKELY]}项，"
                        f"数据不足无法预测的{projected[ProjectionVerdict.UNKNOWN]}项。")
    counts = [(status, summary.counts.get(status, 0)) for status in Status]
    yield Figure(status_png(counts), "图1　指标监测状态分布")
    rows = [(status.label_zh, str(n), percent(summary.share(status)), str(summary.binding_counts.get(status, 0)))
            for status, n in counts]
    rows.append(("合计", str(summary.total), percent(1.0 if summary.total else None), str(binding)))
    yield Table(("监测状态", "指标数（项）", "占比", "其中约束性（项）"), tuple(rows), (3, 2, 2, 2), "表1　指标监测状态汇总")
    yield Paragraph("【请在此补充规划实施的总体评价和主要成效。】", placeholder=True)


def _types_sentence(content: ReportContent) -> str:
    """How the amounts over the period and the qualitative targets were assessed, when there are any."""
    amounts = sum(1 for entry in content.entries if entry.cumulative)
    judged = sum(1 for r in content.results if r.target_type == "qualitative")
    parts = []
    if amounts:
        parts.append(f"规划期累计类指标{amounts}项，按规划期内各年完成量之和（累计值）与规划目标比较，不需基期值")
    if judged:
        parts.append(f"定性指标{judged}项，由责任单位逐年评估达到、未达到或无法判断并写明依据，经监测组审核")
    return "其中" + "；".join(parts) + "。" if parts else ""


def _domains(content: ReportContent, numbering: _Numbering) -> Iterator[Element]:
    yield numbering.heading(1, "分领域监测情况")
    with_projection = content.kind is not ReportKind.ANNUAL
    header = ("指标", "单位", "属性", "基期值", "目标值", "最新值", "完成进度", "时间进度", "状态",
              *(("预测值",) if with_projection else ()))
    for table_number, (domain, entries) in enumerate(content.domains(), start=2):
        yield numbering.heading(2, domain)
        counts: dict[Status, int] = {}
        for entry in entries:
            counts[entry.result.status] = counts.get(entry.result.status, 0) + 1
        yield Paragraph(f"本领域监测指标{len(entries)}项，{_count_sentence(counts, len(entries))}。")
        rows = tuple(_domain_row(entry, with_projection) for entry in entries)
        widths = (5, 1.5, 1.5, 2, 2.5, 2.5, 1.8, 1.8, 1.8, *((2,) if with_projection else ()))
        yield Table(header, rows, widths, f"表{table_number}　{domain}指标监测情况")
        yield Paragraph(f"【请在此补充{domain}领域的进展分析。】", placeholder=True)


def _domain_row(entry: IndicatorEntry, with_projection: bool) -> tuple[str, ...]:
    r = entry.result
    row = (entry.spec.name, entry.spec.unit or "", entry.spec.attribute or "", entry.baseline_text,
           entry.target_text, entry.latest_text, percent(r.completion), percent(r.schedule), r.status.label_zh)
    return (*row, _number(r.projected)) if with_projection else row


def _warnings(content: ReportContent, numbering: _Numbering, max_charts: int) -> Iterator[Element]:
    warnings = content.warnings()
    yield numbering.heading(1, "需要关注的指标")
    if not warnings:
        yield Paragraph("所有可量化指标均达到时间进度要求，无预警指标。")
        return
    yield Paragraph(f"共有{len(warnings)}项指标未达到时间进度要求或缺少数据，按严重程度排列如下，"
                    "请责任单位分析原因、提出措施。")
    rows = tuple((str(n), w.name + ("（约束性）" if w.binding else ""), w.status.label_zh,
                  "" if w.gap is None else f"{w.gap:g}{w.gap_unit or ''}", "、".join(w.responsible) or "未落实",
                  w.reason)
                 for n, w in enumerate(warnings, start=1))
    yield Table(("序号", "指标", "状态", "距目标差距", "责任单位", "说明"), rows, (1, 4, 1.8, 2, 3, 8),
                f"表{len(content.domains()) + 2}　预警指标清单")
    figure_number = 2
    entries = content.by_id()
    for warning in warnings[:max_charts]:
        entry = entries[warning.indicator_id]
        lines = indicator_paths(entry.spec, entry.history, entry.result)
        if not any(line.key == "actual" for line in lines):
            continue
        yield Figure(indicator_png(entry.spec.name, entry.spec.unit, lines),
                     f"图{figure_number}　{entry.spec.name}：实际值与要求进度")
        figure_number += 1
    yield Paragraph("【请在此分析滞后指标的原因，提出整改措施和完成时限。】", placeholder=True)


def _completeness(content: ReportContent, numbering: _Numbering) -> Iterator[Element]:
    yield numbering.heading(1, "数据报送情况")
    rows = sorted(content.completeness, key=lambda c: (c.share, c.org_unit))
    if not rows:
        yield Paragraph("本规划尚未把指标分解落实到报送单位。")
        return
    complete = sum(1 for c in rows if c.reported >= c.expected)
    entries = content.by_id()
    yield Paragraph(f"{content.year}年度共有{len(rows)}个单位承担数据报送任务，已全部报送的{complete}个，"
                    f"未报齐的{len(rows) - complete}个。")
    yield Table(("报送单位", "应报（项）", "已报（项）", "报送率", "未报指标"),
                tuple((c.org_unit, str(c.expected), str(c.reported), percent(c.share),
                       "、".join(entries[i].spec.name for i in c.missing)) for c in rows),
                (4, 1.5, 1.5, 1.5, 7), f"表{len(content.domains()) + 3}　{content.year}年度数据报送完整性")


def _ledger(content: ReportContent, numbering: _Numbering) -> Iterator[Element]:
    """Key tasks and major projects: what the units reported for the year, and what to ask after."""
    if not content.tasks and not content.projects:
        return
    yield numbering.heading(1, "重点任务和重大项目推进情况")
    table = len(content.domains()) + 4
    if content.tasks:
        done = sum(1 for row in content.tasks if row.progress.startswith("已完成"))
        silent = sum(1 for row in content.tasks if row.progress == "未报告")
        yield numbering.heading(2, "重点任务")
        yield Paragraph(f"规划确定重点任务{len(content.tasks)}项，{content.year}年度报告已完成的{done}项，"
                        f"未报告进展的{silent}项。")
        yield Table(("任务", "责任单位", "完成时限", "本年度进展"),
                    tuple((r.name, r.units, r.due, r.progress) for r in content.tasks), (6, 4, 2, 4),
                    f"表{table}　重点任务推进情况")
        table += 1
    if content.projects:
        yield numbering.heading(2, "重大项目")
        yield Paragraph(f"规划安排重大项目{len(content.projects)}个。")
        yield Table(("项目", "责任单位", "建设年限", "本年度进展"),
                    tuple((r.name, r.units, r.due, r.progress) for r in content.projects), (6, 4, 2, 4),
                    f"表{table}　重大项目推进情况")
    if content.ledger_warnings:
        yield numbering.heading(2, "需要关注的任务和项目")
        for warning in content.ledger_warnings:
            yield Paragraph(warning)
    yield Paragraph("【请在此分析任务和项目推进中的问题，提出督办措施。】", placeholder=True)


def _participation(content: ReportContent, numbering: _Numbering) -> Iterator[Element]:
    """公众参与: what the public said on the plan's public site, counted for the report's years."""
    counts = content.participation
    if counts is None:
        return
    yield numbering.heading(1, "公众参与情况")
    years = f"{counts.first_year}年" if counts.first_year == counts.last_year \
        else f"{counts.first_year}—{counts.last_year}年"
    if not counts.received:
        yield Paragraph(f"{years}，规划实施情况公开网站未收到公众意见。")
        return
    yield Paragraph(f"{years}，规划实施情况公开网站共收到公众意见{counts.received}条，经审核公开{counts.shown}条，"
                    f"其中已公开答复{counts.answered}条；不予公开{counts.not_shown}条。")
    yield Paragraph("【请在此概述公众意见反映的主要问题和采纳情况。】", placeholder=True)


def _ranking(content: ReportContent) -> Iterator[Element]:
    if not content.ranking:
        return
    yield Annex("附件2", f"{content.year}年度各部门和镇街综合评价结果")
    yield Table(("类别", "名次", "单位", "总分"),
                tuple((r.group, str(r.rank), r.unit, f"{r.total:.2f}") for r in content.ranking), (2, 1.5, 6, 2))


def _annex(content: ReportContent) -> Iterator[Element]:
    years = content.years
    yield Annex("附件", f"{content.plan_title}指标监测数据表")
    header = ("代码", "领域", "指标", "单位", "属性", "基期值", *(f"{y}年" for y in years), "目标值", "状态", "出处")
    rows = []
    for entry in content.entries:
        rows.append((entry.code, entry.spec.domain or "", entry.spec.name, entry.spec.unit or "",
                     entry.spec.attribute or "", entry.baseline_text,
                     *(_cell(entry.year_cell(y)) for y in years), entry.target_text, entry.result.status.label_zh,
                     entry.source))
    yield Table(header, tuple(rows), (1.2, 2, 4.5, 1.3, 1.3, 2, *(1.5 for _ in years), 2.5, 1.6, 3))
