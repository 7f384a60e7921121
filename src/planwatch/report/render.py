"""Word → PDF with LibreOffice headless, with the official font names mapped to open fonts.

Used for the ``.pdf`` report format and by the tests that check what a report looks like.
Each conversion gets its own LibreOffice profile so parallel conversions do not collide.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from planwatch.configuration import child_environment
from planwatch.errors import PlanWatchError

__all__ = ["FONTCONFIG_FILE", "RenderError", "docx_to_pdf", "libreoffice"]

FONTCONFIG_FILE = Path(__file__).with_name("fonts.conf")


class RenderError(PlanWatchError):
    """LibreOffice is missing or could not convert the document."""


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: Path, pdf: Path, *, timeout: float = 300) -> Path:
    program = libreoffice()
    if program is None:
        raise RenderError("PDF 输出需要 LibreOffice（Debian：apt-get install libreoffice-writer-nogui）")
    with tempfile.TemporaryDirectory(prefix="planwatch-lo-") as scratch:
        profile = Path(scratch, "profile").as_uri()
        out_dir = Path(scratch, "out")
        environment = child_environment(FONTCONFIG_FILE=str(FONTCONFIG_FILE))
        try:
            done = subprocess.run([program, "--headless", "--norestore", f"-env:UserInstallation={profile}",
                                   "--convert-to", "pdf", "--outdir", str(out_dir), str(docx)],
                                  capture_output=True, text=True, timeout=timeout, env=environment, check=False)
        except subprocess.TimeoutExpired:
            raise RenderError(f"{docx.name}: LibreOffice 转换超时（{timeout:.0f} 秒）") from None
        produced = out_dir / (docx.stem + ".pdf")
        if done.returncode != 0 or not produced.exists():
            raise RenderError(f"{docx.name}: LibreOffice 未能转换为 PDF：{(done.stderr or done.stdout).strip()[-300:]}")
        pdf.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(produced, pdf)
    return pdf
