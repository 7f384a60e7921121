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

import functools
import gzip
import hashlib
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import CursorResult, func, or_, select, update
from sqlalchemy.orm import Session

from planwatch.errors import PlanWatchError
from planwatch.monitor.permissions import Action, Role, check
from planwatch.services import region_scope
from planwatch.services.orgunits import find_org_unit
from planwatch.services.periods import utc
from planwatch.services.web_sessions import end_all_sessions
from planwatch.store.models import ApiToken, AuditEvent, OrgUnit, User, utcnow

__all__ = [
    "ALL_REGIONS",
    "MIN_PASSWORD_LENGTH",
    "OPERATOR_LOGIN",
    "LoginCheck",
    "TokenView",
    "UserError",
    "UserList",
    "UserView",
    "add_user",
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
    "set_contact",
    "set_password",
    "set_region",
    "store_fresher_hash",
    "user_for_token",
    "verify_password",
]

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 8
ALL_REGIONS = "all"  # --region all: every district (also 全部)
_ALL_REGION_WORDS = frozenset({ALL_REGIONS, "全部", "全部地区"})
MAX_TOKEN_DAYS = 3650
_LOGIN = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
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
    region_id: int | None = None
    region_name: str | None = None  # None: every district


def get_user(session: Session, actor: User | None, user_id: int) -> User:
    """A user ``actor`` may manage: one of the administrator's own region (404 otherwise)."""
    _may_manage(session, actor)
    return region_scope.user(session, actor, user_id)


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
        raise UserError(f"没有用户 {login}")
    return user


_LOGIN_IN_PASSWORD = 4
_PASSWORD_CLASSES = (re.compile(r"[A-Za-z]"), re.compile(r"\d"), re.compile(r"[^A-Za-z\d]"))
# 20 000 passwords found most often in leaks, lowercased (Royce Williams' list as Django ships
# it, BSD-3-Clause): password1, woaini1314, 1qaz2wsx, p@ssw0rd … pass the rules above.
_COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt.gz")


