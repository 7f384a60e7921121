"""Indicators of one plan that are probably the same indicator, read twice.

A plan states many goals twice: in the indicator table (居民人均可支配收入增长) and in the
goals text (居民人均可支配收入年均增长), or as 新增城镇就业 and 新增城镇就业人数. Extraction
keeps both when the names differ; the indicator page suggests merging them, and a person
decides (:func:`planwatch.services.indicator_lifecycle.merge`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.services.indicator_keys import name_key
from planwatch.store.models import Indicator

__all__ = ["NearDuplicate", "near_duplicates"]

SIMILAR: Final = 0.8  # difflib's ratio of the two names (spaces aside) from which they count as one
_SHORTEST: Final = 4  # a name contained in another counts when it has at least this many characters
_SCALE: Final = re.compile(r"^[万亿千百]")


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    indicator: Indicator
    similarity: float  # 1.0 when one name contains the other


def near_duplicates(session: Session, indicator: Indicator) -> list[NearDuplicate]:
    """The plan's other indicators in use whose name is nearly the same and whose unit agrees
    (the same, one missing, or the same but for 万/亿), most similar first."""
    others = session.scalars(select(Indicator).where(
        Indicator.plan_id == indicator.plan_id, Indicator.id != indicator.id, Indicator.retired_at.is_(None)))
    found = [NearDuplicate(other, score) for other in others
             if _units_agree(indicator.unit, other.unit) and (score := _similarity(indicator.name, other.name)) >= SIMILAR]
    return sorted(found, key=lambda d: (-d.similarity, d.indicator.code))


def _similarity(a: str, b: str) -> float:
    a, b = name_key(a), name_key(b)
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= _SHORTEST and shorter in longer:
        return 1.0
    return SequenceMatcher(None, a, b).ratio()


def _units_agree(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return True
    return _SCALE.sub("", a.strip()) == _SCALE.sub("", b.strip())
