"""Public opinions (公众意见) on a published plan or indicator: received, moderated, answered.

Anyone may write; nothing is shown before the office moderated it, and the office answers
in public. A contact (phone, e-mail) is kept only when the writer consents to it being kept
for the declared retention period, is never shown and never leaves the moderation page; it
is erased when that period ends (:func:`expire_contacts`, run by ``planwatch opinions
expire``) or when the writer asks (:func:`erase_contact`, :func:`delete_opinion`). The
Personal Information Protection Law asks for exactly that: a stated purpose and period,
consent, and deletion on request.

The audit trail is append-only, so it records what was done to which opinion and never the
text or the contact, which must stay erasable.

Posting is limited per client address (:class:`OpinionThrottle`), the address itself kept
only as a keyed hash for the window's length.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, delete, func, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from planwatch.errors import NotFound, PlanWatchError
from planwatch.monitor.permissions import Action, check
from planwatch.report.content import Participation
from planwatch.services import region_scope
from planwatch.services.periods import utc
from planwatch.services.public_snapshot import BEIJING
from planwatch.services.site_version import bump_site_version
from planwatch.store.models import (
    AuditEvent,
    Plan,
    PublicationDecision,
    PublicOpinion,
    PublicPostCounter,
    Setting,
    User,
    utcnow,
)

__all__ = ["MAX_CONTACT", "MAX_TEXT", "MIN_TEXT", "OPINION_ENTITY", "STATES", "OpinionNotFound", "OpinionRejected",
           "OpinionThrottle", "OpinionView", "ShownOpinion", "answer_opinion", "contact_retention_days",
           "delete_opinion", "erase_contact", "expire_contacts", "list_opinions", "moderate_opinion",
           "participation", "post_opinion", "report_participation", "report_years", "set_contact_retention", "shown_opinions"]

OPINION_ENTITY: Final = "public_opinions"
STATES: Final = ("pending", "shown", "rejected", "deleted")
MIN_TEXT, MAX_TEXT, MAX_CONTACT, MAX_ANSWER = 5, 2000, 100, 4000
DEFAULT_RETENTION_DAYS: Final = 180
_RETENTION_SETTING: Final = "opinion_contact_retention_days"
_SALT_SETTING: Final = "opinion_address_salt"
MAX_PENDING: Final = 2000  # waiting for moderation over all addresses: a flood from many addresses stops here
_PUBLIC: Final = "public"  # the audit trail's actor for a visitor


class OpinionRejected(PlanWatchError):
    """An opinion that is not stored; ``code`` names the problem for the form's message in the
    visitor's language, ``values`` its numbers; the text itself is in Chinese."""

    code: str

    def __init__(self, code: str, message: str, **values: int) -> None:
        self.code = code
        self.values = values
        super().__init__(message)


class OpinionNotFound(NotFound):
    """No such opinion, or one about a plan of another district (answered alike: 404)."""

    def __init__(self, opinion_id: int) -> None:
        super().__init__(f"公众意见 #{opinion_id} 不存在")


def _clean(text: str) -> str:
    """One form of the text: normalized (NFC), line breaks as \\n, control characters dropped."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c)[0] != "C").strip()


def contact_retention_days(session: Session) -> int:
    """The declared period a consenting writer's contact is kept (shown on the form)."""
    row = session.get(Setting, _RETENTION_SETTING)
    return DEFAULT_RETENTION_DAYS if row is None else int(row.value)


def set_contact_retention(session: Session, actor: User | None, days: int) -> None:
    """Declare how long contacts are kept (administrators; ``actor`` None is the operator).
    Contacts already kept keep the period declared when they were given."""
    if actor is not None:
        check(actor, Action.CONFIGURE)
    if not 1 <= days <= 3650:
        raise OpinionRejected("retention", f"保存期限应为 1 到 3650 天，实际为 {days}")
    row = session.get(Setting, _RETENTION_SETTING)
    old = contact_retention_days(session)
    if row is None:
        session.add(Setting(key=_RETENTION_SETTING, value=days, updated_by_id=actor.id if actor else None))
    else:
        row.value, row.updated_at, row.updated_by_id = days, utcnow(), actor.id if actor else None
    session.add(_event(actor, "configure", _RETENTION_SETTING, old={"days": old}, new={"days": days}))
    session.flush()


