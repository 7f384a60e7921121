"""Run the real extraction on text written inside a test."""

from __future__ import annotations

from pathlib import Path

from planwatch.extract import extract_file
from planwatch.extract.records import Extraction


def extract_text(tmp_path: Path, text: str, name: str = "plan.txt", encoding: str = "utf-8") -> Extraction:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return extract_file(path)


NOTICE = """云溪区人民政府
关于印发云溪区{title}的通知

云溪府发〔2025〕4号

各镇人民政府、街道办事处，区政府各部门：

《云溪区{title}》已经区政府同意，现印发给你们，请认真贯彻执行。

云溪区人民政府

2025年3月18日

（此件公开发布）

云溪区{title}

"""


def plan_text(title: str, body: str) -> str:
    return NOTICE.format(title=title) + body
