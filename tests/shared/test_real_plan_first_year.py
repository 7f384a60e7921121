"""A real district plan's first year from the command line: 黄浦区城市更新“十五五”规划 (12 targets,
10 of them amounts to achieve over 2026–2030), its departments filling their Excel templates
with the year's increments, the monitoring group approving, ``planwatch evaluate --json`` read
as a monitoring officer checks it by hand.

The plan text is the shared copy of the real plan; the org units, clerks and the 2026 figures
are made up for the test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from planwatch.cli import app
from planwatch.monitor.exchange.xlsx_template import DATA_SHEET, HEADER
from tests.shared.conftest import shared_dir

pytestmark = pytest.mark.shared
PLAN = "plans/sh_huangpu_chengshigengxin_15.txt"
runner = CliRunner()

UNITS = """代码,名称,类型,上级代码,简称
HP,黄浦区,district,,
HP-GH,黄浦区规划和自然资源局,department,HP,区规划资源局
HP-SWW,黄浦区商务委员会,department,HP,区商务委
HP-FG,黄浦区住房保障和房屋管理局,department,HP,区房管局
HP-LH,黄浦区绿化和市容管理局,department,HP,区绿化市容局
HP-SWJ,黄浦区水务局,department,HP,区水务局
HP-MF,黄浦区民防办公室,department,HP,区民防办
"""
# code → (unit, 2026 figure as the unit enters it: the year's increment, or a level)
ENTERED = {"I001": ("HP-GH", 0), "I002": ("HP-SWW", 6), "I003": ("HP-SWW", 12), "I004": ("HP-FG", 15),
           "I005": ("HP-LH", 3), "I006": ("HP-LH", 1), "I007": ("HP-FG", 45), "I008": ("HP-LH", 0.6),
           "I009": ("HP-SWJ", 52), "I010": ("HP-SWJ", 1.2), "I011": ("HP-SWJ", 1.5), "I012": ("HP-MF", 16)}
# Worked by hand: t0 = 2025, tT = 2030, time schedule s = 1/5 = 20 %; completion c = S/T of the
# running total S (one year: the 2026 increment); 预期性 正常 from c − s ≥ −10 points, 超前 ≥ +10,
# 滞后 ≥ −30; 约束性 正常 ≥ −5, 滞后 ≥ −15.
EXPECTED = {
    "I001": ("cumulative", 0.0, 0.0, "behind"),  # 片区更新数量 0/2 = 0 %: −20 → 滞后
    "I002": ("cumulative", 6.0, 0.24, "on_track"),  # 商办楼宇 6/25 = 24 %: +4
    "I003": ("cumulative", 12.0, 0.24, "on_track"),  # 商业设施面积 12/50 = 24 %
    "I004": ("cumulative", 15.0, 15 / 90, "on_track"),  # 约束性 修缮 15/90 = 16.7 %: −3.3 ≥ −5
    "I005": ("cumulative", 3.0, 0.3, "ahead"),  # 口袋公园 3/10 = 30 %: +10 → 超前
    "I006": ("cumulative", 1.0, 0.2, "on_track"),  # 附属空间开放 1/5 = 20 %
    "I007": ("level", 45.0, None, "missing_baseline"),  # 覆盖率 2027年60%: a level needs its baseline
    "I008": ("cumulative", 0.6, 0.12, "behind"),  # 约束性 新增绿化 0.6/5 = 12 %: −8 < −5 → 滞后
    "I009": ("level", 52.0, None, "missing_baseline"),  # 海绵城市面积比 80 %: a level needs its baseline
    "I010": ("cumulative", 1.2, 0.24, "on_track"),  # 供水管网 1.2/5 = 24 %
    "I011": ("cumulative", 1.5, 0.15, "on_track"),  # 排水主管 1.5/10 = 15 %: −5
    "I012": ("cumulative", 16.0, 16 / 78, "on_track"),  # 人防工程 16/78 = 20.5 %
}


def _run(db: str, *args: str) -> str:
    result = runner.invoke(app, [*args, "--db", db], env={"PLANWATCH_PASSWORD": "real-plan-2026"})
    assert result.exit_code == 0, result.output
    return result.output


def test_first_year_of_a_real_plan_evaluates_each_amount_by_its_running_total(tmp_path: Path) -> None:
    plan = shared_dir() / PLAN
    if not plan.is_file():
        pytest.skip(f"{plan} is not present")
    db = f"sqlite:///{tmp_path / 'pw.db'}"
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    _run(db, "orgunits", "import", str(tmp_path / "units.csv"))
    _run(db, "users", "add", "hp_tongji", "--role", "monitoring")
    for unit in sorted({u for u, _ in ENTERED.values()}):
        _run(db, "users", "add", f"clerk_{unit}", "--role", "clerk", "--org-unit", unit)
    assert "12 个指标" in _run(db, "import", str(plan))
    for code, (unit, _) in ENTERED.items():
        _run(db, "assign", code, unit, "--role", "牵头")
    _run(db, "periods", "open", "--year", "2026", "--opens", "2026-01-01", "--closes", "2027-03-31",
         "--as", "hp_tongji")
    for unit in sorted({u for u, _ in ENTERED.values()}):
        path = tmp_path / f"{unit}.xlsx"
        _run(db, "template", "--org-unit", unit, "--period", "2026", "-o", str(path), "--as", f"clerk_{unit}")
        book = load_workbook(path)
        for row in book[DATA_SHEET].iter_rows(min_row=4):
            code = row[0].value
            if code in ENTERED:
                assert row[HEADER.index("规划期已累计")].value == ("0" if EXPECTED[code][0] == "cumulative" else None)
                row[HEADER.index("本期数值")].value = ENTERED[code][1]
        book.save(path)
        _run(db, "submit", str(path), "--as", f"clerk_{unit}")
    assert "12 条数据已审核通过" in _run(db, "review", "approve", "--period", "2026", "--as", "hp_tongji")
    records = {r["code"]: r for r in json.loads(_run(db, "evaluate", "--year", "2026", "--json"))}
    assert set(records) == set(EXPECTED)
    for code, (kind, current, completion, status) in EXPECTED.items():
        record = records[code]
        assert (record["target_type"], record["status"]) == (kind, status), (code, record["explanation"]["text"])
        assert record["current"] == pytest.approx(current), code
        assert record["completion"] == (pytest.approx(completion) if completion is not None else None), code
        if kind == "cumulative":
            assert "不需基期值" in record["explanation"]["text"] and "缺少基期值" not in record["explanation"]["text"]
    warned = {code for code, r in records.items() if r["severity"] >= 2}
    assert warned == {"I001", "I008"}  # exactly the hand-worked 滞后
