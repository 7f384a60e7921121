"""DHIS2 ``dataValueSets`` JSON, the format of DHIS2's data entry import and export.

The disaggregation travels in ``categoryOptionCombo``: ``default`` for a total, otherwise
``sex=female;area=urban;age=0-17`` (only the parts that apply). A DHIS2 instance maps its
own category option combo ids to these codes in its import mapping.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from planwatch.monitor.exchange.rows import CellProblem, ExchangeError, ExchangeRow, check_row

__all__ = ["DEFAULT_COMBO", "combo_code", "from_data_value_set", "parse_combo", "to_data_value_set"]

DEFAULT_COMBO = "default"
_COMBO_KEYS = {"sex": "sex", "area": "area", "age": "age_group"}


def combo_code(row: ExchangeRow) -> str:
    parts = [f"{key}={getattr(row, field)}" for key, field in _COMBO_KEYS.items() if getattr(row, field)]
    return ";".join(parts) or DEFAULT_COMBO


def parse_combo(code: str) -> dict[str, str] | None:
    """The disaggregation fields of a combo code; None when the code is not one of ours."""
    if code in ("", DEFAULT_COMBO):
        return {}
    out = {}
    for part in code.split(";"):
        key, sep, value = part.partition("=")
        if not sep or key not in _COMBO_KEYS or not value:
            return None
        out[_COMBO_KEYS[key]] = value
    return out


def to_data_value_set(rows: Iterable[ExchangeRow], data_set: str | None = None) -> dict[str, Any]:
    values = [{"dataElement": r.indicator, "period": r.period, "orgUnit": r.org_unit,
               "categoryOptionCombo": combo_code(r), "attributeOptionCombo": DEFAULT_COMBO, "value": r.value,
               **({"comment": r.note} if r.note else {})} for r in rows]
    return {**({"dataSet": data_set} if data_set else {}), "dataValues": values}


def from_data_value_set(source: dict[str, Any] | Path) -> list[ExchangeRow]:
    """Rows of a payload (or a .json file); top-level period / orgUnit apply to values without theirs."""
    path = source if isinstance(source, Path) else Path("dataValueSets")
    payload: Any = source
    if isinstance(source, Path):
        try:
            payload = json.loads(source.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ExchangeError(path, [CellProblem(0, "", f"不是有效的 JSON：{exc}")]) from None
        except RecursionError:
            raise ExchangeError(path, [CellProblem(0, "", "不是有效的 DHIS2 数据集：JSON 嵌套层数过深")]) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("dataValues"), list):
        raise ExchangeError(path, [CellProblem(0, "dataValues", "应为 {\"dataValues\": [...]} 形式的 DHIS2 数据集")])
    rows: list[ExchangeRow] = []
    problems: list[CellProblem] = []
    for number, item in enumerate(payload["dataValues"], start=1):
        if not isinstance(item, dict):
            problems.append(CellProblem(number, "", "每个 dataValue 应为对象"))
            continue
        fields = {"dataElement": item.get("dataElement"), "period": item.get("period", payload.get("period")),
                  "orgUnit": item.get("orgUnit", payload.get("orgUnit")), "value": item.get("value")}
        bad = [k for k, v in fields.items() if not isinstance(v, str | int | float) or isinstance(v, bool)]
        problems += [CellProblem(number, k, "缺少或不是文字/数值") for k in bad]
        combo = parse_combo(str(item.get("categoryOptionCombo", DEFAULT_COMBO)))
        if combo is None:
            problems.append(CellProblem(number, "categoryOptionCombo",
                                        f"应为 default 或 sex=…;area=…;age=… 形式，实际为「{item.get('categoryOptionCombo')}」"))
        if bad or combo is None:
            continue
        row = ExchangeRow(indicator=str(fields["dataElement"]), org_unit=str(fields["orgUnit"]),
                          period=str(fields["period"]), value=str(fields["value"]), note=str(item.get("comment", "")),
                          **combo)
        problems += check_row(row, number)
        rows.append(row)
    if problems:
        raise ExchangeError(path, problems)
    return rows
