"""Users, their passwords (argon2) and API tokens.

A token is shown once and stored as its SHA-256 digest: a token has 256 bits of entropy,
so a fast hash is enough and lets every API request find its user with one index lookup.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.errors import PlanWatchError
from planwatch.monitor.permissions import Action, Role, check
from planwatch.services.orgunits import find_org_unit
from planwatch.store.models import ApiToken, AuditEvent, OrgUnit, User

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "OPERATOR_LOGIN",
    "UserError",
    "UserView",
    "add_user",
    "all_users",
    "authenticate",
    "create_token",
    "get_user",
    "list_users",
    "operator",
    "set_password",
    "user_for_token",
]

MIN_PASSWORD_LENGTH = 8
_LOGIN = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
_hasher = PasswordHasher()
# Verifying against this hash when the login is unknown makes both failures take as long.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class UserError(PlanWatchError):
    """A user definition that cannot be stored; names the field."""


@dataclass(frozen=True, slots=True)
class UserView:
    id: int
    login: str
    name: str
    role: Role
    org_unit_id: int | None
    org_unit_name: str | None
    active: bool


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def _by_login(session: Session, login: str) -> User | None:
    return session.scalar(select(User).where(User.login == login.strip()))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password：密码至少 {MIN_PASSWORD_LENGTH} 位")


def add_user(session: Session, actor: User | None, login: str, password: str, role: str, *,
             name: str = "", org_unit: str | None = None) -> User:
    """Create a user. ``actor`` None is the command line run by the server's operator.

    A reporting clerk must be bound to an org unit (by code or name); other roles must not be.
    """
    if actor is not None:
        check(actor, Action.MANAGE_USERS)
    if not _LOGIN.match(login):
        raise UserError(f"login：登录名应为 2–64 位字母、数字或 _.@-，实际为「{login}」")
    try:
        parsed_role = Role(role)
    except ValueError:
        roles = "、".join(r.value for r in Role)
        raise UserError(f"role：角色应为 {roles} 之一，实际为「{role}」") from None
    _check_password(password)
    if _by_login(session, login) is not None:
        raise UserError(f"login：用户 {login} 已存在")
    unit_id = None
    if parsed_role is Role.CLERK:
        if not org_unit:
            raise UserError("org_unit：填报员必须绑定一个填报单位（--org-unit 单位代码或名称）")
        unit_id = find_org_unit(session, org_unit).id
    elif org_unit:
        raise UserError(f"org_unit：只有填报员绑定单位，角色「{parsed_role.label_zh}」不绑定")
    user = User(login=login, name=name, password_hash=_hasher.hash(password), role=parsed_role.value,
                org_unit_id=unit_id, active=True)
    session.add(user)
    session.flush()
    session.add(AuditEvent(at=user.created_at, actor_id=actor.id if actor else None,
                           actor_login=actor.login if actor else "cli", action="create", entity="users",
                           entity_id=str(user.id), new={"login": login, "role": parsed_role.value,
                                                       "org_unit_id": unit_id}))
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    _check_password(password)
    user.password_hash = _hasher.hash(password)
    session.flush()


def authenticate(session: Session, login: str, password: str) -> User | None:
    """The user with this login and password, or None; the hash is refreshed when argon2's
    recommended parameters changed since it was made."""
    user = _by_login(session, login)
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(stored):
        user.password_hash = _hasher.hash(password)
        session.flush()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, label: str = "") -> str:
    """A new API token for ``user``; the caller shows it once, it is not stored in clear."""
    token = "pw_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token), label=label))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token),
                                                ApiToken.revoked.is_(False)))
    return session.get(User, row.user_id) if row is not None else None


OPERATOR_LOGIN = "operator"


def operator(session: Session) -> User:
    """The user that commands run as without ``--as``: the server's operator, acting for the
    monitoring group. It has no password, so nobody can log in as it."""
    user = _by_login(session, OPERATOR_LOGIN)
    if user is None:
        user = User(login=OPERATOR_LOGIN, name="命令行操作员", password_hash="", role=Role.MONITORING.value,
                    active=True)
        session.add(user)
        session.flush()
    return user


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.login)))


def list_users(session: Session, actor: User) -> list[UserView]:
    check(actor, Action.MANAGE_USERS)
    rows = session.execute(select(User, OrgUnit.name).outerjoin(OrgUnit, OrgUnit.id == User.org_unit_id)
                           .order_by(User.login))
    return [UserView(u.id, u.login, u.name, Role(u.role), u.org_unit_id, unit, u.active) for u, unit in rows]
