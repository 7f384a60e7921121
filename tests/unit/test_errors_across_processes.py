"""Errors keep their type, fields, code and parameters across processes (issue 25).

Uploads are extracted in a worker pool and the error comes back pickled; before, every
InputError came back as a plain InputError (a RowErrors without its problems). Every subclass
of InputError in the product is built here, sent through pickle and through a real
ProcessPoolExecutor, and compared attribute by attribute.
"""

from __future__ import annotations

import importlib
import pickle
import pkgutil
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest

import planwatch
from planwatch.errors import FieldError, FieldRefused, InputError, PlanWatchError, problem
from planwatch.fields import read_year
from planwatch.monitor.exchange import CellProblem, ExchangeError
from planwatch.services.comments import CommentRejected
from planwatch.services.corrections import CorrectionError
from planwatch.services.entry_sheet import SubmitRejected
from planwatch.services.ledger_progress import ProgressRejected
from planwatch.services.ledger_replay import LedgerEditError, MergeConflict
from planwatch.services.observation_bulk import BulkRejected
from planwatch.services.observations import ValueRejected
from planwatch.services.orgunits import OrgUnitError, RowErrors
from planwatch.services.periods import PeriodInputError
from planwatch.services.reminders import ReminderRefused
from planwatch.services.settings import SettingRejected
from planwatch.text_cleaning import ControlCharacters
from planwatch.web.i18n import MESSAGES, Translator
from planwatch.web.messages import error_text

# One instance of every InputError subclass, as the services raise them.
EXAMPLES: dict[type[InputError], Callable[[], InputError]] = {
    InputError: lambda: InputError("规划.docx", "不是 Word 文件"),
    FieldError: lambda: FieldError("发件人地址", "不是电子邮件地址"),
    FieldRefused: lambda: FieldRefused("start_year", problem("field.year_range", year=3025, low=1949, high=2100)),
    ExchangeError: lambda: ExchangeError("填报.xlsx", [CellProblem(3, "本期数值", "「١٢」不是数字", sheet="填报", cell="L3")]),
    CommentRejected: lambda: CommentRejected("意见不能为空"),
    SubmitRejected: lambda: SubmitRejected(["第 2 行：不是数值", "第 5 行：单位不符"]),
    ProgressRejected: lambda: ProgressRejected("percent", "完成百分比应为 0 到 100 之间的数"),
    LedgerEditError: lambda: LedgerEditError("deadline", problem("field.not_month", text="2026年底")),
    MergeConflict: lambda: MergeConflict([("2025", "区住建委", 11, 12)]),
    BulkRejected: lambda: BulkRejected(["第 1 行 不是数值"], [(1, "不是数值")]),
    ValueRejected: lambda: ValueRejected("指标「常住人口」", "value", "「nan」不是有限数值"),
    OrgUnitError: lambda: OrgUnitError("code", "代码已被「区发改委」使用"),
    RowErrors: lambda: RowErrors("单位.xlsx", ["第 2 行：缺少名称", "第 9 行：上级不存在"]),
    PeriodInputError: lambda: PeriodInputError("opens", problem("field.not_date", text="2026-W10-1")),
    ReminderRefused: lambda: ReminderRefused("区教委", "本期已全部报送"),
    SettingRejected: lambda: SettingRejected("催报间隔", "应为 1–720 小时"),
    ControlCharacters: lambda: ControlCharacters("name", "\x07"),
}


