"""OCR engines side by side on scanned pages of the PDF development set: how well and how fast they read.

Run: .venv/bin/python bench/bench_ocr.py [PLAN_STEM…] [--dpi 200] [--engine rapidocr|tesseract]…

For each plan (default: four of ``../shared/plans`` with their targets in tables and in sentences),
its LibreOffice rendering from the development set (``scripts/pdf_devset.py``) has the pages that
print gold indicators scanned (pdftoppm at ``--dpi``, scanner grain, JPEG, no text layer: see
``pdf_devset.scanned``), the other pages keeping their text layer. Every installed engine then reads
it through the PDF reader, and the bench prints per file and engine: the character error rate of the
scanned pages against their text layer (edit distance over the characters, spaces left out), strict
F1 of the extraction scored by name against the hand gold (and the text layer's, for reference), and
CPU seconds per scanned page (this process and its children: Tesseract runs as a program). The last
line per engine pools the files. An engine that is not installed is reported as such.
"""

from __future__ import annotations

import importlib.util
import resource
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pypdfium2 as pdfium

from planwatch.extract import extract_source
from planwatch.ingest.pdf.lines import glyph_rows, text_line
from planwatch.ingest.pdf.ocr import ENGINES, Engine, Word
from planwatch.ingest.pdf.page import read_page
from planwatch.ingest.pdf_reader import read_pdf

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PLANS = ("sh_huangpu_chengshigengxin_15", "sh_huangpu_lishifengmao_14", "sh_putuo_xiaofang_15",
                 "gov_report_2026_jilin")


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


pdf_devset = _load(REPO / "scripts" / "pdf_devset.py", "pdf_devset")
bench_extraction = _load(REPO / "bench" / "bench_extraction.py", "bench_extraction")


@dataclass
class Reading:
    errors: int = 0
    characters: int = 0
    seconds: float = 0.0
    pages: int = 0
    gold: int = 0
    strict: int = 0
    predicted: int = 0


class _Remembered:
    """An engine that reads each page image once: the error rate and the extraction read the same pages."""

    def __init__(self, engine: Engine) -> None:
        self.name = engine.name
        self._engine = engine
        self._read: dict[int, list[Word]] = {}

    def read(self, image: np.ndarray[Any, np.dtype[np.uint8]], scale: float) -> list[Word]:
        key = hash(image.tobytes())
        if key not in self._read:
            self._read[key] = self._engine.read(image, scale)
        return self._read[key]


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _page_text(document: pdfium.PdfDocument, index: int, engine: Engine | None) -> tuple[str, float]:
    """A page's characters in reading order without spaces, and the CPU seconds reading them took."""
    start = _cpu()
    content = read_page(document, index, (lambda: engine) if engine is not None else None)
    seconds = _cpu() - start
    return "".join(text_line(row).text for row in glyph_rows(content.glyphs)).replace(" ", ""), seconds


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions and substitutions of characters)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _gold_pages(pdf: Path, gold: Path, stem: str) -> list[int]:
    """The pages whose text layer prints the name of a gold indicator."""
    import json

    names = {json.loads(line)["name"][:6] for line in (gold / f"{stem}.indicators.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()}
    document = pdfium.PdfDocument(pdf)
    pages = [k + 1 for k in range(len(document)) if any(n in _page_text(document, k, None)[0] for n in names)]
    document.close()
    return pages


def _f1(scorer: ModuleType, path: Path, gold: Path, engine: Engine | None) -> dict[str, float]:
    source = read_pdf(path, path.read_bytes(), ocr=lambda: engine)
    extraction = extract_source(source)
    payload = {"documents": [d.to_json() for d in extraction.documents],
               "indicators": [i.to_json() for i in extraction.indicators],
               "diagnostics": [d.to_json() for d in extraction.diagnostics]}
    return bench_extraction._score(scorer, payload, path.name, gold, by_name=True)


def main() -> int:
    argv = sys.argv[1:]
    dpi = int(argv[argv.index("--dpi") + 1]) if "--dpi" in argv else 200
    chosen = [argv[i + 1] for i, a in enumerate(argv) if a == "--engine"]
    stems = [a for i, a in enumerate(argv) if not a.startswith("--") and argv[i - 1] not in ("--dpi", "--engine")]
    shared = pdf_devset.shared_dir()
    gold = shared / "gold"
    if not (shared / "plans").is_dir() or pdf_devset.missing("libreoffice") is not None:
        print(f"needs {shared}/plans and LibreOffice", file=sys.stderr)
        return 2
    scorer = bench_extraction._load(shared / "tools" / "score_extraction.py", "score_extraction")
    engines: dict[str, _Remembered] = {}
    for name, make in ENGINES.items():
        if chosen and name not in chosen:
            continue
        found = make()
        if found is None:
            print(f"{name}: not installed")
        else:
            engines[name] = _Remembered(found)
    renderings = pdf_devset.build(shared, ["libreoffice"])
    totals = {name: Reading() for name in engines}
    print(f"{'file':34} {'engine':16} {'pages':>5} {'CER':>6} {'F1':>6} {'F1 text':>7} {'s/page':>7}")
    with tempfile.TemporaryDirectory(prefix="planwatch-ocr-") as scratch:
        for stem in stems or DEFAULT_PLANS:
            pdf = next(p for p in renderings["libreoffice"] if p.stem == stem)
            pages = _gold_pages(pdf, gold, stem)
            scan = pdf_devset.scanned(pdf, Path(scratch, pdf.name), pages, dpi=dpi)
            text_layer = _f1(scorer, pdf, gold, None)
            original, scanned = pdfium.PdfDocument(pdf), pdfium.PdfDocument(scan)
            for name, engine in engines.items():
                reading = Reading(pages=len(pages))
                for number in pages:
                    expected = _page_text(original, number - 1, None)[0]
                    got, seconds = _page_text(scanned, number - 1, engine)
                    reading.errors += _distance(expected, got)
                    reading.characters += len(expected)
                    reading.seconds += seconds
                scored = _f1(scorer, scan, gold, engine)
                reading.gold, reading.predicted = int(scored["gold"]), int(scored["predicted"])
                reading.strict = round(scored["recall"] * scored["gold"])
                total = totals[name]
                for field in ("errors", "characters", "seconds", "pages", "gold", "strict", "predicted"):
                    setattr(total, field, getattr(total, field) + getattr(reading, field))
                print(f"{stem[:34]:34} {engine.name[:16]:16} {len(pages):5} {reading.errors / reading.characters:6.3f} "
                      f"{scored['f1']:6.3f} {text_layer['f1']:7.3f} {reading.seconds / len(pages):7.2f}", flush=True)
            original.close()
            scanned.close()
    for name, total in totals.items():
        precision = total.strict / total.predicted if total.predicted else 0.0
        recall = total.strict / total.gold if total.gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"{engines[name].name}: pages={total.pages} CER={total.errors / max(total.characters, 1):.3f} "
              f"strict F1={f1:.3f} seconds/page={total.seconds / max(total.pages, 1):.2f} "
              f"pages/s={total.pages / total.seconds if total.seconds else 0.0:.2f} (dpi {dpi})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
