"""Settings an administrator switches while the app runs, stored so every app process and
the command line see the same value; every change is an audit event."""

from __future__ import annotations

from typing import Final

from sqlalchemy.orm import Session

from planwatch.monitor.permissions import Action, PermissionDenied, check
from planwatch.services import region_scope
from planwatch.store.models import AuditEvent, Setting, User, utcnow

__all__ = ["FOUR_EYES", "four_eyes_required", "set_four_eyes"]

FOUR_EYES: Final = "four_eyes"


def four_eyes_required(session: Session) -> bool:
    """Whether approving needs a second person; on unless an administrator switched it off."""
    row = session.get(Setting, FOUR_EYES)
    return True if row is None else bool(row.value)


def set_four_eyes(session: Session, actor: User | None, required: bool, reason: str = "") -> None:
    """Switch the four-eyes rule (administrators only; ``actor`` None is the server's operator
    on the command line). A district with a one-person monitoring group may need it off."""
    if actor is not None:
        check(actor, Action.CONFIGURE)
        if not region_scope.region_of(session, actor).everywhere:
            raise PermissionDenied(actor.login, Action.CONFIGURE, "系统设置对所有地区生效，只能由不限地区的管理员更改")
    row = session.get(Setting, FOUR_EYES)
    old = True if row is None else bool(row.value)
    now = utcnow()
    if row is None:
        session.add(Setting(key=FOUR_EYES, value=required, updated_at=now, updated_by_id=actor.id if actor else None))
    else:
        row.value, row.updated_at, row.updated_by_id = required, now, actor.id if actor else None
    session.add(AuditEvent(at=now, actor_id=actor.id if actor else None, actor_login=actor.login if actor else "cli",
                           action="configure", entity="settings", entity_id=FOUR_EYES,
                           old={"required": old}, new={"required": required}, reason=reason or None))
    session.flush()
