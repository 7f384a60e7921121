"""The public site's version: one number that moves whenever what the site shows changes (a
publication decision takes effect, a shown opinion is moderated, answered or deleted).

App processes keep the rendered public pages until it moves, so a page costs no database
work while nothing changed, and every process notices a change made by another one.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.orm import Session

from planwatch.store.models import Setting, utcnow

__all__ = ["bump_site_version", "site_version"]

_KEY: Final = "public_site_version"


def site_version(session: Session) -> int:
    row = session.get(Setting, _KEY)
    return 0 if row is None else int(row.value)


def bump_site_version(session: Session) -> None:
    row = session.get(Setting, _KEY)
    if row is None:
        session.add(Setting(key=_KEY, value=1))
    else:
        row.value, row.updated_at = int(row.value) + 1, utcnow()
    session.flush()