def _event(actor: User | None, action: str, entity_id: int | str, *, old: dict[str, Any] | None = None,
           new: dict[str, Any] | None = None, reason: str | None = None) -> AuditEvent:
    """An audit event by a user, the visitor (``actor`` None on a post) or the operator."""
    entity = "settings" if entity_id == _RETENTION_SETTING else OPINION_ENTITY
    return AuditEvent(at=utcnow(), actor_id=actor.id if actor else None,
                      actor_login=actor.login if actor else _PUBLIC if action == "post" else "system",
                      action=action, entity=entity, entity_id=str(entity_id), old=old, new=new, reason=reason)


def post_opinion(session: Session, *, plan_key: str, indicator_code: str | None, subject: str, text: str,
                 contact: str = "", consent: bool = False, language: str = "zh") -> PublicOpinion:
    """Store a visitor's opinion, waiting for moderation. The caller has checked that the plan
    (and indicator) is public and what the subject is called there; the limits on the visitor
    (address, form timing) are the caller's too."""
    text, contact = _clean(text), _clean(contact)
    if len(text) < MIN_TEXT:
        raise OpinionRejected("text_short", f"意见内容至少 {MIN_TEXT} 个字", limit=MIN_TEXT)
    if len(text) > MAX_TEXT:
        raise OpinionRejected("text_long", f"意见内容最多 {MAX_TEXT} 个字，实际 {len(text)} 个字",
                              limit=MAX_TEXT, length=len(text))
    if len(contact) > MAX_CONTACT:
        raise OpinionRejected("contact_long", f"联系方式最多 {MAX_CONTACT} 个字", limit=MAX_CONTACT)
    if contact and not consent:
        raise OpinionRejected("consent", "留下联系方式须同意其保存期限和用途；不同意请删去联系方式")
    pending = session.scalar(select(func.count()).select_from(PublicOpinion).where(PublicOpinion.state == "pending"))
    if (pending or 0) >= MAX_PENDING:
        raise OpinionRejected("full", "待处理的意见太多，请过几天再提交")
    now = utcnow()
    opinion = PublicOpinion(plan_key=plan_key, indicator_code=indicator_code, subject=subject, text=text,
                            contact=contact or None, language=language, received_at=now, state="pending",
                            contact_expires_at=now + timedelta(days=contact_retention_days(session))
                            if contact else None, answer="")
    session.add(opinion)
    session.flush()
    session.add(_event(None, "post", opinion.id, new={"plan_key": plan_key, "indicator": indicator_code,
                                                       "length": len(text), "contact": bool(contact)}))
    session.flush()
    return opinion


