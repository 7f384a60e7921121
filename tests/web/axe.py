"""axe-core in the browser tests: the script fetched from the npm registry, injected by the test.

The app's Content-Security-Policy allows scripts from its own origin only, and stays on: axe
goes in through Playwright's init script (the DevTools protocol adds it to every document the
context opens), which no page policy governs, instead of a relaxed policy or a script tag.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

__all__ = ["AXE", "WCAG_AA_TAGS", "Finding", "axe_script", "findings"]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# WCAG 2.1 levels A and AA; axe's best practices and AAA rules are not the bar here.
WCAG_AA_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

_TWO_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({rule: v.id, impact: v.impact || "", help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 160),
                              summary: (n.failureSummary || "").split("\\n").slice(1).join(" ").trim()}))}));
}"""


@dataclass(frozen=True, slots=True)
class Finding:
    """One element breaking one rule on one page, as the failure message prints it."""

    where: str
    rule: str
    impact: str
    target: str
    html: str
    summary: str

    def __str__(self) -> str:
        return f"{self.where}: {self.rule} ({self.impact}) at {self.target}: {self.summary} — {self.html}"


def axe_script() -> str:
    """axe-core's source. Missing, the test skips on a developer's machine and fails in CI
    (``CI=true``), where an accessibility check that silently did not run would pass."""
    if not AXE.is_file():
        message = f"axe-core not fetched ({AXE}); run: sh scripts/fetch_web_assets.sh"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


def findings(page: Any, where: str) -> list[Finding]:
    """axe's WCAG 2.1 A/AA violations on the page as laid out now, one per element and rule.

    Two animation frames first: a viewport change reaches the page's resize observers (which
    make overflowing regions focusable) before the next frame is drawn."""
    page.evaluate(_TWO_FRAMES)
    result = page.evaluate(_RUN, list(WCAG_AA_TAGS))
    return [Finding(where, v["rule"], v["impact"], n["target"], n["html"], n["summary"])
            for v in result for n in v["nodes"]]
