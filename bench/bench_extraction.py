"""Extraction quality and speed on a folder of plans, file by file, scored against the shared hand gold.

Run: .venv/bin/python bench/bench_extraction.py [FOLDER_OR_FILE…] [--gold DIR] [--no-devset]

Default: ``../shared/plans``, ``../shared/seeds``, ``../shared/renderings`` and the PDF development set
(``scripts/pdf_devset.py``: every plan and seed printed by LibreOffice and by Chromium, generated
into its cache folder when not there yet). For each file it prints the indicators and diagnostics
extracted, and where gold exists (``<stem>.indicators.jsonl`` in the gold folder) the gold targets,
the misses, the silent misses (neither found nor diagnosed), strict F1 — scored by the shared
scorer, by line for text files and by name for Word and PDF files — and the pages, the pages read by
OCR and the seconds (CPU time of this process and its children, after imports: the machine is shared).
The last line sums up: pooled strict precision, recall and F1 over the files with gold, the silent
share, the files at strict F1 ≥ 0.8, and the speeds against their goals (text ≥ 2 MB/s, Word ≥ 1 MB/s,
PDF with a text layer ≥ 20 pages/s; OCR pages/s reported).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import re
import resource
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from planwatch.errors import PlanWatchError
from planwatch.extract import extract_source
from planwatch.ingest import SourceText, read_source

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PLANWATCH_SHARED", REPO.parent / "shared"))
GOALS = {"text": 2.0, "docx": 1.0, "pdf": 20.0}  # MB/s, MB/s, pages/s
_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")


@dataclass
class Figures:
    label: str
    format: str
    size: int
    indicators: int
    diagnostics: int
    pages: int
    ocr_pages: int
    seconds: float
    gold: int | None = None
    predicted: int = 0
    strict: int = 0
    missed: int = 0
    silent: int = 0
    strict_f1: float | None = None


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _score(scorer: ModuleType, payload: dict[str, object], name: str, gold: Path, by_name: bool) -> dict[str, float]:
    """The shared scorer's figures for one file: gold, predicted, matched, strict P/R/F1, silent."""
    with tempfile.TemporaryDirectory(prefix="planwatch-bench-") as folder:
        pred = Path(folder) / f"{name}.json"
        pred.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            scorer.main([str(pred), str(gold), "--file", name, *(["--by-name"] if by_name else [])])
    report = out.getvalue()
    counts = re.search(r"gold=(\d+) predicted=(\d+) matched=(\d+)", report)
    strict = re.search(r"strict\s+P=([\d.]+) R=([\d.]+) F1=([\d.]+)", report)
    silent = re.search(r"neither found nor diagnosed\): (\d+) of", report)
    if counts is None or strict is None or silent is None:
        raise RuntimeError(f"unexpected scorer output for {name}:\n{report}")
    gold_n, predicted, matched = map(int, counts.groups())
    return {"gold": gold_n, "predicted": predicted, "matched": matched, "recall": float(strict.group(2)),
            "f1": float(strict.group(3)), "silent": int(silent.group(1))}


def measure(path: Path, label: str, scorer: ModuleType | None, gold: Path) -> Figures:
    start = _cpu()
    source: SourceText = read_source(path)
    extraction = extract_source(source)
    seconds = _cpu() - start
    figures = Figures(label, source.format, path.stat().st_size, len(extraction.indicators),
                      len(extraction.diagnostics), source.pages, len(source.ocr_pages), seconds)
    if scorer is None or not (gold / f"{path.stem}.indicators.jsonl").exists():
        return figures
    payload = {"documents": [d.to_json() for d in extraction.documents],
               "indicators": [i.to_json() for i in extraction.indicators],
               "diagnostics": [d.to_json() for d in extraction.diagnostics]}
    scored = _score(scorer, payload, path.name, gold, by_name=source.format not in ("txt", "md"))
    figures.gold, figures.predicted = int(scored["gold"]), int(scored["predicted"])
    figures.strict = round(scored["recall"] * scored["gold"])
    figures.missed = int(scored["gold"] - scored["matched"])
    figures.silent, figures.strict_f1 = int(scored["silent"]), scored["f1"]
    return figures


