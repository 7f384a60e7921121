"""The database commands as a user types them: import, org units, users, assign, periods,
evaluate, backup and restore; bad input is one line and exit code 2 with nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from planwatch.cli import app
from planwatch.demo import DEMO_PLAN
from planwatch.demo.seed import DEMO_ORG_UNITS

runner = CliRunner()


def _run(db: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, [*args, "--db", db], env={"PLANWATCH_PASSWORD": "secret-pass"})
    assert result.exit_code == code, result.output
    return result.output


def test_monitoring_round_from_the_command_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'pw.db'}"
    assert "新增 18 个单位" in _run(db, "orgunits", "import", str(DEMO_ORG_UNITS))
    assert "22 个指标" in _run(db, "import", str(DEMO_PLAN))
    assert "已导入过" in _run(db, "import", str(DEMO_PLAN))
    assert "已创建" in _run(db, "users", "add", "lyj", "--role", "clerk", "--org-unit", "区林业局")
    assert "lyj" in _run(db, "users", "list")
    assert "已设为配合单位" in _run(db, "assign", "森林覆盖率", "QC-STJ", "--role", "配合")
    assert "青川区生态环境局" in _run(db, "assign")
    assert "2024：填报窗口 2025-01-05 至 2025-03-01" in _run(
        db, "periods", "open", "--year", "2024", "--opens", "2025-01-05", "--closes", "2025-03-01")
    assert "2024 已锁定" in _run(db, "periods", "lock", "--year", "2024")
    records = json.loads(_run(db, "evaluate", "--year", "2024", "--json"))
    assert len(records) == 22 and {r["status"] for r in records} <= {"no_data", "not_quantifiable"}
    assert all({"indicator_id", "name", "status", "completion", "schedule", "explanation", "code"} <= r.keys()
               for r in records)
    snapshot = tmp_path / "snap.jsonl.gz"
    assert "张表" in _run(db, "backup", str(snapshot))
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert "已恢复" in _run(other, "restore", str(snapshot))
    assert json.loads(_run(other, "evaluate", "--year", "2024", "--json")) == records


def test_bad_input_is_one_line_and_changes_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'pw.db'}"
    _run(db, "import", str(DEMO_PLAN))
    bad = tmp_path / "units.csv"
    bad.write_text("代码,名称,类型\nX,某单位,省\n", encoding="utf-8")
    output = _run(db, "orgunits", "import", str(bad), code=2)
    assert "units.csv" in output and "类型" in output and "Traceback" not in output
    assert "没有代码或名称为「区林业局」的单位" in _run(db, "users", "add", "lyj", "--role", "clerk",
                                                 "--org-unit", "区林业局", code=2)
    assert "lyj" not in _run(db, "users", "list")
    assert "没有" in _run(db, "periods", "lock", "--year", "2030", code=2)
    assert "没有唯一匹配「不存在的规划」的规划" in _run(db, "evaluate", "--year", "2024", "--plan", "不存在的规划",
                                                    code=2)
    assert "不支持的数据库：mysql" in _run("mysql://u@h/db", "evaluate", "--year", "2024", code=2)
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert "empty.txt" in _run(db, "import", str(empty), str(DEMO_PLAN), code=2)


def test_a_long_org_unit_list_comes_as_tab_separated_lines(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'pw.db'}"
    _run(db, "orgunits", "import", str(DEMO_ORG_UNITS))
    short = _run(db, "orgunits", "list")
    assert "┃ 代码" in short and "\t" not in short  # a table while it is short
    table = tmp_path / "units.csv"
    table.write_text("代码,名称,类型,上级代码\n" + "".join(f"V{n:03d},青川区基层站{n:03d},其他,QC\n" for n in range(250)),
                     encoding="utf-8")
    _run(db, "orgunits", "import", str(table))
    lines = _run(db, "orgunits", "list").splitlines()
    assert lines[0] == "代码\t名称\t类型\t上级\t简称" and len(lines) == 1 + 18 + 250
    assert "V007\t青川区基层站007\tother\t青川区\t" in lines
