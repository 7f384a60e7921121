"""Scanned pages: the page image read by an OCR engine, as the characters and rules a text layer gives.

Notices and annexes are often published as scans, a page that is one picture and no text. Such a
page is rendered at a scanner's resolution; the long straight dark runs of the image are the rules of
its ruled tables (found here, then wiped out so that the engine does not read them as 丨 or 1); the
engine gives each character, or each run of characters, with its box; and every character becomes a
:class:`~planwatch.ingest.pdf.page.Glyph` on the page, so that lines, paragraphs and tables are
rebuilt from the scan exactly as from a text layer, and the grid's cells get the words printed in
them. Nothing is downloaded: the engines are installed packages with their models (see the README for
the measurements that chose between them).

Not done: deskewing (a scan tilted by more than about half a degree keeps its text but loses its
rules, and its tables are read as open tables or text lines), page rotation, and handwriting.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from planwatch import configuration
from planwatch.ingest.pdf.page import Glyph, Rule
from planwatch.ingest.pdf_tolerances import TOLERANCES

if TYPE_CHECKING:  # numpy is imported where a scan is read: the command line starts without it
    import numpy as np

# Pages are rendered at a common scanning resolution: enough for characters of 10.5 points.
DPI = 200
_RULE_LENGTH = TOLERANCES.rule_length
_DARK = TOLERANCES.dark
_TESSERACT_SECONDS = 120  # one page at most; a page past it is left unread


@dataclass(frozen=True, slots=True)
class Word:
    """A run of characters the engine read, boxed in points from the page's top-left corner."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float


class Engine(Protocol):
    name: str  # and version, as shown to users

    def read(self, image: np.ndarray[Any, np.dtype[np.uint8]], scale: float) -> list[Word]:
        """The words of a greyscale page image rendered at ``scale`` pixels a point."""


def page_content(image: np.ndarray[Any, np.dtype[np.uint8]], scale: float, engine: Engine) -> tuple[list[Glyph], list[Rule]]:
    """The characters and rules of a scanned page, from its greyscale image at ``scale`` pixels a point."""
    rules, wiped = _rules(image, scale)
    glyphs = [glyph for word in engine.read(wiped, scale) for glyph in _glyphs(word)]
    return glyphs, rules


def _rules(image: np.ndarray[Any, np.dtype[np.uint8]], scale: float) -> tuple[list[Rule], np.ndarray[Any, np.dtype[np.uint8]]]:
    """The horizontal and vertical rules drawn on the page, and the image without them."""
    import numpy as np

    dark = image < _DARK
    least = int(_RULE_LENGTH * scale)
    rules: list[Rule] = []
    wiped = image.copy()
    for axis in (0, 1):
        mask = dark if axis == 0 else dark.T
        padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
        padded[:, 1:-1] = mask
        edges = np.diff(padded, axis=1)
        rows, starts = np.nonzero(edges == 1)
        _, ends = np.nonzero(edges == -1)
        long = ends - starts >= least
        for row, start, end in zip(rows[long], starts[long], ends[long], strict=True):
            if axis == 0:
                rules.append(Rule(start / scale, row / scale, end / scale, row / scale))
                wiped[max(row - 1, 0):row + 2, start:end] = 255
            else:
                rules.append(Rule(row / scale, start / scale, row / scale, end / scale))
                wiped[start:end, max(row - 1, 0):row + 2] = 255
    return rules, wiped


def _glyphs(word: Word) -> list[Glyph]:
    """The characters of a word, the box shared by their widths (a Chinese character is about twice a digit's)."""
    text = "".join(word.text.split())
    if not text:
        return []
    size = word.bottom - word.top
    widths = [0.55 if ord(ch) < 0x2000 else 1.0 for ch in text]
    unit = (word.x1 - word.x0) / sum(widths)
    baseline = word.bottom - 0.12 * size
    glyphs: list[Glyph] = []
    x = word.x0
    for ch, width in zip(text, widths, strict=True):
        glyphs.append(Glyph(ch, x, x + width * unit, baseline, size))
        x += width * unit
    return glyphs


