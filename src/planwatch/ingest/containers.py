"""Checks on zip-based Office files (.docx, .xlsx) before any XML parser sees them.

An Office file is a zip of XML parts; a 1 MB file can inflate to gigabytes, and openpyxl
or python-docx would inflate it all into memory. Uploaded plans and clerks' filled
templates are untrusted, so both go through the same limits.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from planwatch.errors import InputError

__all__ = ["MAX_COMPRESSION_RATIO", "MAX_UNCOMPRESSED_BYTES", "check_zip_container", "refuse_zip_bomb"]

# A plan or a filled template is a few MB of XML at most; far larger inflated sizes or ratios mean a zip bomb.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200


def refuse_zip_bomb(path: Path, archive: zipfile.ZipFile, packed: int, suffix: str) -> None:
    """Refuse a package whose parts would inflate far beyond any real plan or template."""
    inflated = sum(m.file_size for m in archive.infolist())
    if inflated > MAX_UNCOMPRESSED_BYTES or inflated > MAX_COMPRESSION_RATIO * max(packed, 1):
        raise InputError(path, f"{suffix} 文件解压后有 {inflated:,} 字节（压缩前 {packed:,} 字节），"
                         "疑为“压缩炸弹”，拒绝读取")


def check_zip_container(path: Path, data: bytes, *, suffix: str, main_part: str) -> None:
    """Refuse an empty, truncated, damaged or bomb-like package, or one without ``main_part``."""
    if not data:
        raise InputError(path, f"文件是空的；应为 {suffix} 文档")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if main_part not in {m.filename for m in members}:
                raise InputError(path, f"不是 {suffix} 文档（包中没有 {main_part}）")
            refuse_zip_bomb(path, archive, len(data), suffix)
            broken = archive.testzip()
            if broken is not None:
                raise InputError(path, f"{suffix} 文件已损坏（{broken} 校验失败）")
    except zipfile.BadZipFile:
        raise InputError(path, f"不是 {suffix} 文档，或文件不完整（无法作为压缩包打开）") from None
    except (EOFError, OSError, zipfile.LargeZipFile):
        raise InputError(path, f"{suffix} 文件不完整或已损坏") from None
