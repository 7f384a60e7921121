"""Errors a user can act on.

Every problem with an input is reported as one line naming the file or field and what was
expected, so that the CLI can print it without a traceback and go on with the other files.

A problem may carry a code (:class:`Problem`): its Chinese sentence is in :data:`PROBLEMS`,
which the web catalogue (``problem.<code>`` in :mod:`planwatch.web.i18n`) takes as its zh
entry and translates to English, so the English UI shows an English message instead of the
service's Chinese one. The errors cross process boundaries whole (uploads are read in a
worker pool): subclass, fields, code and parameters all survive pickling.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

__all__ = ["PROBLEMS", "FieldError", "FieldRefused", "InputError", "NotFound", "PlanWatchError", "Problem",
           "problem"]

# The Chinese sentence of every coded problem; the UI's zh catalogue is built from it.
PROBLEMS: Final[dict[str, str]] = {
    # one reader per kind of field (planwatch.fields)
    "field.not_number": "「{text}」不是数字",
    "field.not_integer": "「{text}」不是整数",
    "field.not_year": "应为四位年份（如 2025），而不是「{text}」",
    "field.year_range": "年份 {year} 不在 {low}–{high} 之间",
    "field.not_month": "应为年月 YYYY-MM（如 2026-12），而不是「{text}」",
    "field.not_date": "应为日期 YYYY-MM-DD（如 2026-03-31），而不是「{text}」",
    "field.negative": "应为不小于 0 的数，而不是「{text}」",
    "field.amount_scale": "金额以万元计，请直接填写数字（如 1200），不要带「{scale}」：「{text}」",
    "field.percent_range": "百分比应在 {low}–{high} 之间，实际为 {value}",
    "field.out_of_range": "应在 {low}–{high} 之间，实际为 {value}",
    "field.control_character": "含有控制字符 {char}，请删除后重试",  # planwatch.text_cleaning
    # what numerals.read_decimal refuses (planwatch.numerals.NumberRefused)
    "number.foreign_digit": "「{char}」不是阿拉伯数字或汉字数字（只接受 0–9、全角数字和汉字数字）",
    "number.not_finite": "「{text}」不是有限数值",
    "number.ambiguous_comma": "「{text}」中的逗号有歧义：小数请用小数点（49.9），千位分隔须每三位一组（1,234）",
    "number.too_large": "{value} 超出可存储的数值范围（绝对值应小于 1.7e308）",
    "number.too_small": "{value} 太接近 0，无法存储（绝对值应大于 1e-308）",
    "number.scale_on_percent": "「{text}」：数量级「{scale}」不能用于单位 {unit}",
    "number.underscore": "「{text}」中有下划线：数字请不要用下划线分隔",
    # ledger edits (planwatch.services.ledger_edits)
    "ledger.empty": "{label}不能为空",
    "ledger.target_year_missing": "第 {n} 个量化目标需要填写年份",
    "ledger.nothing_changed": "没有要修改的内容：请至少修改一项",
    "ledger.task_title_missing": "新增任务需要填写任务名称",
    "ledger.project_name_missing": "新增项目需要填写项目名称",
    "ledger.retire_reason": "请填写撤销的原因",
    "ledger.already_retired": "已撤销，无需再撤销",
    "ledger.not_retired": "未撤销，无需恢复",
    "ledger.split_parts": "拆分至少需要两项任务",
    "ledger.part_title_missing": "第 {n} 项任务需要填写名称",
    "ledger.merge_other": "任务 #{task} 不能并入：应是同一规划中的另一项任务",
    "ledger.merge_none": "请选择要并入的任务",
    "ledger.discard_stray": "进展报告 #{report} 没有与之重复的报告，不能舍弃",
    "ledger.no_plan": "没有编号为 {plan} 的规划",
    "ledger.unit_outside": "单位 #{unit} 不是规划所属地区（{region}）的单位",
    "ledger.no_subject": "任务或项目不存在",
    "ledger.report_clash": "进展报告 #{report} 与保留任务的报告重复",
    "ledger.kind": "任务类型应为 {choices} 之一",
    "ledger.years_reversed": "建设年限的结束年份不能早于开始年份",
    "ledger.role": "责任分工应为 {choices} 之一，而不是「{role}」",
    "ledger.no_unit": "没有编号为 {unit} 的单位",
    "progress.status": "进展状态应为 {choices} 之一",
    "progress.percent": "完成百分比应为 0 到 100 之间的数",
    "progress.investment": "投资额应为不小于 0 的数（万元）",
    "progress.investment_order": "本期完成投资不能大于累计完成投资",
    "progress.completed_percent": "状态为“已完成”时完成百分比应为 100",
    "progress.no_subject": "没有这个任务或项目",
    "progress.retired": "该任务或项目已撤销，不再报告进展",
    "progress.milestone": "里程碑 #{milestone} 不属于该任务或项目",
    "progress.target": "量化目标 #{target} 不属于该任务",
    "progress.target_value": "量化目标的完成值应为数字",
    "progress.subject": "请指定一个任务或一个项目",
    "progress.period": "报告期 {period} 不属于该任务所在的规划",
    "progress.unit": "请指定报告进展的责任单位",
    "progress.return_reason": "退回时请写明原因",
    "progress.no_report": "没有进展报告 #{report}",
    "progress.evidence_type": "证明材料「{name}」的类型不支持；支持 {types}",
    "progress.evidence_empty": "证明材料「{name}」是空文件",
    "progress.evidence_size": "证明材料「{name}」超过 {mb} MB",
    "period.year": "年份应在 1900–2200 之间，实际为 {year}",
    "period.quarter_and_month": "季度和月份只能填写一个",
    "period.quarter": "季度应为 1–4，实际为 {quarter}",
    "period.month": "月份应为 1–12，实际为 {month}",
    "period.window": "截止时间 {closes} 应晚于开放时间 {opens}",
    "period.exists": "规划 #{plan} 已有报告期 {code}",
    "period.locked_already": "报告期 {period} 已经锁定",
    "period.unlock_reason": "解锁报告期必须说明原因",
    "period.not_locked": "报告期 {period} 未锁定",
    "ledger.no_task": "没有编号为 {id} 的任务",
    "ledger.no_project": "没有编号为 {id} 的项目",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong, as a code and its parameters: the service's Chinese sentence and the
    UI's translation are both built from it, so the two cannot say different things."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return PROBLEMS[self.code].format(**self.params)


def problem(code: str, /, **params: Any) -> Problem:
    """A coded problem; the code must be in :data:`PROBLEMS` (checked now, not when shown)."""
    if code not in PROBLEMS:
        raise KeyError(code)
    return Problem(code, params)


def _rebuilt(cls: type[PlanWatchError], args: tuple[Any, ...], state: dict[str, Any]) -> PlanWatchError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class PlanWatchError(Exception):
    """Base of the errors PlanWatch reports to its users as one line.

    ``code`` and ``params`` name the problem for the UI's catalogue (None: the message is
    only in Chinese, shown as it is).
    """

    code: str | None = None
    params: Mapping[str, Any] = {}  # read only: instances with a code set their own

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take other arguments than they pass to Exception (a list of problems, a
        # field and a problem), so the default of calling the class with ``args`` would fail
        # or fall back to a plain base class: rebuild without __init__, every attribute kept.
        return _rebuilt, (type(self), self.args, dict(self.__dict__))


class InputError(PlanWatchError):
    """An input (a file, a form field, a cell) that cannot be used as given."""

    def __init__(self, path: str | Path, problem: str | Problem) -> None:
        self.path = str(path)
        if isinstance(problem, Problem):
            self.code, self.params = problem.code, dict(problem.params)
        self.problem = str(problem)
        super().__init__(f"{self.path}: {self.problem}")


class FieldError(InputError):
    """A value someone typed in a form that cannot be used: "字段：问题", the field named as the
    page labels it (发件人地址, 意见), so the sentence reads as the user's language."""

    def __init__(self, field: str, problem: str | Problem) -> None:
        super().__init__(field, problem)
        self.field = field
        self.args = (f"{field}：{self.problem}",)


class FieldRefused(InputError):
    """A value that is not the kind of field it was given for (a year, an amount, a date);
    ``field`` is the field's code in the form, the API or the sheet (``start_year``,
    ``targets[2].year``), which pages show by its label."""

    def __init__(self, field: str, why: Problem) -> None:
        self.field, self.why = field, why
        super().__init__(field, why)


class NotFound(PlanWatchError):
    """No such record, or none the user may see: the two are answered alike (HTTP 404), so a
    user of one district learns nothing of another's plans by trying their numbers."""
