"""The real ``planwatch extract`` command: JSON contract, readable table, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planwatch.cli import app
from tests.unit.extract_helpers import plan_text

BODY = "二、发展目标\n\n（一）主要目标。\n\n到2025年，全区森林覆盖率达到52%以上。\n"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """``planwatch *args`` in process (typer's runner): its exit code, stdout and stderr apart."""
    result = CliRunner().invoke(app, list(args))
    return subprocess.CompletedProcess(["planwatch", *args], result.exit_code, result.stdout, result.stderr)


def test_json_follows_the_public_record_format(tmp_path: Path) -> None:
    plan = tmp_path / "青川规划.txt"
    plan.write_text(plan_text("林业发展规划（2021—2025年）", BODY), encoding="utf-8")
    out = run("extract", str(plan), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    # the SPEC's two keys, what was not read, the plan's ledger of tasks and projects, and how each file was read
    assert set(data) == {"documents", "indicators", "diagnostics", "tasks", "projects", "sources"}
    assert data["diagnostics"] == []
    assert data["sources"] == [{"file": "青川规划.txt", "format": "txt", "pages": 0, "ocr_pages": [],
                                "ocr_engine": None, "unread_pages": []}]
    [doc] = data["documents"]
    assert set(doc) == {"file", "start_line", "end_line", "title", "doc_number", "issuer", "date", "attached_plans"}
    assert doc["file"] == "青川规划.txt" and doc["doc_number"] == "云溪府发〔2025〕4号"
    [ind] = data["indicators"]
    assert {"file", "line", "plan", "name", "unit", "domain", "attribute", "baseline_year", "baseline", "targets",
            "kind"} <= set(ind)
    assert ind["targets"] == [{"year": 2025, "text": "达到52%以上", "value": 52.0, "comparator": ">=",
                              "target_type": "level"}]
    assert plan.read_text(encoding="utf-8").splitlines()[ind["line"] - 1].endswith("达到52%以上。")


def test_default_is_the_bundled_demo_plan() -> None:
    out = run("extract")
    assert out.returncode == 0, out.stderr
    assert "qingchuan_plan.txt" in out.stdout and "森林覆盖率" in out.stdout


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    undecodable = tmp_path / "latin.txt"
    undecodable.write_bytes("Entwicklungsplan für".encode("latin-1") + b"\xff\xfe\x81\x30")
    truncated = tmp_path / "truncated.docx"
    truncated.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document>" + " " * (110 * 1024 * 1024) + "</w:document>")
    return {
        "empty": (empty, "空的"),
        "binary": (binary, "二进制"),
        "undecodable": (undecodable, "解码"),
        "truncated": (truncated, "docx"),
        "directory": (folder, "文件夹"),
        "zip bomb": (bomb, "docx"),
    }


@pytest.mark.parametrize("case", ["empty", "binary", "undecodable", "truncated", "directory", "zip bomb"])
def test_bad_input_is_one_line_exit_2_and_good_files_still_run(tmp_path: Path, case: str) -> None:
    bad, word = _bad_inputs(tmp_path)[case]
    good = tmp_path / "good.txt"
    good.write_text(plan_text("林业发展规划（2021—2025年）", BODY), encoding="utf-8")
    out = run("extract", str(bad), str(good), "--json")
    assert out.returncode == 2
    errors = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, out.stderr
    assert str(bad.name) in errors[0] and word in errors[0].lower()
    assert "Traceback" not in out.stderr
    data = json.loads(out.stdout)
    assert [d["file"] for d in data["documents"]] == ["good.txt"]


def test_size_limit_is_configurable(tmp_path: Path) -> None:
    plan = tmp_path / "plan.txt"
    plan.write_text(plan_text("林业发展规划（2021—2025年）", BODY), encoding="utf-8")
    out = run("extract", str(plan), "--max-bytes", "100")
    assert out.returncode == 2 and "大小上限" in out.stderr and "plan.txt" in out.stderr


def test_readable_tables_fit_80_columns_and_show_the_front_matters_number(tmp_path: Path) -> None:
    """Names wrap instead of being cut at an 80-column terminal; a scraped text whose printed
    notice has no 发文字号 shows the one its front matter gives, marked, and the JSON does not."""
    from tests.unit import plan_samples

    plain = plan_samples.write_txt(tmp_path / "plain.txt").read_text(encoding="utf-8")
    no_number = "\n".join(line for line in plain.splitlines() if "〕" not in line)
    path = tmp_path / "云溪规划.txt"
    path.write_text(plan_samples.SCRAPED_HEADER + no_number + "\n表2 长名称指标\n指标名称\t单位\t2025年\n"
                    "城乡居民基本养老保险和城镇职工基本养老保险参保率合计\t%\t≥98\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "planwatch", "extract", str(path)], capture_output=True, text=True,
                         env={**__import__("os").environ, "COLUMNS": "80"})
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert max(len(line) + sum(1 for ch in line if ord(ch) > 0x2e80) for line in lines) <= 80
    assert "…" not in out.stdout
    joined = "".join(line.split("│")[2].strip() for line in lines if line.count("│") >= 8)
    for name in ("地表水国控断面水质优良比例", "城乡居民基本养老保险和城镇职工基本养老保险参保率合计"):
        assert name in joined
    numbers = "".join(line.split("│")[2].strip() for line in lines if line.count("│") == 5)  # 公文 table
    assert numbers == "云府发〔2021〕8号*" and "取自文件开头的来源信息" in out.stdout
    data = json.loads(run("extract", str(path), "--json").stdout)
    assert [d["doc_number"] for d in data["documents"]] == [None]  # the contract follows the printed text
