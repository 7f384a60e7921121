"""Fifty reporting processes at once: nothing lost, nothing stored twice, every change audited."""

from __future__ import annotations

import multiprocessing
import random
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from planwatch.monitor.workflow import ObservationState
from planwatch.services import observations as obs
from planwatch.store import Database
from planwatch.store.models.monitoring import AuditEvent, Observation, ObservationRevision
from tests.conftest import DIALECTS, ONE_AT_A_TIME, District, seeded_database, user

WORKERS = 50
ENTRIES_PER_WORKER = 3


def _retrying(url: str, work: object, attempts: int = 400) -> None:
    """Run ``work(session)`` in its own transaction until it commits.

    A lost race shows up as ConcurrentUpdate (PostgreSQL, or a stale version) or, on
    SQLite, as the database being locked by another writer; both leave nothing stored.
    """
    database = Database(url)
    try:
        for attempt in range(attempts):
            with database.sessions() as session:
                try:
                    work(session)  # type: ignore[operator]
                    session.commit()
                    return
                except (obs.ConcurrentUpdate, OperationalError):
                    session.rollback()
                    # A random wait that grows with the losses, as a client should: fifty
                    # retrying in step would mostly lose to each other again.
                    time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** attempt)))
        raise AssertionError(f"no commit after {attempts} attempts")
    finally:
        database.dispose()


def _worker(url: str, d: District, number: int, barrier: Barrier) -> None:
    barrier.wait()
    for k in range(ENTRIES_PER_WORKER):
        def contended(session: Session, k: int = k) -> None:
            clerk = user(session, d, "zhang_jy")
            current = obs.list_observations(session, clerk, d.open_period, indicator_ids=[d.enrolment])
            shared = [v for v in current if v.disaggregation == obs.TOTAL]
            obs.enter_value(session, clerk, d.open_period,
                            obs.ObservationInput(d.enrolment, d.education, f"{90 + number / 100:.2f}%",
                                                 note=f"w{number}-e{k}"),
                            expected_version=shared[0].version if shared else None)
        _retrying(url, contended)

    def own(session: Session) -> None:
        clerk = user(session, d, "zhang_jy")
        view = obs.enter_value(session, clerk, d.open_period, obs.ObservationInput(
            d.enrolment, d.education, f"{number}%", disaggregation=obs.Disaggregation(age_group=f"g{number:02d}")))
        obs.submit(session, clerk, view.id)
    _retrying(url, own)


@ONE_AT_A_TIME
@pytest.mark.parametrize("dialect", DIALECTS)
def test_fifty_concurrent_submitters(dialect: str, tmp_path: Path) -> None:
    with seeded_database(dialect, tmp_path) as (url, d):
        # Fifty real processes, forked from one server that has imported the product and the
        # database driver once (spawned, each would import them again: fifty imports on two cores).
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__, "planwatch.services.observations", "planwatch.store", "psycopg"])
        barrier = context.Barrier(WORKERS)
        processes = [context.Process(target=_worker, args=(url, d, n, barrier)) for n in range(WORKERS)]
        for p in processes:
            p.start()
        for p in processes:
            p.join(timeout=600)
        assert [p.exitcode for p in processes] == [0] * WORKERS

        database = Database(url)
        with database.sessions() as session:
            shared = session.scalars(select(Observation).where(Observation.age_group == "")).one()
            total = WORKERS * ENTRIES_PER_WORKER
            revisions = session.scalars(select(ObservationRevision).where(
                ObservationRevision.observation_id == shared.id).order_by(ObservationRevision.revision)).all()
            assert [r.revision for r in revisions] == list(range(1, total + 1))
            assert sorted(r.note for r in revisions) == sorted(
                f"w{n}-e{k}" for n in range(WORKERS) for k in range(ENTRIES_PER_WORKER))
            assert (shared.current_revision, shared.version) == (total, total)
            entered = session.scalars(select(AuditEvent).where(
                AuditEvent.entity_id == str(shared.id), AuditEvent.entity == obs.OBSERVATION_ENTITY)
                .order_by(AuditEvent.id)).all()
            assert [(e.new or {})["revision"] for e in entered] == list(range(1, total + 1))
            assert [(e.new or {})["value_text"] for e in entered] == [r.value_text for r in revisions]

            own = session.scalars(select(Observation).where(Observation.age_group != "")).all()
            assert sorted(o.age_group for o in own) == [f"g{n:02d}" for n in range(WORKERS)]
            assert {(o.state, o.current_revision) for o in own} == {(ObservationState.SUBMITTED.value, 1)}
            actions = session.scalars(select(AuditEvent.action).where(
                AuditEvent.entity == obs.OBSERVATION_ENTITY, AuditEvent.entity_id.in_([str(o.id) for o in own]))).all()
            assert sorted(actions) == ["enter"] * WORKERS + ["submit"] * WORKERS
        database.dispose()