def _subclasses(cls: type[InputError]) -> Iterator[type[InputError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_input_error_of_the_product_has_an_example_here() -> None:
    for module in pkgutil.walk_packages(planwatch.__path__, "planwatch."):
        if ".migrations" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    assert set(_subclasses(InputError)) | {InputError} == set(EXAMPLES)


def _state(error: PlanWatchError) -> tuple[type, tuple[object, ...], str, dict[str, object]]:
    return type(error), error.args, str(error), dict(vars(error))


@pytest.mark.parametrize("kind", list(EXAMPLES), ids=lambda kind: kind.__name__)
def test_an_error_survives_pickling_whole(kind: type[InputError]) -> None:
    error = EXAMPLES[kind]()
    back = pickle.loads(pickle.dumps(error))
    assert _state(back) == _state(error) and type(back) is kind
    assert (back.path, back.problem, back.code, back.params) == (error.path, error.problem, error.code, error.params)


def test_an_error_outside_the_input_family_keeps_its_fields_too() -> None:
    error = CorrectionError(problem("field.not_year", text="二〇二五"), "baseline_year")
    back = pickle.loads(pickle.dumps(error))
    assert _state(back) == _state(error) and back.code == "field.not_year" and back.field == "baseline_year"


def raise_example(name: str) -> None:
    """Runs in a worker process (module level, so the pool can find it)."""
    if name == "read_year":
        read_year("二〇二五", "baseline_year")
    raise next(error() for kind, error in EXAMPLES.items() if kind.__name__ == name)


def test_errors_come_back_from_a_worker_pool_with_their_type_and_fields() -> None:
    names = [kind.__name__ for kind in EXAMPLES] + ["read_year"]
    with ProcessPoolExecutor(max_workers=1) as pool:
        futures = {name: pool.submit(raise_example, name) for name in names}
        for name, future in futures.items():
            error = future.exception(timeout=60)
            assert isinstance(error, PlanWatchError), name
            if name == "read_year":
                assert type(error) is FieldRefused and error.field == "baseline_year"
                assert error.code == "field.not_year" and error.params == {"text": "二〇二五"}
                continue
            expected = next(e() for kind, e in EXAMPLES.items() if kind.__name__ == name)
            assert _state(error) == _state(expected), name
    rows = futures["RowErrors"].exception()
    assert isinstance(rows, RowErrors) and rows.problems == ["第 2 行：缺少名称", "第 9 行：上级不存在"]


# --- the code the UI translates ------------------------------------------------------------

def test_every_coded_problem_is_in_both_catalogues_and_the_chinese_is_the_service_sentence() -> None:
    from planwatch.errors import PROBLEMS

    for code, sentence in PROBLEMS.items():
        assert MESSAGES["zh"][f"problem.{code}"] == sentence
        english = MESSAGES["en"][f"problem.{code}"]
        assert english != sentence and not any("\u4e00" <= ch <= "\u9fff" for ch in english.replace("万", "")
                                               .replace("亿", "")), code


@pytest.mark.parametrize(("error", "zh", "en"), [
    (FieldRefused("investment_period", problem("number.foreign_digit", char="١")),
     "本期完成投资：「١」不是阿拉伯数字或汉字数字（只接受 0–9、全角数字和汉字数字）",
     "Investment this period: “١” is not a digit PlanWatch reads (0–9, full-width digits or Chinese numerals)"),
    (LedgerEditError("targets[2].year", problem("field.year_range", year=3025, low=1949, high=2100)),
     "量化目标年份（2）：年份 3025 不在 1949–2100 之间", "Target year (2): the year 3025 is not between 1949 and 2100"),
    (PeriodInputError("closes", problem("field.not_date", text="2026-02-30")),
     "截止日期：应为日期 YYYY-MM-DD（如 2026-03-31），而不是「2026-02-30」",
     "Closing date: expected a date as YYYY-MM-DD (such as 2026-03-31), not “2026-02-30”"),
])
def test_a_coded_refusal_reads_in_the_page_language_naming_the_field(error: PlanWatchError, zh: str,
                                                                     en: str) -> None:
    assert error_text(error, Translator("zh")) == zh
    assert error_text(error, Translator("en")) == en


def test_an_uncoded_refusal_stays_the_service_sentence_with_its_field_labelled() -> None:
    error = ProgressRejected("percent", "完成百分比应为 0 到 100 之间的数")
    assert error.code is None
    assert error_text(error, Translator("en")) == "Per cent done：完成百分比应为 0 到 100 之间的数"