@functools.cache
def _common_passwords() -> frozenset[str]:
    with gzip.open(_COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def _check_password(password: str, login: str) -> None:
    """A minimum strength: long enough, two kinds of characters (letters, digits, others), not
    built on the login, and not one of the passwords every guesser tries first."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
    if sum(1 for kind in _PASSWORD_CLASSES if kind.search(password)) < 2:
        raise UserError("密码须包含字母、数字、符号中的至少两类")
    key = login_key(login)
    # a short login ("li") may well occur in a password by chance; then the whole password may not be it
    if (len(key) >= _LOGIN_IN_PASSWORD and key in password.casefold()) or password.casefold() == key:
        raise UserError("password：密码不能包含登录名")
    # "li123456" for the login "li": a common password once the login is taken out
    if {password.casefold(), password.casefold().replace(key, "") if key else ""} & _common_passwords():
        raise UserError("password：这是最常见的密码之一，猜密码的人最先试它，请换一个")


def _actor_fields(actor: User | None) -> dict[str, Any]:
    """``actor`` None is the command line run by the server's operator."""
    return {"actor_id": actor.id if actor else None, "actor_login": actor.login if actor else "cli"}


def _audit(session: Session, actor: User | None, action: str, entity: str, entity_id: int, *,
           old: dict[str, Any] | None = None, new: dict[str, Any] | None = None) -> None:
    session.add(AuditEvent(at=utcnow(), action=action, entity=entity, entity_id=str(entity_id), old=old, new=new,
                           **_actor_fields(actor)))
    session.flush()
    # ids and the action only: the values (logins, names, addresses) stay in the audit trail
    log.info("%s %s #%d by %s", action, entity, entity_id, f"user #{actor.id}" if actor else "the operator")


def _may_manage(session: Session, actor: User | None, user: User | None = None) -> None:
    """An administrator manages the users of its own region (every user, when it has none)."""
    if actor is not None:
        check(actor, Action.MANAGE_USERS)
        if user is not None:
            region_scope.user(session, actor, user.id)


def _region_id(session: Session, actor: User | None, region: str | None, unit_id: int | None) -> int | None:
    """The district a user is bound to, from what was typed: a district's code or name, or
    ``all``. Left out: the district above the user's unit, else the administrator's own."""
    mine = region_scope.region_of(session, actor)
    if region is not None and region.strip().casefold() in _ALL_REGION_WORDS:
        if not mine.everywhere:
            raise UserError(f"region：您只能管理本地区（{mine.name}）的用户，不能设为全部地区")
        return None
    if region is not None and region.strip():
        district = find_org_unit(session, region, within=mine.unit_ids, field="region")
        if district.kind != "district":
            raise UserError(f"region：所属地区应为区县级单位，「{district.name}」不是")
        return district.id
    if unit_id is not None:
        found = _district_above(session, unit_id)
        if found is not None:
            return found
    return mine.unit_id


def _district_above(session: Session, unit_id: int) -> int | None:
    """The nearest district-level unit at or above ``unit_id``."""
    seen: set[int] = set()
    unit = session.get(OrgUnit, unit_id)
    while unit is not None and unit.id not in seen:
        if unit.kind == "district":
            return unit.id
        seen.add(unit.id)
        unit = session.get(OrgUnit, unit.parent_id) if unit.parent_id is not None else None
    return None


def _check_unit_in_region(session: Session, unit_id: int | None, region_id: int | None) -> None:
    if unit_id is None or region_id is None:
        return
    region = region_scope.district_of(session, region_id)
    if not region.has_unit(unit_id):
        unit = session.get_one(OrgUnit, unit_id)
        raise UserError(f"org_unit：填报单位「{unit.name}」不在所属地区「{region.name}」内")


def _checked_email(email: str) -> str:
    """An address reminders can be sent to, or blank (no e-mail for this user)."""
    email = email.strip()
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        raise UserError(f"电子邮箱：应为如 zhang@example.gov.cn 的地址，实际为「{email}」")
    return email


def add_user(session: Session, actor: User | None, login: str, password: str, role: str, *,
             name: str = "", org_unit: str | None = None, region: str | None = None, email: str = "") -> User:
    """Create a user. ``actor`` None is the command line run by the server's operator.

    A reporting clerk must be bound to an org unit (by code or name); other roles must not be.
    ``region`` binds the user to a district (code or name) or, ``all``, to every district;
    left out, a clerk is bound to its unit's district and others to the administrator's.
    """
    _may_manage(session, actor)
    if not _LOGIN.match(login):
        raise UserError(f"登录名应为 2–64 位字母、数字或 _.@-，实际为「{login}」")
    if not role.strip():
        raise UserError("请选择角色")
    try:
        parsed_role = Role(role)
    except ValueError:
        roles = "、".join(f"{r.label_zh}（{r.value}）" for r in Role)
        raise UserError(f"角色应为 {roles} 之一，实际为「{role}」") from None
    _check_password(password, login)
    email = _checked_email(email)
    if _by_login(session, login) is not None:
        raise UserError(f"用户 {login} 已存在")
    unit_id = None
    if parsed_role is Role.CLERK:
        if not org_unit:
            raise UserError("org_unit：填报员必须绑定一个填报单位（请选择单位；命令行用 --org-unit 单位代码或名称）")
        unit_id = find_org_unit(session, org_unit, within=region_scope.region_of(session, actor).unit_ids).id
    elif org_unit:
        raise UserError(f"org_unit：只有填报员绑定单位，角色「{parsed_role.label_zh}」不选单位")
    region_id = _region_id(session, actor, region, unit_id)
    _check_unit_in_region(session, unit_id, region_id)
    user = User(login=login, name=name, password_hash=_hasher.hash(password), role=parsed_role.value,
                org_unit_id=unit_id, region_org_unit_id=region_id, active=True, email=email)
    session.add(user)
    session.flush()
    _audit(session, actor, "create", "users", user.id,
           new={"login": login, "role": parsed_role.value, "org_unit_id": unit_id, "region_org_unit_id": region_id})
    return user


def set_region(session: Session, actor: User | None, user: User, region: str) -> bool:
    """Bind ``user`` to a district (code or name) or to every district (``all``); False when
    unchanged. Takes effect at the user's next request; audited."""
    _may_manage(session, actor, user)
    if not region.strip():
        raise UserError("region：请填写地区代码或名称，或 all（全部地区）")
    region_id = _region_id(session, actor, region, None)
    _check_unit_in_region(session, user.org_unit_id, region_id)
    if region_id == user.region_org_unit_id:
        return False
    old = {"region_org_unit_id": user.region_org_unit_id}
    user.region_org_unit_id = region_id
    _audit(session, actor, "set_region", "users", user.id, old=old, new={"region_org_unit_id": region_id})
    return True


def set_password(session: Session, actor: User | None, user: User, password: str) -> None:
    """A new password, set by an administrator (a reset) or by the user; the user's browser
    sessions end, whoever knew the old password is logged out."""
    if actor is None or actor.id != user.id:
        _may_manage(session, actor, user)
    _check_password(password, user.login)
    user.password_hash = _hasher.hash(password)
    ended = end_all_sessions(session, user.id)
    _audit(session, actor, "set_password", "users", user.id, new={"sessions_ended": ended})


def set_contact(session: Session, actor: User | None, user: User, *, name: str, email: str) -> None:
    """The name people know the user by (shown in the review queue and in threads) and the
    address reminders are e-mailed to."""
    _may_manage(session, actor, user)
    name, email = name.strip(), _checked_email(email)
    if len(name) > 100:
        raise UserError(f"姓名：不超过 100 个字，实际 {len(name)} 个字")
    old = {"name": user.name, "email": user.email}
    user.name, user.email = name, email
    _audit(session, actor, "set_contact", "users", user.id, old=old, new={"name": name, "email": email})


def set_active(session: Session, actor: User | None, user: User, active: bool) -> None:
    """Deactivate (sessions end, tokens are revoked) or reactivate a user.

    Tokens are revoked, not only refused while the user is inactive: reactivating an account
    must not bring back a token that a departed colleague's script still holds."""
    _may_manage(session, actor, user)
    if actor is not None and actor.id == user.id and not active:
        raise UserError("不能停用自己的账号")
    if user.active == active:
        return
    user.active = active
    new: dict[str, Any] = {"active": active}
    if not active:
        new["sessions_ended"] = end_all_sessions(session, user.id)
        revoked = session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
                                  .values(revoked=True))
        new["tokens_revoked"] = cast(CursorResult[Any], revoked).rowcount
    _audit(session, actor, "activate" if active else "deactivate", "users", user.id,
           old={"active": not active}, new=new)


