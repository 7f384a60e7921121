"""The colours that carry meaning, defined once for the pages, their charts and the Word reports.

A status badge prints white text on its colour, so every status colour reaches 4.5:1 against
white (WCAG 2.1 AA for normal text); the same colours fill the dashboard's pie and the
report's bars, and chart lines use colours that reach 3:1 against the white plot (AA for
graphics). The web app serves :func:`stylesheet` as CSS custom properties and badge classes;
ECharts options and matplotlib take the hex values from here. Colour never carries a status
alone: badges print the status's name and charts have their figures table.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = ["BADGES", "CHART_LINES", "ON_COLOUR", "TONES", "badge_colour", "contrast", "stylesheet"]

ON_COLOUR: Final = "#ffffff"  # the text printed on a badge
# Tones by meaning; the badges and charts choose among them.
TONES: Final[Mapping[str, str]] = MappingProxyType({
    "done": "#1b5e20",      # dark green: completed
    "good": "#2e7d32",      # green: on track, approved
    "ahead": "#1565c0",     # blue: ahead of schedule, reported values
    "warn": "#b45309",      # amber: behind, waiting for review
    "bad": "#c62828",       # red: seriously behind, returned, overdue
    "slate": "#546e7a",     # blue grey: drafts, not quantifiable
    "grey": "#616161",      # grey: no data, retired, anything without a tone of its own
    "brown": "#795548",     # brown: a baseline someone has to enter
    "violet": "#5e35b1",    # violet: a target in words the reviewer could not judge
})
# Status, observation-state and ledger-state codes (the CSS class ``status-<code>``) → tone.
BADGES: Final[Mapping[str, str]] = MappingProxyType({
    "completed": "done", "approved": "good", "on_track": "good", "ahead": "ahead",
    "behind": "warn", "submitted": "warn", "seriously_behind": "bad", "returned": "bad",
    "draft": "slate", "not_quantifiable": "slate", "no_data": "grey", "missing_baseline": "brown",
    "undetermined": "violet",
})
# The lines of an indicator's chart (planwatch.evaluate.paths keys) → colour.
CHART_LINES: Final[Mapping[str, str]] = MappingProxyType({
    "actual": TONES["ahead"], "baseline": "#455a64", "required": TONES["grey"],
    "target": TONES["bad"], "target_rate": TONES["bad"], "projection": TONES["warn"],
})


def badge_colour(code: str) -> str:
    """The colour of a status, state or ledger code; grey for a code without a tone."""
    return TONES[BADGES.get(code, "grey")]


def contrast(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    red, green, blue = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def stylesheet() -> str:
    """CSS: a ``--tone-<name>`` custom property per tone and a ``.status-<code>`` rule per badge."""
    tones = "".join(f"--tone-{name}: {colour}; " for name, colour in TONES.items())
    badges = "\n".join(f".status-{code} {{ background: var(--tone-{tone}); }}" for code, tone in BADGES.items())
    return (f"/* Generated from planwatch.palette: edit the colours there. */\n:root {{ {tones}}}\n"
            f".status {{ color: {ON_COLOUR}; background: var(--tone-grey); }}\n{badges}\n")
