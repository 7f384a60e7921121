"""Messages as a person reads them: the field by its label in the page's language, never its code.

The services name the field of a problem for scripts (``org_unit：没有代码…``, the API's
``detail``), and FastAPI's own validation answers in English JSON (``Field required``).
Every error page passes through :func:`readable` (see :mod:`planwatch.web.errors`), and a
form the browser posted with a missing or malformed field is answered by
:func:`form_message` on the error page, in Chinese, naming each field by its label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from planwatch.errors import InputError, PlanWatchError
from planwatch.web.i18n import MESSAGES, Translator

__all__ = ["error_text", "field_label", "form_message", "problem_text", "readable", "refusal_text"]

# A field code at the start of a message, of one of its "；"-separated problems or after a
# Chinese word (``报告期 opens: …``): ``org_unit：``, ``--as：``, ``file: `` (the ASCII colon
# only when a space follows, so that times and URLs are left alone).
_CODE: Final = re.compile(r"(^|[；;\n]\s*|[\u3400-\u9fff]\s+)(--)?([a-z]+(?:[_/-][a-z]+)*)(?:：|: )")


def field_label(name: str, t: Translator) -> str | None:
    """The label of a form field or service field code, None when the catalogue has none."""
    key = f"field.{name.replace('-', '_')}"
    return t(key) if key in MESSAGES["zh"] else None


def readable(text: str, t: Translator) -> str:
    """``text`` with each leading field code replaced by the field's label (dropped when the
    catalogue has no label: the sentence after it names the field in words already)."""

    def label(match: re.Match[str]) -> str:
        found = field_label(match.group(3), t)
        return f"{match.group(1)}{found}：" if found else match.group(1)

    return _CODE.sub(label, text)


_INDEX: Final = re.compile(r"\[([^\]]*)\]")


def error_text(error: PlanWatchError, t: Translator) -> str:
    """A service's refusal in the page's language. A coded problem (:class:`planwatch.errors.Problem`)
    comes from the catalogue (``problem.<code>``) after its field's label (``targets[2].year`` →
    量化目标年份（2）); one without a code is the service's Chinese sentence, its field code labelled."""
    return _coded(error, t) or readable(str(error), t)


def refusal_text(error: InputError, t: Translator) -> str:
    """The refusal a form shows above the fields typed: as :func:`error_text`, except that a
    problem without a code is the service's sentence alone (it names the field in words)."""
    return _coded(error, t) or error.problem


# A field reader's problem is about the value typed (「x」不是数字) and is said after the field's
# label; a service's problem is a sentence of its own (完成百分比应为 0 到 100 之间的数).
_VALUE_PROBLEMS: Final = ("field.", "number.")


def _coded(error: PlanWatchError, t: Translator) -> str | None:
    if error.code is None or f"problem.{error.code}" not in MESSAGES["zh"]:
        return None
    text = t(f"problem.{error.code}", **error.params)
    field = getattr(error, "field", None) or (error.path if isinstance(error, InputError) else "")
    if not field or not error.code.startswith(_VALUE_PROBLEMS):
        return text
    label = field_label(_INDEX.sub("", field).replace(".", "_"), t) or field
    where = ", ".join(_INDEX.findall(field))
    colon, left, right = ("：", "（", "）") if t.language == "zh" else (": ", " (", ")")
    if where and label != field:
        label = f"{label}{left}{where}{right}"
    return f"{label}{colon}{text}"


# Pydantic's error types → the catalogue's problem key; the error's ``ctx`` fills the limits in.
_PROBLEMS: Final[Mapping[str, str]] = {
    "missing": "missing", "int_parsing": "int", "int_type": "int", "int_from_float": "int",
    "float_parsing": "number", "float_type": "number", "finite_number": "finite",
    "greater_than_equal": "min", "greater_than": "min", "less_than_equal": "max", "less_than": "max",
    "string_too_long": "too_long", "string_too_short": "too_short", "too_short": "too_short",
    "too_long": "too_many", "bool_parsing": "bool", "bool_type": "bool", "string_type": "string",
    "literal_error": "choice", "enum": "choice", "string_pattern_mismatch": "pattern", "json_invalid": "json",
    "model_type": "object", "model_attributes_type": "object", "dict_type": "object", "list_type": "list",
    "extra_forbidden": "extra", "control_character": "control", "value_error": "other",
    "date_parsing": "date", "date_from_datetime_parsing": "date", "datetime_parsing": "date",
    "datetime_from_date_parsing": "date",
}


def problem_text(error: Mapping[str, Any], t: Translator) -> str:
    """What is wrong with one field, in the page's language, its limits filled in."""
    kind = _PROBLEMS.get(str(error.get("type")), "other")
    context = {k: str(v) for k, v in (error.get("ctx") or {}).items() if isinstance(v, str | int | float)}
    if kind == "choice" and "expected" not in context:
        kind = "other"
    if kind == "too_short" and context.get("min_length") == "1":
        kind = "empty"
    return t(f"input.problem.{kind}", **context) if _fills(t(f"input.problem.{kind}"), context) \
        else t("input.problem.other")


def _fills(template: str, context: Mapping[str, str]) -> bool:
    try:
        template.format(**context)
    except (KeyError, IndexError, ValueError):
        return False
    return True


def form_message(errors: Iterable[Mapping[str, Any]], t: Translator) -> str:
    """FastAPI's validation errors of a form as one sentence per field, in the page's language."""
    errors = list(errors)
    colon, between = ("：", "；") if t.language == "zh" else (": ", "; ")
    parts: list[str] = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if not isinstance(part, int)]
        where = location[0] if location else ""
        name = location[-1] if location else ""
        label = field_label(name, t) if name else None
        if where == "path":
            label = t("validation.address")
        sentence = f"{label or t('validation.some_field')}{colon}{problem_text(error, t)}"
        if sentence not in parts:
            parts.append(sentence)
    body = all(str((error.get("loc") or ("body",))[0]) == "body" for error in errors)
    return t("validation.intro" if body else "validation.intro_address") + between.join(parts)
