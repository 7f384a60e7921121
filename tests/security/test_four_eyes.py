"""Issue 14, item 6: whoever entered or submitted a value cannot approve it, unless an
administrator switched the rule off, which the audit trail records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.monitor.permissions import PermissionDenied, SameReviewer
from planwatch.monitor.workflow import ObservationState
from planwatch.services import observations as obs
from planwatch.services import review, settings
from planwatch.store.models import AuditEvent, Observation
from tests.conftest import DIALECTS, District, seeded, user


@pytest.fixture(params=DIALECTS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Session, District]]:
    with seeded(request.param, tmp_path) as pair:
        yield pair


def _entered_and_submitted_by(session: Session, d: District, login: str) -> int:
    person = user(session, d, login)
    view = obs.enter_value(session, person, d.open_period, obs.ObservationInput(d.enrolment, d.education, "95%"))
    obs.submit(session, person, view.id)
    session.commit()
    return view.id


def test_the_monitoring_group_cannot_approve_its_own_value(db: tuple[Session, District]) -> None:
    session, d = db
    observation_id = _entered_and_submitted_by(session, d, "li_jc")
    with pytest.raises(SameReviewer, match="四眼原则"):
        review.approve(session, user(session, d, "li_jc"), observation_id)
    session.rollback()
    assert review.approve(session, user(session, d, "sun_jc"), observation_id).state is ObservationState.APPROVED


def test_the_submitter_of_a_clerks_value_cannot_approve_it(db: tuple[Session, District]) -> None:
    session, d = db
    clerk, monitor = user(session, d, "zhang_jy"), user(session, d, "li_jc")
    view = obs.enter_value(session, clerk, d.open_period, obs.ObservationInput(d.enrolment, d.education, "95%"))
    obs.submit(session, monitor, view.id)  # the monitoring group sends it on for the unit
    with pytest.raises(SameReviewer):
        review.approve_many(session, monitor, [view.id])
    session.rollback()


def test_a_reviewers_own_value_stops_a_batch(db: tuple[Session, District]) -> None:
    """A batch reads who was involved in all its values at once: a reviewer's own value in it
    stops the batch and nothing of it is approved; another reviewer approves all of it."""
    session, d = db
    own = _entered_and_submitted_by(session, d, "li_jc")
    clerk = user(session, d, "zhang_jy")
    theirs = obs.enter_value(session, clerk, d.open_period, obs.ObservationInput(
        d.enrolment, d.education, "96%", disaggregation=obs.Disaggregation(sex="female"))).id
    obs.submit(session, clerk, theirs)
    session.commit()
    li = user(session, d, "li_jc")
    with pytest.raises(SameReviewer):
        review.approve_many(session, li, [theirs, own])
    session.rollback()
    assert session.get_one(Observation, theirs).state == ObservationState.SUBMITTED.value
    decided = review.approve_many(session, user(session, d, "sun_jc"), [theirs, own])
    assert [v.state for v in decided] == [ObservationState.APPROVED] * 2


def test_only_an_administrator_switches_the_rule_off_and_it_is_audited(db: tuple[Session, District]) -> None:
    session, d = db
    observation_id = _entered_and_submitted_by(session, d, "li_jc")
    with pytest.raises(PermissionDenied):
        settings.set_four_eyes(session, user(session, d, "li_jc"), False)
    session.rollback()
    settings.set_four_eyes(session, user(session, d, "admin"), False, "监测组仅一人")
    session.commit()
    assert review.approve(session, user(session, d, "li_jc"), observation_id).state is ObservationState.APPROVED
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity == "settings")).one()
    assert (event.actor_login, event.old, event.new, event.reason) == (
        "admin", {"required": True}, {"required": False}, "监测组仅一人")
