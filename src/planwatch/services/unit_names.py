"""Finding the org unit a plan means by the name it prints (区教委 for 青川区教育委员会)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from planwatch.store.models import OrgUnit

__all__ = ["UnitMatcher", "unit_name_key"]


class UnitMatcher:
    """Finds the org unit a plan means by a name as printed.

    Plans of a district write its departments as 区X: 区教委 for 青川区教育委员会, 区卫生健康委
    for 青川区卫生健康委员会. A unit matches its full or short name, or a name the printed
    text abbreviates once both lose the district prefix (青川区 / 区): every printed
    character in order, same first character. An ambiguous abbreviation matches nothing
    rather than the wrong unit.
    """

    def __init__(self, units: Iterable[OrgUnit]) -> None:
        self.units = [u for u in units if u.active]
        self._exact: dict[str, OrgUnit] = {}
        for unit in self.units:
            for name in (unit.name, unit.short_name, _local(unit.name)):
                if name:
                    self._exact.setdefault(unit_name_key(name), unit)

    def match(self, printed: str) -> OrgUnit | None:
        key = unit_name_key(printed)
        if not key:
            return None
        found = self._exact.get(key) or self._exact.get(_local(key))
        if found is not None:
            return found
        short = _local(key)
        candidates = [u for u in self.units if _abbreviates(short, _local(unit_name_key(u.name)))]
        return candidates[0] if len(candidates) == 1 else None


_DISTRICT_PREFIX = re.compile(r"^(?:[^区县市]{1,6}?[区县市](?!域|级))|^[区县]")


def _local(name: str) -> str:
    """A department's name without its district: 青川区林业局 → 林业局, 区林业局 → 林业局."""
    stripped = _DISTRICT_PREFIX.sub("", name, count=1)
    return stripped if len(stripped) >= 2 else name


def unit_name_key(name: str) -> str:
    """A printed unit name without the spaces layouts put into it."""
    return name.strip().replace(" ", "").replace("　", "")


def _abbreviates(short: str, full: str) -> bool:
    if len(short) < 2 or short[0] != full[0] or len(short) >= len(full):
        return False
    position = 0
    for char in short:
        position = full.find(char, position)
        if position < 0:
            return False
        position += 1
    return True
