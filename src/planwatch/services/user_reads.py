"""What pages show of a person beyond the account itself: the web sessions open for it and
the district it is bound to (on the administrator's pages, and in every page's header for
the user's own district).

Each read of another person checks, as every change of :mod:`planwatch.services.users` does, that the actor
manages users and that the person lies in the actor's region.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planwatch.monitor.permissions import Action, check
from planwatch.services import region_scope
from planwatch.store.models import OrgUnit, User, WebSession

__all__ = ["bound_district", "live_session_counts", "live_sessions", "own_district_name"]


def _managed(session: Session, actor: User, person: User) -> None:
    check(actor, Action.MANAGE_USERS)
    region_scope.user(session, actor, person.id)


def live_session_counts(session: Session, actor: User, user_ids: Iterable[int]) -> dict[int, int]:
    """The open web sessions of each user listed that ``actor`` manages (absent: none), for
    the user list."""
    check(actor, Action.MANAGE_USERS)
    managed = region_scope.region_of(session, actor).unit_filter(User.region_org_unit_id)
    rows = session.execute(select(WebSession.user_id, func.count()).join(User, User.id == WebSession.user_id)
                           .where(WebSession.user_id.in_(list(user_ids)), managed).group_by(WebSession.user_id))
    return {user_id: count for user_id, count in rows}


def live_sessions(session: Session, actor: User, person: User) -> int:
    """How many web sessions ``person`` has open (log out everywhere ends them)."""
    _managed(session, actor, person)
    return session.scalar(select(func.count()).select_from(WebSession).where(WebSession.user_id == person.id)) or 0


def bound_district(session: Session, actor: User, person: User) -> OrgUnit | None:
    """The district-level unit ``person`` is bound to; None: every district."""
    _managed(session, actor, person)
    return session.get(OrgUnit, person.region_org_unit_id) if person.region_org_unit_id is not None else None


def own_district_name(session: Session, user: User) -> str | None:
    """The name of the district ``user`` works in, for the page header; None: every district.
    One row by key, as every request asks it (the region's whole subtree is read only when
    a page filters by it)."""
    region = session.get(OrgUnit, user.region_org_unit_id) if user.region_org_unit_id is not None else None
    return region.name if region is not None else None
