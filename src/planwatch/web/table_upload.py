"""A CSV/XLSX table uploaded through a page form, kept as a temporary file while it is read.

The table readers of the services work on paths (the CLI hands them files), so an upload is
written to a private temporary folder under its own suffix, capped in size, and removed
when the block ends.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from fastapi import UploadFile

from planwatch.errors import InputError

__all__ = ["MAX_TABLE_BYTES", "uploaded_table"]

MAX_TABLE_BYTES: Final = 5 * 1024 * 1024  # thousands of rows of units or assignments
_SUFFIXES: Final = (".csv", ".xlsx")


@contextmanager
def uploaded_table(upload: UploadFile | None) -> Iterator[Path]:
    """The uploaded table as a file; InputError for no file, another type, or too many bytes."""
    if upload is None or not upload.filename:
        raise InputError("file", "没有选择文件（应为 .csv 或 .xlsx）")
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in _SUFFIXES:
        raise InputError(upload.filename, f"文件类型应为 .csv 或 .xlsx，实际为 {suffix or '（无）'}")
    content = upload.file.read(MAX_TABLE_BYTES + 1)
    if len(content) > MAX_TABLE_BYTES:
        raise InputError(upload.filename, f"文件超过大小上限 {MAX_TABLE_BYTES // (1024 * 1024)} MB")
    with tempfile.TemporaryDirectory(prefix="planwatch-table-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        yield path
