"""How an indicator is recognised across imports: its name without spaces, and its unit."""

from __future__ import annotations

import re

__all__ = ["indicator_key", "name_key"]


def name_key(name: str) -> str:
    """Wrapped table cells and prose print the same name with stray spaces or line breaks."""
    return re.sub(r"\s+", "", name)


def indicator_key(name: str, unit: str | None) -> str:
    return name_key(name) + "|" + (unit or "")