def _inputs(args: list[str], devset: bool) -> list[tuple[Path, str]]:
    # The shared folders hold notes (README.md, SOURCES.md) beside the plans: only what has gold is read there.
    roots = [(Path(a), _SUFFIXES) for a in args] if args else [
        (SHARED / "plans", (".txt",)), (SHARED / "seeds", (".txt",)), (SHARED / "renderings", (".docx", ".pdf"))]
    found: list[tuple[Path, str]] = []
    for root, suffixes in roots:
        files = sorted(p for p in root.iterdir() if p.suffix.lower() in suffixes) if root.is_dir() else [root]
        found.extend((p, f"{p.parent.name}/{p.name}") for p in files)
    if devset and not args:
        pdf_devset = _load(REPO / "scripts" / "pdf_devset.py", "pdf_devset")
        for producer in pdf_devset.PRODUCERS:
            reason = pdf_devset.missing(producer)
            if reason is not None:
                print(f"dev set {producer}: skipped: {reason}", file=sys.stderr)
        for producer, paths in pdf_devset.build(SHARED).items():
            found.extend((p, f"{producer}/{p.name}") for p in paths)
    return found


def _rate(amount: float, seconds: float) -> float:
    return amount / seconds if seconds > 0 else 0.0


def main() -> int:
    argv = sys.argv[1:]
    gold = Path(argv[argv.index("--gold") + 1]) if "--gold" in argv else SHARED / "gold"
    args = [a for i, a in enumerate(argv) if not a.startswith("--") and (i == 0 or argv[i - 1] != "--gold")]
    inputs = _inputs(args, "--no-devset" not in argv)
    if not inputs:
        print("no plan files found", file=sys.stderr)
        return 2
    scorer_path = SHARED / "tools" / "score_extraction.py"
    scorer = _load(scorer_path, "score_extraction") if scorer_path.exists() and gold.is_dir() else None
    read_source(inputs[0][0])  # warm imports
    print(f"{'file':44} {'ind':>4} {'diag':>4} {'gold':>4} {'miss':>4} {'sil':>4} {'F1':>5} "
          f"{'pages':>5} {'ocr':>4} {'s':>6}")
    rows: list[Figures] = []
    for path, label in inputs:
        try:
            figures = measure(path, label, scorer, gold)
        except PlanWatchError as exc:
            print(f"{label}: error: {exc}")
            continue
        rows.append(figures)
        scored = figures.gold is not None
        print(f"{label[:44]:44} {figures.indicators:4} {figures.diagnostics:4} "
              f"{figures.gold if scored else '-':>4} {figures.missed if scored else '-':>4} "
              f"{figures.silent if scored else '-':>4} "
              f"{f'{figures.strict_f1:.3f}' if figures.strict_f1 is not None else '-':>5} "
              f"{figures.pages or '-':>5} {figures.ocr_pages or '-':>4} {figures.seconds:6.2f}", flush=True)
    print(_summary(rows))
    return 0


def _summary(rows: list[Figures]) -> str:
    scored = [r for r in rows if r.gold is not None]
    gold = sum(r.gold or 0 for r in scored)
    predicted = sum(r.predicted for r in scored)
    strict = sum(r.strict for r in scored)
    precision, recall = _rate(strict, predicted), _rate(strict, gold)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    good = sum(1 for r in scored if (r.strict_f1 or 0.0) >= 0.8)
    text = [r for r in rows if r.format in ("txt", "md")]
    word = [r for r in rows if r.format == "docx"]
    layer = [r for r in rows if r.format == "pdf" and not r.ocr_pages]
    ocr = [r for r in rows if r.format == "pdf" and r.ocr_pages]
    text_speed = _rate(sum(r.size for r in text) / 1e6, sum(r.seconds for r in text))
    word_speed = _rate(sum(r.size for r in word) / 1e6, sum(r.seconds for r in word))
    pdf_speed = _rate(sum(r.pages for r in layer), sum(r.seconds for r in layer))
    ocr_speed = _rate(sum(r.ocr_pages for r in ocr), sum(r.seconds for r in ocr))
    return (f"files={len(rows)} scored={len(scored)} strict P={precision:.3f} R={recall:.3f} F1={f1:.3f} "
            f"silent={_rate(sum(r.silent for r in scored), gold):.3f} files_f1>=0.8={good}/{len(scored)} "
            f"text={text_speed:.2f}MB/s (goal {GOALS['text']:.0f}) word={word_speed:.2f}MB/s (goal {GOALS['docx']:.0f}) "
            f"pdf={pdf_speed:.1f}pages/s (goal {GOALS['pdf']:.0f}) ocr={ocr_speed:.2f}pages/s")


if __name__ == "__main__":
    raise SystemExit(main())
