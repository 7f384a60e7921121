"""The shared scorer run on what the real ``planwatch extract --json`` prints for a file: the public
contract end to end. Each file is extracted and scored once per session."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path


@cache
def extraction(path: Path, gold: Path, scorer: Path, by_name: bool) -> tuple[dict[str, object], str]:
    """The command's JSON for one file and the scorer's verbose report on it (by name for a Word or PDF
    rendering of an annotated text: positions in a .docx/.pdf are not text lines)."""
    out = subprocess.run([sys.executable, "-m", "planwatch", "extract", str(path), "--json"],
                         capture_output=True, text=True, check=True)
    with tempfile.TemporaryDirectory() as folder:
        pred = Path(folder) / f"{path.name}.json"
        pred.write_text(out.stdout, encoding="utf-8")
        scored = subprocess.run([sys.executable, str(scorer), str(pred), str(gold), "--file", path.name,
                                 *(["--by-name"] if by_name else []), "--verbose"],
                                capture_output=True, text=True, check=True)
    return json.loads(out.stdout), scored.stdout


def scores(report: str) -> dict[str, float]:
    """The summary line's figures: strict_f1, detect_f1, doc_f1, silent."""
    last = report.strip().splitlines()[-1]
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", last)}
