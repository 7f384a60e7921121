"""``planwatch submit`` reads the plan from a template: no ``--plan`` needed with several plans,
a ``--plan`` naming another plan is refused naming both, CSV still needs it."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from planwatch.cli import app
from planwatch.demo import DEMO_PLAN
from planwatch.demo.seed import DEMO_ORG_UNITS
from planwatch.monitor.exchange.xlsx_template import DATA_SHEET, HEADER
from planwatch.store import Database
from tests.unit.plan_samples import TITLE, write_txt

runner = CliRunner()
QINGCHUAN = "青川区国民经济"


def _run(db: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, [*args, "--db", db], env={"PLANWATCH_PASSWORD": "secret-pass"})
    assert result.exit_code == code, result.output
    return result.output


def test_submit_reads_the_plan_from_the_template(database: Database, tmp_path: Path) -> None:
    db = database.url
    _run(db, "orgunits", "import", str(DEMO_ORG_UNITS))
    _run(db, "import", str(DEMO_PLAN))
    _run(db, "import", str(write_txt(tmp_path / "yunxi.txt")))  # a second plan: --plan is no longer implied
    # a clerk of every district, who may name the other plan (one bound to 青川区 could not see it)
    _run(db, "users", "add", "lyj", "--role", "clerk", "--org-unit", "QC-LYJ", "--region", "all")
    _run(db, "periods", "open", "--year", "2025", "--plan", QINGCHUAN)
    template = tmp_path / "lyj.xlsx"
    _run(db, "template", "--org-unit", "QC-LYJ", "--period", "2025", "--plan", QINGCHUAN, "-o", str(template))
    book = load_workbook(template)
    sheet = book[DATA_SHEET]
    sheet.cell(row=4, column=HEADER.index("本期数值") + 1, value="49.8")
    book.save(template)

    mismatch = _run(db, "submit", str(template), "--as", "lyj", "--plan", "生态环境保护", code=2)
    assert "青川区" in mismatch and TITLE in mismatch  # names both plans
    csv = tmp_path / "values.csv"
    csv.write_text(f"indicator,org_unit,period,value\n{sheet['A4'].value},QC-LYJ,2025,49.8\n", encoding="utf-8")
    assert "--plan" in _run(db, "submit", str(csv), "--as", "lyj", code=2)
    assert "1 个数值已报送" in _run(db, "submit", str(template), "--as", "lyj")
    assert "49.8" in _run(db, "review", "list", "--period", "2025", "--plan", QINGCHUAN)