class RapidOcr:
    """RapidOCR (PP-OCR models run by ONNX Runtime; the models ship in its wheel)."""

    def __init__(self) -> None:
        from importlib.metadata import version

        from rapidocr import RapidOCR

        self.name = f"RapidOCR {version('rapidocr')}"
        self._ocr = RapidOCR(params={"Global.log_level": "critical"})
        self._lock = threading.Lock()  # one model, one page at a time

    def read(self, image: np.ndarray[Any, np.dtype[np.uint8]], scale: float) -> list[Word]:
        import numpy as np

        colour = np.repeat(image[:, :, None], 3, axis=2)
        with self._lock:
            result: Any = self._ocr(colour, return_word_box=True)  # the full pipeline's output (RapidOCROutput)
        words: list[Word] = []
        for line, box in zip(result.word_results or (), result.boxes if result.boxes is not None else (), strict=False):
            top, bottom = float(box[:, 1].min()) / scale, float(box[:, 1].max()) / scale
            for text, _, points in line:
                xs = [p[0] for p in points]
                words.append(Word(text, min(xs) / scale, top, max(xs) / scale, bottom))
        return words


class Tesseract:
    """Tesseract with its Chinese model (Debian: tesseract-ocr, tesseract-ocr-chi-sim), one process a page."""

    def __init__(self, program: str) -> None:
        self._program = program
        version = subprocess.run([program, "--version"], capture_output=True, text=True, check=False)
        self.name = (version.stdout or version.stderr).splitlines()[0].replace("tesseract", "Tesseract").strip()

    def read(self, image: np.ndarray[Any, np.dtype[np.uint8]], scale: float) -> list[Word]:
        from PIL import Image

        png = io.BytesIO()
        Image.fromarray(image).save(png, format="PNG", dpi=(round(72 * scale), round(72 * scale)))
        try:
            done = subprocess.run([self._program, "stdin", "stdout", "-l", "chi_sim+eng", "--psm", "3", "tsv"],
                                  input=png.getvalue(), capture_output=True, timeout=_TESSERACT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            return []
        words: list[Word] = []
        for row in done.stdout.decode("utf-8", "replace").splitlines()[1:]:
            cells = row.split("\t")
            if len(cells) == 12 and cells[0] == "5" and cells[11].strip() and float(cells[10]) >= 0:
                left, top, width, height = (int(cells[k]) for k in (6, 7, 8, 9))
                words.append(Word(cells[11], left / scale, top / scale, (left + width) / scale, (top + height) / scale))
        return words


def _tesseract() -> Engine | None:
    program = shutil.which("tesseract")
    if program is None:
        return None
    langs = subprocess.run([program, "--list-langs"], capture_output=True, text=True, check=False)
    return Tesseract(program) if "chi_sim" in langs.stdout.split() else None


def _rapidocr() -> Engine | None:
    try:
        return RapidOcr()
    except ImportError:
        return None


ENGINES: dict[str, Callable[[], Engine | None]] = {"rapidocr": _rapidocr, "tesseract": _tesseract}


def engine(choice: str | None = None) -> Engine | None:
    """The OCR engine to read scans with: ``choice`` or the configured one (``PLANWATCH_OCR``:
    rapidocr | tesseract | off), else the first installed, in that order; None when none is installed
    (or OCR is turned off)."""
    return _engine((choice or configuration.current().ocr or "").strip().lower())


@cache
def _engine(wanted: str) -> Engine | None:
    if wanted == "off":
        return None
    if wanted:
        if wanted not in ENGINES:
            raise ValueError(f"PLANWATCH_OCR={wanted}: expected one of {', '.join(ENGINES)} or off")
        return ENGINES[wanted]()
    return next((found for make in ENGINES.values() if (found := make()) is not None), None)
