"""The .docx container: a zip of XML parts, opened defensively.

Uploads come from anywhere, so the package is checked before anything is inflated (a
zip bomb is refused from its directory alone) and every way it can be broken becomes
one :class:`InputError` line. The parts are parsed with lxml directly rather than
through python-docx: python-docx resolves a paragraph's style by scanning every style
and re-walks a table's grid for every row, which made a 360 kB gazette take 11 s.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

from planwatch.errors import InputError
from planwatch.ingest.containers import refuse_unsafe_package

# lxml elements; lxml has no type stubs, so they are typed loosely.
Element = Any

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_MAIN_DOCUMENT = "word/document.xml"

# No entities, no network, no huge text nodes: the XML comes from untrusted uploads.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def w(tag: str) -> str:
    """The Clark name lxml uses for a WordprocessingML tag or attribute."""
    return f"{{{W_NS}}}{tag}"


@dataclass(frozen=True, slots=True)
class DocxParts:
    document: Element  # the root of the main document part
    styles: Element | None
    numbering: Element | None


def open_docx(path: Path, data: bytes) -> DocxParts:
    """The parsed parts a reader needs, or an InputError naming what is wrong with the package."""
    if not data:
        raise InputError(path, "文件是空的；应为 .docx 文档")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            refuse_unsafe_package(path, archive, len(data), ".docx")
            main = _main_part_name(path, archive)
            related = _related_parts(path, archive, main)
            return DocxParts(
                document=_parse(path, archive, main),
                styles=_parse_optional(path, archive, related.get("styles")),
                numbering=_parse_optional(path, archive, related.get("numbering")),
            )
    except zipfile.BadZipFile as exc:  # its text names the damaged part (Bad CRC-32 for file 'word/document.xml')
        raise InputError(path, f"不是 .docx 文档，或文件不完整（无法作为压缩包打开：{exc}）") from None
    except (EOFError, OSError, zipfile.LargeZipFile):
        raise InputError(path, ".docx 文件不完整或已损坏") from None


def _main_part_name(path: Path, archive: zipfile.ZipFile) -> str:
    """The main document part named by the package relationships (word/document.xml as Word saves it)."""
    names = set(archive.namelist())
    main = _MAIN_DOCUMENT
    if "_rels/.rels" in names:
        for rel_type, target in _relationships(path, archive, "_rels/.rels"):
            if rel_type.endswith("/officeDocument"):
                main = target.lstrip("/")
                break
    if main not in names:
        raise InputError(path, f"不是 .docx 文档（包中没有 {main}）")
    return main


def _related_parts(path: Path, archive: zipfile.ZipFile, main: str) -> dict[str, str]:
    """Styles and numbering parts of the main document, by relationship type ("styles", "numbering")."""
    folder, name = posixpath.split(main)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    found = {"styles": posixpath.join(folder, "styles.xml"), "numbering": posixpath.join(folder, "numbering.xml")}
    if rels in archive.namelist():
        for rel_type, target in _relationships(path, archive, rels):
            kind = rel_type.rsplit("/", 1)[-1]
            if kind in found:
                found[kind] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join(folder, target))
    return found


def _relationships(path: Path, archive: zipfile.ZipFile, name: str) -> list[tuple[str, str]]:
    root = _parse(path, archive, name)
    return [(rel.get("Type", ""), rel.get("Target", "")) for rel in root.iter(f"{{{_REL_NS}}}Relationship")]


def _parse_optional(path: Path, archive: zipfile.ZipFile, name: str | None) -> Element | None:
    if name is None or name not in archive.namelist():
        return None
    return _parse(path, archive, name)


def _parse(path: Path, archive: zipfile.ZipFile, name: str) -> Element:
    try:
        data = archive.read(name)
    except zipfile.BadZipFile:
        raise InputError(path, f".docx 文件已损坏（{name} 无法读取）") from None
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        raise InputError(path, f"不是可读取的 .docx 文档（{name} 的 XML 已损坏）") from None
