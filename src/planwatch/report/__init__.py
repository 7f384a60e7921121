"""Reports: the annual monitoring report and the mid-term / final evaluation reports.

:class:`ReportContent` (filled by ``planwatch.services.reports``) is composed once into a
list of elements and written as Word (GB/T 9704 layout), HTML, or PDF via LibreOffice; the
Excel data annex is written from the content directly.
"""

from planwatch.report.compose import compose
from planwatch.report.content import IndicatorEntry, ReportContent, ReportKind
from planwatch.report.docx_writer import write_docx
from planwatch.report.html_writer import render_html, write_html
from planwatch.report.render import RenderError, docx_to_pdf
from planwatch.report.xlsx_annex import write_xlsx

__all__ = [
    "IndicatorEntry",
    "RenderError",
    "ReportContent",
    "ReportKind",
    "compose",
    "docx_to_pdf",
    "render_html",
    "write_docx",
    "write_html",
    "write_xlsx",
]
