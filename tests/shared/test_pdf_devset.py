"""The PDF development set (``scripts/pdf_devset.py``: the shared plans and seeds printed by LibreOffice
and by Chromium in the layouts of government PDFs) scored by name against the hand gold, as a ratchet.

Floors live in ``pdf_devset_ratchet.json`` (the shape of ``ratchet.json``): strict F1 and doc F1 never
lowered, the silent share never raised. A producer that is not installed here skips its files with the
reason (CI installs both). The goal (strict F1 ≥ 0.95, silent 0) is reported per file beside what the
text file itself reaches scored the same way (by name), not failed: where the text falls short, the
PDF cannot be expected to do better.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import warnings
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import across_workers
from tests.shared import scoring

REPO = Path(__file__).resolve().parents[2]
RATCHET = json.loads((Path(__file__).parent / "pdf_devset_ratchet.json").read_text(encoding="utf-8"))
GOAL = RATCHET["_goal"]
FILES = sorted(k for k in RATCHET if not k.startswith("_"))


def _devset_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pdf_devset", REPO / "scripts" / "pdf_devset.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["pdf_devset"] = module
    spec.loader.exec_module(module)
    return module


DEVSET = _devset_module()


@pytest.fixture(scope="session")
def devset(shared: Path) -> dict[str, list[Path]]:
    """The development set's PDFs by producer, generated into the cache where not there yet (by
    one worker at a time: the others find them there)."""
    with across_workers(DEVSET.cache_dir() / "build.lock"):
        built: dict[str, list[Path]] = DEVSET.build(shared)
    return built


def _pdf(devset: dict[str, list[Path]], relative: str) -> Path:
    producer, name = relative.split("/")
    reason = DEVSET.missing(producer)
    if reason is not None:
        pytest.skip(reason)
    found = [p for p in devset.get(producer, []) if p.name == name]
    if not found:
        pytest.skip(f"{name} is not among the shared plans and seeds")
    return found[0]


def _scores(shared: Path, path: Path) -> dict[str, float]:
    return scoring.scores(scoring.extraction(path, shared / "gold", shared / "tools" / "score_extraction.py", True)[1])


@pytest.mark.parametrize("relative", FILES)
def test_pdf_devset_holds_the_ratchet(shared: Path, devset: dict[str, list[Path]], relative: str) -> None:
    reached, floor = _scores(shared, _pdf(devset, relative)), RATCHET[relative]
    assert reached["strict_f1"] >= floor["strict_f1"], reached
    assert reached["doc_f1"] >= floor["doc_f1"], reached
    assert reached["silent"] <= floor["silent"], reached


def test_every_generated_pdf_is_in_the_ratchet(devset: dict[str, list[Path]]) -> None:
    generated = {f"{producer}/{path.name}" for producer, paths in devset.items() for path in paths}
    assert generated <= set(FILES), f"add these to pdf_devset_ratchet.json: {sorted(generated - set(FILES))}"


def test_pdf_devset_below_the_goal(shared: Path, devset: dict[str, list[Path]]) -> None:
    """Files below the goal are reported with their text file's figures by name, not failed."""
    assert GOAL["strict_f1"] >= 0.95 and GOAL["silent"] == 0.0
    below = []
    for relative in FILES:
        producer, name = relative.split("/")
        if DEVSET.missing(producer) is not None or not any(p.name == name for p in devset.get(producer, [])):
            continue
        reached = _scores(shared, _pdf(devset, relative))
        if reached["strict_f1"] < GOAL["strict_f1"] or reached["silent"] > GOAL["silent"]:
            stem = Path(name).stem
            text = next(p for folder in ("plans", "seeds") if (p := shared / folder / f"{stem}.txt").exists())
            by_name = _scores(shared, text)
            below.append(f"{relative}: strict_f1={reached['strict_f1']:.3f} silent={reached['silent']:.3f} "
                         f"(the .txt by name: strict_f1={by_name['strict_f1']:.3f} silent={by_name['silent']:.3f})")
    if below:
        warnings.warn("PDF development set below the goal:\n  " + "\n  ".join(below), stacklevel=1)
