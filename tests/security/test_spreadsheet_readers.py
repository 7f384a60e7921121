"""Issue 24 (#9, #10, formula cells): one way to open an uploaded workbook or Office package.

An .xlsx with a DTD ended in a 500 on the entry upload, the org-unit import and the
assignment upload, and in a traceback from ``planwatch submit``; a 2-million-row .xlsx in
a traceback too. Both are refused now by the one package check and the one workbook
opener, in one line naming the part or the sheet — tested here through every reader, with
a small configured row limit standing in for two million rows. The last test keeps it so:
no module but the opener loads a workbook.
"""

from __future__ import annotations

import ast
import io
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from planwatch.cli import app as cli
from planwatch.errors import InputError
from planwatch.ingest.docx_reader import read_docx
from planwatch.monitor.exchange import read_template
from planwatch.monitor.exchange.xlsx_template import DATA_SHEET, HEADER
from planwatch.services.orgunits import read_org_unit_file
from planwatch.web import create_app
from tests.db.exchange_district import db
from tests.web.client import login
from tests.web.conftest import database_url, seeded

__all__ = ["database_url", "db", "seeded"]

SRC = Path(__file__).resolve().parents[2] / "src" / "planwatch"
DTD = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>\n'


def _with_dtd(data: bytes, part: str) -> bytes:
    """The package with a DTD put before the root element of ``part``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == part:
                content = DTD + (content.split(b"?>", 1)[1] if content.startswith(b"<?xml") else content)
            target.writestr(item, content)
    return out.getvalue()


def _units_xlsx(rows: int = 3) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["代码", "名称", "类型", "上级代码"])
    for n in range(rows):
        sheet.append([f"QC-T{n}", f"测试单位{n}", "部门", ""])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def test_a_dtd_in_any_part_is_refused_by_every_reader(tmp_path: Path) -> None:
    units = tmp_path / "units.xlsx"
    for part in ("xl/worksheets/sheet1.xml", "[Content_Types].xml", "xl/workbook.xml"):
        units.write_bytes(_with_dtd(_units_xlsx(), part))
        with pytest.raises(InputError, match="含有 DTD"):
            read_org_unit_file(units)
        with pytest.raises(InputError, match="含有 DTD"):
            read_template(units)
    from docx import Document

    document = Document()
    document.add_paragraph("到2025年，森林覆盖率达到50%。")
    plain = tmp_path / "plan.docx"
    document.save(str(plain))
    spoiled = tmp_path / "spoiled.docx"
    spoiled.write_bytes(_with_dtd(plain.read_bytes(), "word/document.xml"))
    with pytest.raises(InputError, match="含有 DTD"):
        read_docx(spoiled, spoiled.read_bytes())
    assert read_docx(plain, plain.read_bytes())  # the same file without the DTD reads


def test_a_utf16_part_with_a_dtd_is_refused_too(tmp_path: Path) -> None:
    """The check is a parser's, not a byte search: another encoding does not hide the DTD."""
    data = _units_xlsx()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = content.decode().split("?>", 1)[-1]
                content = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]>' + body).encode("utf-16")
            target.writestr(item, content)
    units = tmp_path / "units.xlsx"
    units.write_bytes(out.getvalue())
    with pytest.raises(InputError, match="含有 DTD"):
        read_org_unit_file(units)


def test_uploads_with_a_dtd_get_a_one_line_422_not_a_500(database_url: str) -> None:
    spoiled = _with_dtd(_units_xlsx(), "xl/worksheets/sheet1.xml")
    with TestClient(create_app(database_url, secret_key="dtd")) as client:
        token = login(client, "admin")
        xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        for url in ("/admin/orgunits/import", "/plans/1/assignments/upload"):
            response = client.post(url, files={"file": ("t.xlsx", spoiled, xlsx)}, data={"csrf_token": token})
            assert response.status_code == 422 and "含有 DTD" in response.text, url
        login(client, "lyj")
        token = login(client, "lyj")
        response = client.post("/entry/upload", files={"file": ("t.xlsx", spoiled, xlsx)}, data={"csrf_token": token})
        assert response.status_code == 422 and "含有 DTD" in response.text


def test_submit_of_a_sheet_over_the_row_limit_is_one_line(db: str, tmp_path: Path) -> None:
    """#10 with a limit of 50 rows standing in for two million."""
    path = tmp_path / "long.xlsx"
    path.write_bytes(_units_xlsx(rows=60))
    result = CliRunner().invoke(cli, ["submit", str(path), "--as", "lyj", "--db", db], env={"PLANWATCH_MAX_SHEET_ROWS": "50"})
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "超过 50 行" in result.output
    units = tmp_path / "units.xlsx"
    units.write_bytes(_units_xlsx(rows=60))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PLANWATCH_MAX_SHEET_ROWS", "50")
        with pytest.raises(InputError, match="超过 50 行"):
            read_org_unit_file(units)
    assert len(read_org_unit_file(units)) == 60  # the default limit takes it


def test_formula_cells_in_a_template_are_named_and_not_imported(db: str, tmp_path: Path) -> None:
    """A value typed as =49.5+0.1 is not imported, and the clerk is told which cell and why
    (it used to be "已导入 0 个数值" and silence); the template's other cells still are."""
    template = tmp_path / "t.xlsx"
    result = CliRunner().invoke(cli, ["template", "--org-unit", "QC-LYJ", "--period", "2025", "-o", str(template),
                                      "--db", db])
    assert result.exit_code == 0, result.output
    book = load_workbook(template)
    sheet = book[DATA_SHEET]
    value = HEADER.index("本期数值") + 1
    sheet.cell(row=4, column=value).value = "=49.5+0.1"  # openpyxl stores it as a formula, as Excel would
    book.save(template)
    formula_cell = sheet.cell(row=4, column=value).coordinate
    assert read_template(template).ignored == (f"{DATA_SHEET}!{formula_cell}（=49.5+0.1）",)
    submitted = CliRunner().invoke(cli, ["submit", str(template), "--as", "lyj", "--db", db])
    assert submitted.exit_code == 0, submitted.output
    assert "0 个数值已报送" in submitted.output
    assert f"{DATA_SHEET}!{formula_cell}（=49.5+0.1）" in submitted.output and "公式" in submitted.output


def test_formula_cells_in_a_unit_table_are_refused_by_cell(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["代码", "名称", "类型"])
    sheet.append(["QC-A", '=CONCAT("区","卫健委")', "部门"])
    path = tmp_path / "units.xlsx"
    book.save(path)
    with pytest.raises(InputError, match=r"单元格 B2.*是公式"):
        read_org_unit_file(path)


def test_only_the_opener_loads_workbooks_or_parses_office_packages() -> None:
    """Row limits, the DTD check and formula handling hold for a reader added later only if it
    opens workbooks the one way: name any other module that calls load_workbook."""
    callers = []
    for module in SRC.rglob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name == "load_workbook":
                    callers.append(str(module.relative_to(SRC)))
    assert callers == ["ingest/containers.py"]
