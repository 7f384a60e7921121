"""``planwatch publish``: the public site written to a folder for any web server.

The folder holds exactly the site's files and a manifest of them (``.planwatch-site.json``,
path → SHA-256). Publishing again writes only files whose bytes changed (an unchanged site
changes no byte and no modification time) and removes the files the manifest lists that the
site no longer has — a retracted indicator's data, say. A folder that has files but no
manifest is refused: it is not ours to clean.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from planwatch.errors import PlanWatchError
from planwatch.web.public.site import PublicSite

__all__ = ["MANIFEST", "SiteWritten", "StaticSiteError", "write_site"]

MANIFEST: Final = ".planwatch-site.json"


class StaticSiteError(PlanWatchError):
    """The output folder cannot take the site."""


@dataclass(frozen=True, slots=True)
class SiteWritten:
    written: int
    unchanged: int
    removed: int
    files: int


def _manifest(folder: Path) -> dict[str, str]:
    path = folder / MANIFEST
    if not path.exists():
        if folder.exists() and any(folder.iterdir()):
            raise StaticSiteError(f"{folder}: 目录不是空的，也不是 planwatch publish 写过的目录（没有 {MANIFEST}）；"
                                  "请指定一个空目录或新目录")
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data["files"].items()}
    except (ValueError, KeyError, AttributeError) as exc:
        raise StaticSiteError(f"{path}: 无法读取上次发布的文件清单（{exc}）") from None


def write_site(site: PublicSite, folder: Path) -> SiteWritten:
    """Write ``site`` into ``folder`` (created if missing)."""
    if folder.exists() and not folder.is_dir():
        raise StaticSiteError(f"{folder}: 不是目录")
    before = _manifest(folder)
    folder.mkdir(parents=True, exist_ok=True)
    after: dict[str, str] = {}
    written = unchanged = 0
    for relative in site.paths():
        found = site.file(relative)
        assert found is not None
        digest = hashlib.sha256(found.body).hexdigest()
        after[relative] = digest
        target = folder / relative
        if before.get(relative) == digest and target.is_file() and \
                hashlib.sha256(target.read_bytes()).hexdigest() == digest:
            unchanged += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = target.with_name(target.name + ".tmp")
        scratch.write_bytes(found.body)
        os.replace(scratch, target)
        written += 1
    removed = 0
    for relative in sorted(set(before) - set(after)):
        stale = folder / relative
        if not stale.resolve().is_relative_to(folder.resolve()):
            continue  # a manifest edited by hand must not make us delete outside the site
        if stale.is_file():
            stale.unlink()
            removed += 1
        _prune(stale.parent, folder)
    manifest = json.dumps({"files": after}, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if (folder / MANIFEST).exists() and (folder / MANIFEST).read_text(encoding="utf-8") == manifest:
        return SiteWritten(written, unchanged, removed, len(after))
    (folder / MANIFEST).write_text(manifest, encoding="utf-8")
    return SiteWritten(written, unchanged, removed, len(after))


def _prune(directory: Path, root: Path) -> None:
    """Remove folders the removed files leave empty, up to the site's root."""
    while directory != root and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent
