"""The store's clock: the wall clock, or the moment a block of past records is entered at."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from planwatch.store.clock import recorded_at, utcnow
from planwatch.store.models import AuditEvent, User


def test_records_in_the_block_carry_its_moment_and_the_wall_clock_returns_after() -> None:
    beijing = timezone(timedelta(hours=8))
    actor = User(id=1, login="tongji")
    with recorded_at(datetime(2023, 2, 10, 17, tzinfo=beijing)):
        assert utcnow() == datetime(2023, 2, 10, 9, tzinfo=UTC)
        assert AuditEvent.of(actor, "submit", "observations", 7).at == datetime(2023, 2, 10, 9, tzinfo=UTC)
    assert abs(utcnow() - datetime.now(UTC)) < timedelta(seconds=5)
    assert AuditEvent.of(actor, "submit", "observations", 7).at.year == datetime.now(UTC).year


def test_a_moment_without_a_timezone_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"), recorded_at(datetime(2023, 2, 10)):
        pass
