"""Indicators of one plan that are probably the same indicator, read twice.

A plan states many goals twice: in the indicator table (居民人均可支配收入增长) and in the
goals text (居民人均可支配收入年均增长), or as 新增城镇就业 and 新增城镇就业人数. Extraction
keeps both when the names differ; the indicator page suggests merging them, and a person
decides (:func:`planwatch.services.indicator_lifecycle.merge`).

The indicator page asks for every indicator it shows to people who may merge: comparing the
name with each of ten thousand others cost half a second a page. The plan's names are kept
per process as a character index while its definitions stand (their data version, year 0:
any change to an indicator moves it); a page counts, for all names at once, how many
characters each shares with its own — an upper bound of what difflib can match — and
compares only the few that could reach the threshold.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Final

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.services.evaluation import data_version
from planwatch.services.indicator_keys import name_key
from planwatch.services.kept import Kept
from planwatch.store.models import Indicator

__all__ = ["NearDuplicate", "near_duplicates"]

SUGGESTED: Final = 5  # merge suggestions an indicator page lists
SIMILAR: Final = 0.8  # difflib's ratio of the two names (spaces aside) from which they count as one
_SHORTEST: Final = 4  # a name contained in another counts when it has at least this many characters
_SCALE: Final = re.compile(r"^[万亿千百]")


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    indicator: Indicator
    similarity: float  # 1.0 when one name contains the other


def near_duplicates(session: Session, indicator: Indicator, *, limit: int = SUGGESTED) -> list[NearDuplicate]:
    """The plan's other indicators in use whose name is nearly the same and whose unit agrees
    (the same, one missing, or the same but for 万/亿), most similar first, at most ``limit``.

    Candidates are compared best bound first and the comparing stops once no bound left can
    reach the ``limit``-th score found: a plan whose names differ by a number (指标1 … 指标999)
    made a page compare a hundred names to list them all."""
    scores = _best(_plan_names(session, indicator.plan_id), indicator.id, name_key(indicator.name), indicator.unit,
                   limit)
    found = [NearDuplicate(other, scores[other.id]) for other in session.scalars(
        select(Indicator).where(Indicator.id.in_(scores), Indicator.retired_at.is_(None)))]
    return sorted(found, key=lambda d: (-d.similarity, d.indicator.code))[:limit]


def _best(names: _PlanNames, own_id: int, key: str, unit: str | None, limit: int) -> dict[int, float]:
    """Indicator id → score of ``limit`` names similar enough to ``key`` with the best scores
    (of names tied at the last place, those first in the plan)."""
    scores: dict[int, float] = {}
    for bound, position in _candidates(names, key):
        if len(scores) >= limit and bound <= sorted(scores.values(), reverse=True)[limit - 1]:
            break
        other = int(names.ids[position])
        if other != own_id and _units_agree(unit, names.units[position]):
            score = _similarity(key, names.keys[position])
            if score >= SIMILAR:
                scores[other] = score
    return scores


@dataclass(frozen=True, slots=True)
class _PlanNames:
    version: int  # the plan's definitions version the names are of
    ids: npt.NDArray[np.int64]
    keys: list[str]  # name_key of each name
    units: list[str | None]
    lengths: npt.NDArray[np.int32]
    postings: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]]  # character → (positions, counts)


def _candidates(names: _PlanNames, key: str) -> list[tuple[float, int]]:
    """The names that may be similar enough to ``key``: (the highest score each could reach,
    its position), highest first."""
    shared = np.zeros(len(names.ids), dtype=np.int32)  # characters each name has in common with this one
    for character, count in Counter(key).items():
        if character in names.postings:
            positions, counts = names.postings[character]
            shared[positions] += np.minimum(counts, count)
    shorter = np.minimum(len(key), names.lengths)
    # difflib's ratio is 2·matches / (both lengths), and matches ≤ the characters shared; a
    # contained name shares all its characters
    contained = (shorter >= _SHORTEST) & (shared >= shorter)
    bound = np.where(contained, 1.0, 2 * shared / np.maximum(1, len(key) + names.lengths))
    possible = np.flatnonzero(contained | (bound >= SIMILAR - 1e-9))
    ranked = possible[np.argsort(-bound[possible], kind="stable")]
    return [(float(bound[p]), int(p)) for p in ranked]


_names: Kept[_PlanNames] = Kept(16)  # by database and plan, at the plan's definitions version


def _plan_names(session: Session, plan_id: int) -> _PlanNames:
    version = data_version(session, plan_id, 0)
    key = (str(session.get_bind().engine.url), plan_id)
    found = _names.get(key)
    if found is not None and found.version == version:
        return found
    with _names.computing(key):
        found = _names.get(key)
        if found is None or found.version != version:
            rows = session.execute(select(Indicator.id, Indicator.name, Indicator.unit).where(
                Indicator.plan_id == plan_id, Indicator.retired_at.is_(None))).all()
            found = _index([row.id for row in rows], [name_key(row.name) for row in rows],
                           [row.unit for row in rows], version=version)
            _names.put(key, found)
    return found


def _index(ids: list[int], keys: list[str], units: list[str | None], *, version: int) -> _PlanNames:
    postings: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for position, name in enumerate(keys):
        for character, count in Counter(name).items():
            positions, counts = postings[character]
            positions.append(position)
            counts.append(count)
    return _PlanNames(version, np.array(ids, dtype=np.int64), keys, units,
                      np.array([len(k) for k in keys], dtype=np.int32),
                      {c: (np.array(p, dtype=np.int64), np.array(n, dtype=np.int32)) for c, (p, n) in postings.items()})


def _similarity(a: str, b: str) -> float:
    """Of two names already without spaces (:func:`name_key`)."""
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= _SHORTEST and shorter in longer:
        return 1.0
    return SequenceMatcher(None, a, b).ratio()


def _units_agree(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return True
    return _SCALE.sub("", a.strip()) == _SCALE.sub("", b.strip())
