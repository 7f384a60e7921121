"""Readers: files in, one block stream with provenance out.

Dispatch is by file name suffix; each reader validates its own container and raises
:class:`planwatch.errors.InputError` with a one-line explanation when it cannot read it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from planwatch.errors import InputError
from planwatch.ingest.blocks import Block, BlockKind, Cell, Provenance, SourceText

__all__ = ["DEFAULT_MAX_BYTES", "SUPPORTED_SUFFIXES", "Block", "BlockKind", "Cell", "Provenance",
           "SourceText", "read_source"]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")


def read_source(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES,
                progress: Callable[[int, int], None] | None = None) -> SourceText:
    """Read one input file into blocks, or raise InputError saying what is wrong with it.

    ``progress(pages done, pages total)`` follows a PDF page by page, the one format slow
    enough to watch; the other readers do not call it.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(path, "是一个文件夹；应为 .txt、.md、.docx、.pdf 或 .html 文件")
    if not path.exists():
        raise InputError(path, "文件不存在")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(path, f"不支持的文件类型「{suffix or '无扩展名'}」，应为 "
                         + "、".join(SUPPORTED_SUFFIXES) + " 之一")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(path, f"文件有 {size:,} 字节，超过大小上限 {max_bytes:,} 字节"
                         "（命令行可用 --max-bytes 调高）")
    data = path.read_bytes()
    if suffix in (".txt", ".md"):
        from planwatch.ingest.text import read_text

        return read_text(path, data, suffix[1:])
    if suffix == ".docx":
        from planwatch.ingest.docx_reader import read_docx

        return read_docx(path, data)
    if suffix == ".pdf":
        from planwatch.ingest.pdf_reader import read_pdf

        return read_pdf(path, data, progress)
    from planwatch.ingest.html_reader import read_html

    return read_html(path, data)
