"""Reports: the annual monitoring report and the mid-term / final evaluation reports.

:class:`ReportContent` (filled by ``planwatch.services.reports``) is composed once into a
list of elements and written as Word (GB/T 9704 layout), HTML, or PDF via LibreOffice; the
Excel data annex is written from the content directly.

The writers pull in matplotlib, python-docx and numpy, so the names below are loaded on
first use (PEP 562): the command line can name the report formats without paying for them.
``compose`` is imported from ``planwatch.report.compose``: the submodule of that name would
shadow a lazily loaded function.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

FORMATS = (".docx", ".xlsx", ".html", ".pdf")

_EXPORTS = {
    "IndicatorEntry": "planwatch.report.content",
    "ReportContent": "planwatch.report.content",
    "ReportKind": "planwatch.report.content",
    "ReportTiming": "planwatch.report.content",
    "report_timing": "planwatch.report.content",
    "write_docx": "planwatch.report.docx_writer",
    "render_html": "planwatch.report.html_writer",
    "write_html": "planwatch.report.html_writer",
    "RenderError": "planwatch.report.render",
    "docx_to_pdf": "planwatch.report.render",
    "write_xlsx": "planwatch.report.xlsx_annex",
}

if TYPE_CHECKING:
    from planwatch.report.content import (
        IndicatorEntry,
        ReportContent,
        ReportKind,
        ReportTiming,
        report_timing,
    )
    from planwatch.report.docx_writer import write_docx
    from planwatch.report.html_writer import render_html, write_html
    from planwatch.report.render import RenderError, docx_to_pdf
    from planwatch.report.xlsx_annex import write_xlsx

__all__ = [
    "FORMATS",
    "IndicatorEntry",
    "RenderError",
    "ReportContent",
    "ReportKind",
    "ReportTiming",
    "docx_to_pdf",
    "render_html",
    "report_timing",
    "write_docx",
    "write_html",
    "write_xlsx",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
