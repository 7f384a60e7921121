"""Checks on zip-based Office files (.docx, .xlsx) before any XML parser sees them, and the
one way PlanWatch opens a workbook.

An Office file is a zip of XML parts; a 1 MB file can inflate to gigabytes, and openpyxl
or python-docx would inflate it all into memory. Uploaded plans and clerks' filled
templates are untrusted, so both go through the same limits. No Office part has a reason
to carry a DTD (entity tricks live there; an .xlsx with one ended in a 500), so a package
with a ``<!DOCTYPE`` in any part is refused here, for every reader at once. Every workbook
is opened by :func:`open_workbook`, which also refuses a sheet of more rows than
:func:`max_sheet_rows` (a 2-million-row upload used to run the reader out of memory) and
reports formula cells instead of trusting their cached values.
"""

from __future__ import annotations

import io
import re
import xml.parsers.expat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from planwatch import configuration
from planwatch.errors import InputError

__all__ = ["MAX_COMPRESSION_RATIO", "MAX_SHEET_ROWS", "MAX_UNCOMPRESSED_BYTES", "Formula", "OpenedWorkbook",
           "check_zip_container", "max_sheet_rows", "open_workbook", "refuse_unsafe_package"]

# A plan or a filled template is a few MB of XML at most; far larger inflated sizes or ratios mean a zip bomb.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_SHEET_ROWS = configuration.DEFAULT_MAX_SHEET_ROWS
_XML_PARTS = (".xml", ".rels", ".vml")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_CHUNK = 1 << 16


def refuse_unsafe_package(path: Path, archive: zipfile.ZipFile, packed: int, suffix: str) -> None:
    """Refuse a package whose parts would inflate far beyond any real plan or template, or
    whose XML declares a DTD."""
    inflated = sum(m.file_size for m in archive.infolist())
    if inflated > MAX_UNCOMPRESSED_BYTES or inflated > MAX_COMPRESSION_RATIO * max(packed, 1):
        raise InputError(path, f"{suffix} 文件解压后有 {inflated:,} 字节（压缩前 {packed:,} 字节），"
                         "疑为“压缩炸弹”，拒绝读取")
    for member in archive.infolist():
        if member.filename.lower().endswith(_XML_PARTS):
            with archive.open(member) as part:
                if _declares_dtd(part):
                    raise InputError(path, f"{member.filename} 含有 DTD（<!DOCTYPE>），出于安全原因不予读取；"
                                     f"请用 Excel、WPS 或 Word 另存为 {suffix} 后重新上传")


class _Prolog(Exception):
    """The parser reached the root element (or a DTD): the prolog has been seen."""


def _declares_dtd(part: IO[bytes]) -> bool:
    """Whether the XML part has a document type declaration, read only as far as its root
    element (expat knows the encodings, comments and processing instructions before it)."""
    parser = xml.parsers.expat.ParserCreate()
    found = False

    def doctype(*_args: Any) -> None:
        nonlocal found
        found = True
        raise _Prolog

    def root(*_args: Any) -> None:
        raise _Prolog

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = root
    try:
        while chunk := part.read(_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Prolog:
        pass
    except xml.parsers.expat.ExpatError:
        return False  # not well-formed: the reader refuses it with its own message
    return found


def check_zip_container(path: Path, data: bytes, *, suffix: str, main_part: str) -> None:
    """Refuse an empty, truncated, damaged or bomb-like package, or one without ``main_part``."""
    if not data:
        raise InputError(path, f"文件是空的；应为 {suffix} 文档")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if main_part not in {m.filename for m in members}:
                raise InputError(path, f"不是 {suffix} 文档（包中没有 {main_part}）")
            refuse_unsafe_package(path, archive, len(data), suffix)
            broken = archive.testzip()
            if broken is not None:
                raise InputError(path, f"{suffix} 文件已损坏（{broken} 校验失败）")
    except zipfile.BadZipFile as exc:  # its text names the damaged part (Bad CRC-32 for file 'word/document.xml')
        raise InputError(path, f"不是 {suffix} 文档，或文件不完整（无法作为压缩包打开：{exc}）") from None
    except (EOFError, OSError, zipfile.LargeZipFile):
        raise InputError(path, f"{suffix} 文件不完整或已损坏") from None


def max_sheet_rows() -> int:
    """Rows a sheet may have (:data:`MAX_SHEET_ROWS` unless ``PLANWATCH_MAX_SHEET_ROWS`` sets another limit)."""
    return configuration.current().max_sheet_rows


def _refuse_long_sheets(path: Path, archive: zipfile.ZipFile) -> None:
    """Count each sheet's rows in its XML, streamed, before openpyxl builds a cell of it."""
    limit = max_sheet_rows()
    for member in archive.infolist():
        if not (member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")):
            continue
        rows, tail = 0, b""
        with archive.open(member) as part:
            while chunk := part.read(_CHUNK):
                window = tail + chunk
                rows += len(_ROW_TAG.findall(window)) - len(_ROW_TAG.findall(tail))
                tail = window[-32:]
                if rows > limit:
                    raise InputError(path, f"工作表 {member.filename.rsplit('/', 1)[-1]} 超过 {limit:,} 行，"
                                     "超出上限，未读取；请分成几个文件上传")


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula cell found in an uploaded workbook: read as empty, and reported."""

    sheet: str
    cell: str
    formula: str


@dataclass(frozen=True, slots=True)
class OpenedWorkbook:
    book: Any  # openpyxl's Workbook
    formulas: tuple[Formula, ...]  # cleared in the book (full mode only); read-only books report them per cell


def open_workbook(path: Path, *, read_only: bool = False) -> OpenedWorkbook:
    """An uploaded .xlsx, after the package checks and the row limit; InputError otherwise.

    Formulas are never evaluated and their cached values never trusted (a file can carry any
    "result"): in a full workbook each formula cell is emptied and listed in ``formulas``,
    for the reader to say which cells were ignored and why; a read-only workbook leaves them
    to the reader (``cell.data_type == "f"``).
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    data = path.read_bytes() if path.is_file() else b""
    check_zip_container(path, data, suffix=".xlsx", main_part="xl/workbook.xml")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        _refuse_long_sheets(path, archive)
    try:
        book = load_workbook(io.BytesIO(data), read_only=read_only, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
        raise InputError(path, f"不是有效的 .xlsx 文件（{exc.__class__.__name__}）") from None
    formulas: list[Formula] = []
    if not read_only:
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        formulas.append(Formula(sheet.title, cell.coordinate, str(getattr(cell.value, "text", None)
                                                                                 or cell.value)))
                        cell.value = None
    return OpenedWorkbook(book, tuple(formulas))
