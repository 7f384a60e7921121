from __future__ import annotations

import re
from pathlib import Path

import pytest

from planwatch.web.i18n import MESSAGES, Translator, negotiate_language

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "planwatch" / "web" / "templates"


def test_every_language_has_every_key() -> None:
    assert set(MESSAGES["zh"]) == set(MESSAGES["en"])


def test_templates_only_use_known_keys() -> None:
    used, prefixes = set(), set()
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_.]+)["'](?!\s*~)""", text))
        prefixes |= set(re.findall(r"""\bt\(\s*["']([a-z_.]+)["']\s*~""", text))  # t("state_" ~ code)
    assert used, "templates should be translated"
    assert used - set(MESSAGES["zh"]) == set()
    assert {p for p in prefixes if not any(key.startswith(p) for key in MESSAGES["zh"])} == set()


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, None, "zh"),
        (None, "en-US,en;q=0.9", "en"),
        (None, "fr-FR, en;q=0.5, zh-CN;q=0.8", "zh"),
        (None, "fr-FR", "zh"),
        (None, "en;q=0, zh;q=0.1", "zh"),
        ("en", "zh-CN", "en"),
        ("xx", "en", "en"),
    ],
)
def test_language_negotiation(cookie: str | None, header: str | None, expected: str) -> None:
    assert negotiate_language(cookie, header) == expected


def test_translator_formats_values() -> None:
    assert Translator("zh")("login.throttled", seconds=42) == "登录失败次数过多，请 42 秒后再试"
    assert "42 seconds" in Translator("en")("login.throttled", seconds=42)
    assert Translator("en").html_lang == "en"
    assert Translator("zh").html_lang == "zh-CN"
