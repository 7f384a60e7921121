"""What a Chinese user must not meet: field codes and English sentences (shared by the web
and CLI language tests)."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

__all__ = ["ALLOWED_WORDS", "foreign_words", "visible_text"]

# Words a Chinese page shows in Latin letters on purpose: names of formats and products,
# the language switch, the demo's logins and codes, units.
ALLOWED_WORDS = frozenset({
    "english", "planwatch", "api", "csv", "xlsx", "xls", "docx", "pdf", "txt", "md", "html", "excel", "word", "wps",
    "dhis", "sdmx", "echarts", "libreoffice", "utf", "gb", "json", "sha", "admin", "tongji", "pinggu", "lingdao",
    "fgw", "wjw", "lyj", "rsj", "stj", "http", "https", "token", "bearer", "kg", "km", "gdp", "pm", "cpi", "mb",
    # the keys of the extraction's JSON contract, named in the CLI's help
    "documents", "indicators", "diagnostics", "tasks", "projects",
})
_FIELD_CODE = re.compile(r"(?<![A-Za-z0-9])(--)?[a-z]+(?:[_-][a-z]+)*\s*[：:](?!//)")
_ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ ,]+[A-Za-z][A-Za-z'’-]*){2,}")


def visible_text(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "head", "template"]):
        hidden.decompose()
    return soup.get_text(" ")


def foreign_words(text: str) -> list[str]:
    """Field codes and English sentences in ``text``, the allowed words aside."""
    found = [m.group(0) for m in _FIELD_CODE.finditer(text)
             if m.group(0).rstrip("：: ").lstrip("-").lower() not in ALLOWED_WORDS]
    for run in _ENGLISH_RUN.finditer(text):
        words = [w.lower() for w in re.findall(r"[A-Za-z]+", run.group(0))]
        if sum(w not in ALLOWED_WORDS for w in words) >= 3:
            found.append(run.group(0))
    return found
