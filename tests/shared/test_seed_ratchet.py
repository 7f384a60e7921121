"""The extraction scoreboard on every file with gold in ../shared, enforced as a ratchet.

Scores come from the shared scoring tool itself, run on the JSON that the real
``planwatch extract --json`` command prints, so the test checks the public contract
end to end. Text files (seeds, plans from other provinces) are scored by line and name;
their Word and PDF renderings by name (positions in a .docx/.pdf are not text lines).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

RATCHET = json.loads((Path(__file__).parent / "ratchet.json").read_text(encoding="utf-8"))
FILES = sorted(k for k in RATCHET if not k.startswith("_"))
GOAL_STRICT, GOAL_DOC = 0.95, 0.98
GOLD_FOLDERS = ("seeds", "plans", "renderings")


def extract_json(shared: Path, relative: str, tmp_path: Path) -> Path:
    pred = tmp_path / f"{Path(relative).name}.json"
    out = subprocess.run([sys.executable, "-m", "planwatch", "extract", str(shared / relative), "--json"],
                         capture_output=True, text=True, check=True)
    pred.write_text(out.stdout, encoding="utf-8")
    return pred


def score(shared: Path, relative: str, pred: Path, *extra: str) -> str:
    by_name = ["--by-name"] if relative.startswith("renderings/") else []
    scored = subprocess.run([sys.executable, str(shared / "tools" / "score_extraction.py"), str(pred),
                             str(shared / "gold"), "--file", Path(relative).name, *by_name, *extra],
                            capture_output=True, text=True, check=True)
    return scored.stdout


@pytest.mark.parametrize("relative", FILES)
def test_extraction_holds_the_ratchet(shared: Path, relative: str, tmp_path: Path) -> None:
    if not (shared / relative).exists():
        pytest.skip(f"{relative} is not in {shared}")
    last = score(shared, relative, extract_json(shared, relative, tmp_path)).strip().splitlines()[-1]
    scores = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", last)}
    floor = RATCHET[relative]
    assert scores["strict_f1"] >= floor["strict_f1"], scores
    assert scores["doc_f1"] >= floor["doc_f1"], scores


def test_ratchet_stands_at_the_goal() -> None:
    """The bar of the extraction issues: every file at strict F1 >= 0.95 and document F1 >= 0.98."""
    for relative in FILES:
        assert RATCHET[relative]["strict_f1"] >= GOAL_STRICT, relative
        assert RATCHET[relative]["doc_f1"] >= GOAL_DOC, relative


def test_every_file_with_gold_is_in_the_ratchet(shared: Path) -> None:
    stems = {p.name.split(".")[0] for p in (shared / "gold").glob("*.indicators.jsonl")}
    present = {f"{folder}/{p.name}" for folder in GOLD_FOLDERS for p in (shared / folder).glob("*")
               if p.name.split(".")[0] in stems and p.suffix in (".txt", ".docx", ".pdf")}
    assert present <= set(FILES), f"add these to ratchet.json: {sorted(present - set(FILES))}"


@pytest.mark.parametrize("relative", [f for f in FILES if f.endswith(".txt")])
def test_gold_records_not_extracted_are_diagnosed(shared: Path, relative: str, tmp_path: Path) -> None:
    """Silence is not an answer: every gold indicator the extractor missed is near a diagnostic."""
    if not (shared / relative).exists():
        pytest.skip(f"{relative} is not in {shared}")
    pred = extract_json(shared, relative, tmp_path)
    diagnosed = {d["line"] for d in json.loads(pred.read_text(encoding="utf-8"))["diagnostics"]}
    missed = [line for line in score(shared, relative, pred, "--verbose").splitlines()
              if line.startswith("MISSED")]
    for miss in missed:
        line = int(re.match(r"MISSED\s+\S+?:(\d+)", miss).group(1))  # type: ignore[union-attr]
        assert any(abs(line - d) <= 2 for d in diagnosed), miss
