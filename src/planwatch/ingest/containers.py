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
        raise InputError(path, f"the {suffix} package inflates to {inflated:,} bytes from {packed:,} "
                         "(zip bomb?); refusing to read it")


def check_zip_container(path: Path, data: bytes, *, suffix: str, main_part: str) -> None:
    """Refuse an empty, truncated, damaged or bomb-like package, or one without ``main_part``."""
    if not data:
        raise InputError(path, f"the file is empty; expected a {suffix} document")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if main_part not in {m.filename for m in members}:
                raise InputError(path, f"not a {suffix} document (no {main_part} in the package)")
            refuse_zip_bomb(path, archive, len(data), suffix)
            broken = archive.testzip()
            if broken is not None:
                raise InputError(path, f"the {suffix} package is damaged (bad CRC in {broken})")
    except zipfile.BadZipFile as exc:
        raise InputError(path, f"not a {suffix} document or truncated ({exc})") from None
    except (EOFError, OSError, zipfile.LargeZipFile) as exc:
        raise InputError(path, f"the {suffix} package is truncated or damaged ({exc})") from None