class OpinionThrottle:
    """At most ``max_posts`` opinions per client address in ``window`` seconds, counted in the
    database (every app process sees the same count) with one atomic upsert per post."""

    def __init__(self, max_posts: int = 5, window: float = 3600.0,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.max_posts = max_posts
        self.window = timedelta(seconds=window)
        self._clock = clock

    def attempt(self, session: Session, ip: str) -> int | None:
        """Count one post; seconds to wait when over the limit, None when it may be stored."""
        now = self._clock()
        session.execute(delete(PublicPostCounter).where(PublicPostCounter.started_at <= now - self.window))
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        statement = (dialect.insert(PublicPostCounter)
                     .values(address=_address_key(session, ip), started_at=now, posts=1)
                     .on_conflict_do_update(index_elements=["address"], set_={"posts": PublicPostCounter.posts + 1})
                     .returning(PublicPostCounter.posts, PublicPostCounter.started_at))
        posts, started_at = session.execute(statement).one()
        if posts > self.max_posts:
            return max(1, int((utc(started_at) + self.window - now).total_seconds()) + 1)
        return None


def _address_key(session: Session, ip: str) -> str:
    """The address as a keyed hash: the counters must tell addresses apart, not name them."""
    row = session.get(Setting, _SALT_SETTING)
    if row is None:
        row = Setting(key=_SALT_SETTING, value=secrets.token_hex(16))
        session.add(row)
        session.flush()
    return hmac.new(str(row.value).encode(), ip.encode(), hashlib.sha256).hexdigest()[:64]


@dataclass(frozen=True, slots=True)
class OpinionView:
    """An opinion as the moderators see it, contact included; times in Beijing time."""

    id: int
    plan_key: str
    indicator_code: str | None
    subject: str
    text: str
    contact: str | None
    contact_expires_at: datetime | None
    language: str
    received_at: datetime
    state: str
    answer: str
    answered_at: datetime | None


def _local(moment: datetime | None) -> datetime | None:
    """Beijing time, as the office reads its clock."""
    return utc(moment).astimezone(BEIJING) if moment is not None else None


def _view(o: PublicOpinion) -> OpinionView:
    received = _local(o.received_at)
    assert received is not None
    return OpinionView(o.id, o.plan_key, o.indicator_code, o.subject, o.text, o.contact,
                       _local(o.contact_expires_at), o.language, received, o.state, o.answer, _local(o.answered_at))


def list_opinions(session: Session, actor: User, state: str | None = "pending",
                  plan_key: str | None = None) -> list[OpinionView]:
    """The moderation queue (oldest first) or the opinions in ``state`` (None: all), about the
    plans of ``actor``'s district."""
    check(actor, Action.MODERATE_OPINIONS)
    query = select(PublicOpinion).where(_of_region(session, actor)).order_by(PublicOpinion.received_at,
                                                                             PublicOpinion.id)
    if state is not None:
        query = query.where(PublicOpinion.state == state)
    if plan_key is not None:
        query = query.where(PublicOpinion.plan_key == plan_key)
    return [_view(o) for o in session.scalars(query)]


def _of_region(session: Session, actor: User | None) -> ColumnElement[bool]:
    """A WHERE clause keeping the opinions about plans of ``actor``'s district."""
    region = region_scope.region_of(session, actor)
    return true() if region.everywhere else PublicOpinion.plan_key.in_(select(Plan.plan_key).where(region.plan_filter()))


def _get(session: Session, actor: User, opinion_id: int) -> PublicOpinion:
    """An opinion about a plan of ``actor``'s district; one of another district is answered
    like a missing one."""
    opinion = session.scalar(select(PublicOpinion).where(PublicOpinion.id == opinion_id, _of_region(session, actor)))
    if opinion is None:
        raise OpinionNotFound(opinion_id)
    return opinion


def _refuse_deleted(opinion: PublicOpinion) -> None:
    if opinion.state == "deleted":
        raise OpinionRejected("deleted", f"公众意见 #{opinion.id} 已应请求删除")


def moderate_opinion(session: Session, actor: User, opinion_id: int, *, show: bool, reason: str = "") -> OpinionView:
    """Show the opinion on the public site, or keep it off (rejected, with an internal reason)."""
    check(actor, Action.MODERATE_OPINIONS)
    opinion = _get(session, actor, opinion_id)
    _refuse_deleted(opinion)
    if not show and not reason.strip():
        raise OpinionRejected("reason", "不予公开须说明原因（仅内部可见）")
    old = opinion.state
    opinion.state = "shown" if show else "rejected"
    opinion.moderated_by_id, opinion.moderated_at = actor.id, utcnow()
    session.add(_event(actor, "show" if show else "reject", opinion.id, old={"state": old},
                       new={"state": opinion.state}, reason=reason.strip() or None))
    _changed_site(session, old, opinion.state)
    return _view(opinion)


def answer_opinion(session: Session, actor: User, opinion_id: int, answer: str) -> OpinionView:
    """The office's public answer (shown with the opinion once the opinion is shown)."""
    check(actor, Action.MODERATE_OPINIONS)
    opinion = _get(session, actor, opinion_id)
    _refuse_deleted(opinion)
    answer = _clean(answer)
    if not answer:
        raise OpinionRejected("answer_empty", "答复内容不能为空")
    if len(answer) > MAX_ANSWER:
        raise OpinionRejected("answer_long", f"答复最多 {MAX_ANSWER} 个字", limit=MAX_ANSWER)
    old = opinion.answer
    opinion.answer, opinion.answered_by_id, opinion.answered_at = answer, actor.id, utcnow()
    session.add(_event(actor, "answer", opinion.id, old={"answer": old} if old else None, new={"answer": answer}))
    _changed_site(session, opinion.state, opinion.state)
    return _view(opinion)


def _changed_site(session: Session, before: str, after: str) -> None:
    """Flush; and when the opinion is or was on the public site, move the site's version."""
    session.flush()
    if "shown" in (before, after):
        bump_site_version(session)


def erase_contact(session: Session, actor: User, opinion_id: int, reason: str = "") -> OpinionView:
    """Erase the writer's contact on request (the opinion stays)."""
    check(actor, Action.MODERATE_OPINIONS)
    opinion = _get(session, actor, opinion_id)
    had = opinion.contact is not None
    opinion.contact, opinion.contact_expires_at = None, None
    session.add(_event(actor, "erase_contact", opinion.id, old={"contact": had}, new={"contact": False},
                       reason=reason.strip() or None))
    session.flush()
    return _view(opinion)


def delete_opinion(session: Session, actor: User, opinion_id: int, reason: str = "") -> OpinionView:
    """Delete an opinion on its writer's request: text, contact and answer are erased and it
    leaves the public site; the row stays as 已删除 so that the counts of the annual report
    and the audit trail keep their meaning."""
    check(actor, Action.MODERATE_OPINIONS)
    opinion = _get(session, actor, opinion_id)
    old = opinion.state
    opinion.text, opinion.contact, opinion.contact_expires_at, opinion.answer = "", None, None, ""
    opinion.state = "deleted"
    session.add(_event(actor, "delete", opinion.id, old={"state": old}, new={"state": "deleted"},
                       reason=reason.strip() or None))
    _changed_site(session, old, "deleted")
    return _view(opinion)


def expire_contacts(session: Session, now: datetime | None = None) -> int:
    """Erase every contact whose retention period has ended; how many were erased."""
    moment = now or utcnow()
    due = list(session.scalars(select(PublicOpinion).where(
        PublicOpinion.contact.is_not(None), PublicOpinion.contact_expires_at <= moment)))
    for opinion in due:
        opinion.contact, opinion.contact_expires_at = None, None
        session.add(_event(None, "expire_contact", opinion.id, old={"contact": True}, new={"contact": False},
                           reason="保存期限届满"))
    session.flush()
    return len(due)


@dataclass(frozen=True, slots=True)
class ShownOpinion:
    """What the public site shows of an opinion: never the contact, never who moderated."""

    id: int
    indicator_code: str | None
    text: str
    received_on: str  # YYYY-MM-DD, Beijing
    answer: str
    answered_on: str


def shown_opinions(session: Session) -> dict[str, list[ShownOpinion]]:
    """plan key → its shown opinions, oldest first."""
    out: dict[str, list[ShownOpinion]] = {}
    for o in session.scalars(select(PublicOpinion).where(PublicOpinion.state == "shown")
                             .order_by(PublicOpinion.received_at, PublicOpinion.id)):
        out.setdefault(o.plan_key, []).append(ShownOpinion(
            o.id, o.indicator_code, o.text, _day(o.received_at), o.answer if o.answered_at else "",
            _day(o.answered_at) if o.answered_at else ""))
    return out


def _day(moment: datetime) -> str:
    local = _local(moment)
    assert local is not None
    return local.date().isoformat()


def participation(session: Session, plan_key: str, first_year: int, last_year: int) -> Participation:
    """Counts of the opinions received in the years (Beijing calendar) for the annual report."""
    start = datetime(first_year, 1, 1, tzinfo=BEIJING).astimezone(UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=BEIJING).astimezone(UTC)
    in_years = and_(PublicOpinion.plan_key == plan_key, PublicOpinion.received_at >= start,
                    PublicOpinion.received_at < end)
    counts: Mapping[str, int] = {state: n for state, n in session.execute(
        select(PublicOpinion.state, func.count()).where(in_years).group_by(PublicOpinion.state))}
    answered = session.scalar(select(func.count()).select_from(PublicOpinion).where(
        in_years, PublicOpinion.state == "shown", PublicOpinion.answered_at.is_not(None))) or 0
    return Participation(first_year, last_year, sum(counts.values()), counts.get("shown", 0), answered,
                         counts.get("rejected", 0))


def report_participation(session: Session, plan: Plan, year: int, whole_period: bool) -> Participation | None:
    """The counts a report about ``plan`` prints (the year's, or the plan period's up to
    ``year``); None for a plan never published and never commented on."""
    published = session.scalar(select(PublicationDecision.id).where(
        PublicationDecision.plan_key == plan.plan_key, PublicationDecision.state == "published").limit(1))
    if published is None and session.scalar(select(PublicOpinion.id).where(
            PublicOpinion.plan_key == plan.plan_key).limit(1)) is None:
        return None
    return participation(session, plan.plan_key, *report_years(plan, year, whole_period))


def report_years(plan: Plan, year: int, whole_period: bool) -> tuple[int, int]:
    """The years a report counts opinions over: its year, or the plan period up to it."""
    return (min(plan.start_year or year, year) if whole_period else year), year
