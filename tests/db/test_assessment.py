"""The assessment computed from a district's stored data (the demo 青川区), on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.monitor.permissions import PermissionDenied
from planwatch.services import assessment
from planwatch.store import Database
from planwatch.store.models import AuditEvent, OrgUnit, Plan, User


def _user(session: Session, login: str) -> User:
    return session.scalars(select(User).where(User.login == login)).one()


def test_every_responsible_unit_is_scored_ranked_and_explained(demo_database: Database) -> None:
    with demo_database.session() as session:
        plan = session.scalars(select(Plan)).one()
        leader = _user(session, "lingdao")
        result = assessment.assess(session, leader, plan, 2024)
        units = [u for members in result.groups.values() for u in members]
        assert units and set(result.groups) <= {"departments", "towns"}
        for unit in units:
            # the breakdown explains the total: categories' points plus the adjustments
            assert unit.total == pytest.approx(sum(unit.by_category.values()) + sum(p for p, _ in unit.adjustments),
                                               abs=0.01)
            assert abs(sum(unit.weights.values()) - 100) < 1e-6  # weights shared out over what it carries
            assert all(item.rule for item in unit.items)
        departments = result.groups["departments"]
        assert [u.rank for u in departments] == sorted(u.rank for u in departments)
        assert any(i.category == "completeness" for u in units for i in u.items)

        pinggu = _user(session, "pinggu")
        target = session.get_one(OrgUnit, departments[0].org_unit_id)
        before = departments[0].total
        assessment.add_adjustment(session, pinggu, plan, 2024, target.id, -3.0, "数据报送迟报两次")
        with pytest.raises(ValueError, match="原因"):
            assessment.add_adjustment(session, pinggu, plan, 2024, target.id, 1.0, " ")
        with pytest.raises(PermissionDenied):
            assessment.add_adjustment(session, _user(session, "fgw"), plan, 2024, target.id, 5.0, "自评")
        after = assessment.assess(session, leader, plan, 2024)
        scored = next(u for members in after.groups.values() for u in members if u.org_unit_id == target.id)
        assert scored.total == pytest.approx(before - 3.0, abs=0.01)
        assert (-3.0, "数据报送迟报两次") in scored.adjustments

        weights = dict(assessment.scheme_for(session, plan.id, 2024)["weights"], timeliness=0, quality=0)
        assessment.save_scheme(session, pinggu, plan, 2024, {"weights": weights})
        assert assessment.scheme_for(session, plan.id, 2024)["weights"]["timeliness"] == 0
        assert assessment.scheme_for(session, plan.id, 2025)["weights"]["timeliness"] == 7  # per year
        actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.entity.like("assessment_%"))))
        assert actions == {"adjust", "scheme"}


def test_a_clerk_sees_only_its_own_units_breakdown(demo_database: Database) -> None:
    with demo_database.session() as session:
        plan = session.scalars(select(Plan)).one()
        clerk = _user(session, "wjw")
        result = assessment.assess(session, clerk, plan, 2024)
        units = [u for members in result.groups.values() for u in members]
        assert [u.org_unit_id for u in units] == [clerk.org_unit_id]