def log_out_everywhere(session: Session, actor: User | None, user: User) -> int:
    """End all browser sessions of the user; returns how many there were."""
    if actor is None or actor.id != user.id:
        _may_manage(session, actor, user)
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
        _may_manage(session, actor, user)
    if expires_days is not None and not 1 <= expires_days <= MAX_TOKEN_DAYS:
        raise UserError(f"令牌有效天数应为 1–{MAX_TOKEN_DAYS}，实际为 {expires_days}")
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
        _may_manage(session, actor, user)
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    return [TokenView(t.id, t.label, utc(t.created_at), utc(t.expires_at) if t.expires_at else None, t.revoked)
            for t in rows]


def revoke_token(session: Session, actor: User | None, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise UserError(f"没有编号为 {token_id} 的 API 令牌")
    if actor is None or actor.id != token.user_id:
        _may_manage(session, actor, session.get_one(User, token.user_id))
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


@dataclass(frozen=True, slots=True)
class UserList:
    people: list[UserView]
    total: int  # users that match


def list_users(session: Session, actor: User | None, text: str = "", *, offset: int = 0,
               limit: int | None = 50) -> UserList:
    """A page of the users ``actor`` manages (those bound inside its region; everyone, for an
    administrator of every district), by login, whose login, name or unit contains ``text``,
    each with its unit and district: a province has thousands of clerks, the list is read a
    page at a time (``limit`` None: all of them, for the CLI)."""
    _may_manage(session, actor)
    mine = region_scope.region_of(session, actor)
    query = (select(User, OrgUnit.name).outerjoin(OrgUnit, OrgUnit.id == User.org_unit_id)
             .where(mine.unit_filter(User.region_org_unit_id)))
    wanted = text.strip()
    if wanted:
        query = query.where(or_(User.login.contains(wanted, autoescape=True), User.name.contains(wanted, autoescape=True),
                                OrgUnit.name.contains(wanted, autoescape=True)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(User.login).offset(offset).limit(limit)).all()
    regions = {unit_id: name for unit_id, name in session.execute(select(OrgUnit.id, OrgUnit.name).where(
        OrgUnit.id.in_({u.region_org_unit_id for u, _ in rows if u.region_org_unit_id is not None})))}
    return UserList([UserView(u.id, u.login, u.name, Role(u.role), u.org_unit_id, unit, u.active,
                              u.region_org_unit_id, regions.get(u.region_org_unit_id or 0)) for u, unit in rows], total)
