"""Plain-text and Markdown reader.

Government text exports come in UTF-8 (often with a BOM) or in GB18030/GBK from older
Windows tools. Both are tried strictly, in that order: GB18030 can decode almost any
byte string, so it is only accepted when the result looks like text.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from planwatch.errors import InputError
from planwatch.ingest.blocks import Block, BlockKind, Provenance, SourceText

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_UTF8_BOM = b"\xef\xbb\xbf"


def decode_text(data: bytes, path: str | Path) -> str:
    """Decode bytes as UTF-8 (with or without BOM) or GB18030, or explain why not."""
    if not data.strip():
        raise InputError(path, "文件是空的；应为规划或公报的文本")
    if b"\x00" in data[:8192]:
        raise InputError(path, "这是二进制文件（含 NUL 字节），应为 UTF-8 或 GB18030 编码的文本")
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise InputError(
                path,
                f"第 {exc.start} 字节处无法解码：应为 UTF-8 或 GB18030/GBK 编码",
            ) from None
    if _looks_binary(text):
        raise InputError(path, "这是二进制文件（含控制字符），应为 UTF-8 或 GB18030 编码的文本")
    return text


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    return len(_CONTROL.findall(sample)) > max(8, len(sample) // 200)


def split_lines(text: str) -> list[str]:
    """Split like a text editor counts lines, so reported line numbers match what users see."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def read_text(path: Path, data: bytes, fmt: str) -> SourceText:
    text = decode_text(data, path)
    lines = split_lines(text)
    if lines and lines[-1] == "" and len(lines) > 1:
        lines.pop()
    blocks = tuple(
        Block(BlockKind.PARAGRAPH, Provenance(line=i), text=line) for i, line in enumerate(lines, start=1)
    )
    return SourceText(
        name=path.name,
        format=fmt,
        sha256=hashlib.sha256(data).hexdigest(),
        blocks=blocks,
        line_count=len(lines),
    )
