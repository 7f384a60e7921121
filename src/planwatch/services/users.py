"""Users, their passwords (argon2), API tokens and the life of both.

A token is shown once and stored as its SHA-256 digest: a token has 256 bits of entropy,
so a fast hash is enough and lets every API request find its user with one index lookup.
Every change to a user or a token is an audit event; deactivating a user, changing a
password or "log out everywhere" ends the user's browser sessions at once, and the tokens
of a deactivated user are refused with the user.

Checking a password (argon2, tens of milliseconds on purpose) is split from reading the
stored hash so that the web log-in runs it outside any transaction: a flood of log-ins
must not hold SQLite's one write lock while argon2 works.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from planwatch.errors import PlanWatchError
from planwatch.monitor.permissions import Action, Role, check
from planwatch.services.orgunits import find_org_unit
from planwatch.services.periods import utc
from planwatch.services.web_sessions import end_all_sessions
from planwatch.store.models import ApiToken, AuditEvent, OrgUnit, User, utcnow

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "OPERATOR_LOGIN",
    "LoginCheck",
    "TokenView",
    "UserError",
    "UserList",
    "UserView",
    "add_user",
    "all_users",
    "authenticate",
    "create_token",
    "find_user",
    "get_user",
    "list_tokens",
    "list_users",
    "log_out_everywhere",
    "login_check",
    "login_key",
    "operator",
    "revoke_token",
    "set_active",
    "set_password",
    "store_fresher_hash",
    "user_for_token",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 8
MAX_TOKEN_DAYS = 3650
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


def login_key(login: str) -> str:
    """The one form of a typed login that the user lookup and the log-in throttle both use:
    NFKC (full-width letters), stripped, case-folded. Were they to differ, every spelling
    the lookup accepts but the throttle counts apart (" wjw", "wjw\\n") would be five more guesses."""
    return unicodedata.normalize("NFKC", login).strip().casefold()


def _by_login(session: Session, login: str) -> User | None:
    # Logins are ASCII (see _LOGIN), so the database's lower() is the case-fold here.
    return session.scalars(select(User).where(func.lower(User.login) == login_key(login))
                           .order_by(User.id)).first()


def find_user(session: Session, login: str) -> User:
    user = _by_login(session, login)
    if user is None:
        raise UserError(f"login：没有用户 {login}")
    return user


_LOGIN_IN_PASSWORD = 4
_PASSWORD_CLASSES = (re.compile(r"[A-Za-z]"), re.compile(r"\d"), re.compile(r"[^A-Za-z\d]"))


def _check_password(password: str, login: str) -> None:
    """A minimum strength: long enough, two kinds of characters (letters, digits, others), and
    not built on the login, the first guesses of anyone trying."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password：密码至少 {MIN_PASSWORD_LENGTH} 位")
    if sum(1 for kind in _PASSWORD_CLASSES if kind.search(password)) < 2:
        raise UserError("password：密码须包含字母、数字、符号中的至少两类")
    key = login_key(login)
    if len(key) >= _LOGIN_IN_PASSWORD and key in password.casefold():  # "li" may well occur by chance
        raise UserError("password：密码不能包含登录名")


def _actor_fields(actor: User | None) -> dict[str, Any]:
    """``actor`` None is the command line run by the server's operator."""
    return {"actor_id": actor.id if actor else None, "actor_login": actor.login if actor else "cli"}


def _audit(session: Session, actor: User | None, action: str, entity: str, entity_id: int, *,
           old: dict[str, Any] | None = None, new: dict[str, Any] | None = None) -> None:
    session.add(AuditEvent(at=utcnow(), action=action, entity=entity, entity_id=str(entity_id), old=old, new=new,
                           **_actor_fields(actor)))
    session.flush()


def _may_manage(actor: User | None) -> None:
    if actor is not None:
        check(actor, Action.MANAGE_USERS)


def add_user(session: Session, actor: User | None, login: str, password: str, role: str, *,
             name: str = "", org_unit: str | None = None) -> User:
    """Create a user. ``actor`` None is the command line run by the server's operator.

    A reporting clerk must be bound to an org unit (by code or name); other roles must not be.
    """
    _may_manage(actor)
    if not _LOGIN.match(login):
        raise UserError(f"login：登录名应为 2–64 位字母、数字或 _.@-，实际为「{login}」")
    try:
        parsed_role = Role(role)
    except ValueError:
        roles = "、".join(r.value for r in Role)
        raise UserError(f"role：角色应为 {roles} 之一，实际为「{role}」") from None
    _check_password(password, login)
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
    _audit(session, actor, "create", "users", user.id,
           new={"login": login, "role": parsed_role.value, "org_unit_id": unit_id})
    return user


def set_password(session: Session, actor: User | None, user: User, password: str) -> None:
    """A new password, set by an administrator (a reset) or by the user; the user's browser
    sessions end, whoever knew the old password is logged out."""
    if actor is None or actor.id != user.id:
        _may_manage(actor)
    _check_password(password, user.login)
    user.password_hash = _hasher.hash(password)
    ended = end_all_sessions(session, user.id)
    _audit(session, actor, "set_password", "users", user.id, new={"sessions_ended": ended})


