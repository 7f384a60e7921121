"""The real ``planwatch extract`` command: JSON contract, readable table, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.unit.extract_helpers import plan_text

BODY = "二、发展目标\n\n（一）主要目标。\n\n到2025年，全区森林覆盖率达到52%以上。\n"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "planwatch", *args], capture_output=True, text=True)


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
        "empty": (empty, "empty"),
        "binary": (binary, "binary"),
        "undecodable": (undecodable, "decode"),
        "truncated": (truncated, "docx"),
        "directory": (folder, "directory"),
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
    assert out.returncode == 2 and "size limit" in out.stderr and "plan.txt" in out.stderr
