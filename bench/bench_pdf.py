"""PDF reading speed on the shared renderings, in pages per second of one core (CPU time, after imports).

Run: .venv/bin/python bench/bench_pdf.py [RENDERINGS_DIR] [--candidates]
Goal (issue 13): the whole ``extract`` of a PDF at 20 pages/s or more on one core.

For every rendering it prints pages/s of ``read_source`` (the PDF reader) and of
``extract_file`` (reading and extraction), and their ratio to the goal. ``--candidates``
adds the libraries the reader was chosen from, doing the least each would have to do for
the reader — every character with its position, and the drawn lines for ruled tables —
so that the figures compare like with like: PDFium through pypdfium2 (the reader's
choice), pdfplumber/pdfminer (the previous reader: characters and its table finder),
pypdf (text with positions through a visitor; no drawn lines) and poppler's pdftotext
(``-bbox-layout``, a separate GPL program, text boxes only). A candidate that is not
installed is reported as such.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from planwatch.extract import extract_file
from planwatch.ingest import read_source

GOAL_PAGES_S = 20.0


def _cpu_seconds(work: Callable[[], object]) -> float:
    start = time.process_time()
    work()
    return time.process_time() - start


def _pdfium(path: Path) -> None:
    import pypdfium2 as pdfium

    from planwatch.ingest.pdf.page import read_page

    document = pdfium.PdfDocument(path)
    for index in range(len(document)):
        read_page(document, index)
    document.close()


def _pdfplumber(path: Path) -> None:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.chars  # noqa: B018 - characters with their boxes are what a reader needs
            page.find_tables()


def _pypdf(path: Path) -> None:
    import pypdf

    placed: list[tuple[str, float, float]] = []

    def visit(text: str, cm: object, tm: list[float], font: object, size: float) -> None:
        placed.append((text, tm[4], tm[5]))

    for page in pypdf.PdfReader(path).pages:
        page.extract_text(visitor_text=visit)


def _pdftotext(path: Path) -> None:
    subprocess.run(["pdftotext", "-bbox-layout", str(path), "/dev/null"], check=True)


def _candidates() -> dict[str, Callable[[Path], None] | str]:
    found: dict[str, Callable[[Path], None] | str] = {"pypdfium2 (chosen)": _pdfium}
    for name, module, reader in (("pdfplumber", "pdfplumber", _pdfplumber), ("pypdf", "pypdf", _pypdf)):
        try:
            __import__(module)
            found[name] = reader
        except ImportError:
            found[name] = "not installed"
    found["pdftotext (poppler)"] = _pdftotext if shutil.which("pdftotext") else "not installed"
    return found


def _child_cpu_seconds(work: Callable[[], object]) -> float:
    """CPU time of a subprocess's work as well as this process's (pdftotext runs outside Python)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = _cpu_seconds(work)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own + (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _page_count(path: Path) -> int:
    counted: list[int] = []
    read_source(path, progress=lambda done, total: counted.append(total))
    return counted[-1]


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    root = Path(args[0]) if args else Path(__file__).resolve().parents[1].parent / "shared" / "renderings"
    files = sorted(root.glob("*.pdf"))
    if not files:
        print(f"no PDFs in {root}", file=sys.stderr)
        return 2
    read_source(files[0])  # warm imports
    total_pages = 0
    total_extract = 0.0
    for path in files:
        pages = _page_count(path)
        read = _cpu_seconds(lambda p=path: read_source(p))
        whole = _cpu_seconds(lambda p=path: extract_file(p))
        total_pages += pages
        total_extract += whole
        print(f"{path.name} pages={pages} read={read:.2f}s {pages / read:.0f}pages/s "
              f"extract={whole:.2f}s {pages / whole:.0f}pages/s goal={GOAL_PAGES_S:.0f}pages/s "
              f"ratio={pages / whole / GOAL_PAGES_S:.2f}")
        if "--candidates" in sys.argv:
            for name, reader in _candidates().items():
                if isinstance(reader, str):
                    print(f"    {name}: {reader}")
                    continue
                seconds = _child_cpu_seconds(lambda r=reader, p=path: r(p))
                print(f"    {name}: {seconds:.2f}s {pages / seconds:.0f}pages/s")
    print(f"all pages={total_pages} extract={total_extract:.2f}s {total_pages / total_extract:.0f}pages/s "
          f"goal={GOAL_PAGES_S:.0f}pages/s ratio={total_pages / total_extract / GOAL_PAGES_S:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
