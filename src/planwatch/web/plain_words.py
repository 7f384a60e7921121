"""The evaluation in words a leader reads at a glance; the formulas stay one click away.

The evaluation explains each result with every computation spelled out
(完成进度=(54−45)/(60−45)=60.0%; see :mod:`planwatch.evaluate.explain`), which a reviewer
needs and a leader skips. Pages show :func:`plain_reason` — one sentence with the numbers
that matter — and keep the full explanation behind a disclosure. :func:`help_terms` is the
in-page help on 完成进度, 时间进度, the status rules and the warning list, each one sentence
with its formula behind a disclosure, the bands taken from the evaluation's own settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from planwatch.evaluate import EvaluationResult, Status
from planwatch.evaluate.models import PlanConfig
from planwatch.web.i18n import Translator

__all__ = ["HELP_TERMS", "HelpTerm", "help_term", "help_terms", "plain_reason"]

HELP_TERMS = ("completion", "schedule", "status", "warnings")


@dataclass(frozen=True, slots=True)
class HelpTerm:
    key: str
    title: str
    sentence: str
    formula: str


def help_term(key: str, t: Translator) -> HelpTerm:
    """One term's help (see :func:`help_terms`); pages call it as ``help_term("status")``."""
    return help_terms(t)[key]


def help_terms(t: Translator) -> dict[str, HelpTerm]:
    """The help of each term, with the status bands of :class:`PlanConfig` in points."""
    config = PlanConfig()
    bands = {"ahead": _points(config.expected.ahead), "tolerance": _points(config.expected.tolerance),
             "serious": _points(config.expected.serious), "binding_ahead": _points(config.binding.ahead),
             "binding_tolerance": _points(config.binding.tolerance),
             "binding_serious": _points(config.binding.serious)}
    return {key: HelpTerm(key, t(f"help.{key}.title"), t(f"help.{key}.sentence", **bands),
                          t(f"help.{key}.formula", **bands)) for key in HELP_TERMS}


def _points(fraction: float) -> str:
    return f"{fraction * 100:g}"


def _percent(fraction: float | None) -> str:
    return "—" if fraction is None else f"{fraction * 100:.0f}%"


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text or "0"


def plain_reason(result: EvaluationResult, t: Translator) -> str:
    """Why the indicator is in its state, in one sentence without formulas."""
    status = result.status
    if status == Status.NO_DATA:
        return t("plain.no_data", year=result.year)
    if status == Status.MISSING_BASELINE:
        return t("plain.missing_baseline")
    if status == Status.NOT_QUANTIFIABLE:
        return t("plain.not_quantifiable")
    if status == Status.COMPLETED:
        return t("plain.completed", year=result.data_year or result.year)
    if result.completion is not None and result.required_progress is not None:
        gap = (result.completion - result.required_progress) * 100
        if result.completion < 0:
            return t("plain.wrong_way", year=result.data_year or result.year)
        key = "plain.ahead" if gap >= 0 else "plain.behind"
        return t(key, year=result.data_year or result.year, completion=_percent(result.completion),
                 required=_percent(result.required_progress), gap=f"{abs(gap):.0f}")
    if result.current is not None and result.target is not None:
        return t("plain.short_of_target", year=result.data_year or result.year, current=_number(result.current),
                 target=_number(result.target))
    return t("plain.status_only", status=status.label_zh if t.language == "zh" else status.label_en)