def set_active(session: Session, actor: User | None, user: User, active: bool) -> None:
    """Deactivate (sessions end, tokens are refused at once) or reactivate a user."""
    _may_manage(actor)
    if actor is not None and actor.id == user.id and not active:
        raise UserError("login：不能停用自己的账号")
    if user.active == active:
        return
    user.active = active
    new: dict[str, Any] = {"active": active}
    if not active:
        new["sessions_ended"] = end_all_sessions(session, user.id)
    _audit(session, actor, "activate" if active else "deactivate", "users", user.id,
           old={"active": not active}, new=new)


def log_out_everywhere(session: Session, actor: User | None, user: User) -> int:
    """End all browser sessions of the user; returns how many there were."""
    if actor is None or actor.id != user.id:
        _may_manage(actor)
    ended = end_all_sessions(session, user.id)
    _audit(session, actor, "end_sessions", "users", user.id, new={"sessions_ended": ended})
    return ended


@dataclass(frozen=True, slots=True)
class LoginCheck:
    """What checking one log-in needs from the database, read before the slow part."""

    user_id: int | None  # None: no such active user with a password
    password_hash: str


def login_check(session: Session, login: str) -> LoginCheck:
    user = _by_login(session, login)
    if user is None or not user.active or not user.password_hash:
        return LoginCheck(None, _DUMMY_HASH)  # verified all the same: unknown logins take as long
    return LoginCheck(user.id, user.password_hash)


def verify_password(check: LoginCheck, password: str) -> int | None:
    """The user id when the password is right (argon2: call it outside transactions)."""
    try:
        _hasher.verify(check.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return check.user_id


def store_fresher_hash(session: Session, check: LoginCheck, password: str) -> None:
    """After a successful log-in: rehash when argon2's recommended parameters changed since
    the hash was made (unless the password was changed meanwhile)."""
    if check.user_id is None or not _hasher.check_needs_rehash(check.password_hash):
        return
    session.execute(update(User).where(User.id == check.user_id, User.password_hash == check.password_hash)
                    .values(password_hash=_hasher.hash(password)))


def authenticate(session: Session, login: str, password: str) -> User | None:
    """The active user with this login and password, or None (for scripts holding one session)."""
    found = login_check(session, login)
    user_id = verify_password(found, password)
    if user_id is None:
        return None
    store_fresher_hash(session, found, password)
    return session.get(User, user_id)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, label: str = "", *, actor: User | None = None,
                 expires_days: int | None = None) -> str:
    """A new API token for ``user``; the caller shows it once, it is not stored in clear.
    Without ``expires_days`` it lasts until revoked."""
    if actor is None or actor.id != user.id:
        _may_manage(actor)
    if expires_days is not None and not 1 <= expires_days <= MAX_TOKEN_DAYS:
        raise UserError(f"expires_days：有效天数应为 1–{MAX_TOKEN_DAYS}，实际为 {expires_days}")
    expires_at = utcnow() + timedelta(days=expires_days) if expires_days is not None else None
    token = "pw_" + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_digest(token), label=label[:100], expires_at=expires_at)
    session.add(row)
    session.flush()
    _audit(session, actor, "create", "api_tokens", row.id,
           new={"user_id": user.id, "label": row.label, "expires_at": expires_at.isoformat() if expires_at else None})
    return token


@dataclass(frozen=True, slots=True)
class TokenView:
    id: int
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked: bool

    @property
    def usable(self) -> bool:
        return not self.revoked and (self.expires_at is None or self.expires_at > utcnow())


def list_tokens(session: Session, actor: User | None, user: User) -> list[TokenView]:
    if actor is None or actor.id != user.id:
        _may_manage(actor)
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    return [TokenView(t.id, t.label, utc(t.created_at), utc(t.expires_at) if t.expires_at else None, t.revoked)
            for t in rows]


def revoke_token(session: Session, actor: User | None, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise UserError(f"token：没有编号为 {token_id} 的 API 令牌")
    if actor is None or actor.id != token.user_id:
        _may_manage(actor)
    if not token.revoked:
        token.revoked = True
        _audit(session, actor, "revoke", "api_tokens", token.id, old={"revoked": False}, new={"revoked": True})
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The active user of a token that is neither revoked nor expired."""
    return session.execute(select(User).join(ApiToken, ApiToken.user_id == User.id).where(
        ApiToken.token_hash == _digest(token), ApiToken.revoked.is_(False), User.active.is_(True),
        or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > utcnow()))).scalar()


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


@dataclass(frozen=True, slots=True)
class UserList:
    people: list[UserView]
    total: int  # users that match


def list_users(session: Session, actor: User, text: str = "", *, offset: int = 0, limit: int = 50) -> UserList:
    """A page of the users, by login, whose login, name or unit contains ``text`` (a province
    has thousands of clerks: the list is read a page at a time)."""
    check(actor, Action.MANAGE_USERS)
    query = select(User, OrgUnit.name).outerjoin(OrgUnit, OrgUnit.id == User.org_unit_id)
    wanted = text.strip()
    if wanted:
        query = query.where(or_(User.login.contains(wanted, autoescape=True), User.name.contains(wanted, autoescape=True),
                                OrgUnit.name.contains(wanted, autoescape=True)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(User.login).offset(offset).limit(limit))
    return UserList([UserView(u.id, u.login, u.name, Role(u.role), u.org_unit_id, unit, u.active) for u, unit in rows],
                    total)
