"""What people decided about an indicator's place in the system: retired, or merged into another.

Kept by plan key and indicator key (like corrections), not by row id, so that a plan imported
again or revised finds the decision again and the new version's indicator is retired or
merged as well. A restored indicator loses its row; the audit trail keeps the history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from planwatch.store.models.base import Base, utcnow

__all__ = ["IndicatorDisposition"]


class IndicatorDisposition(Base):
    """An indicator retired (``merged_into_key`` None) or merged into the indicator of that key."""

    __tablename__ = "indicator_dispositions"
    __table_args__ = (UniqueConstraint("plan_key", "indicator_key", name="uq_indicator_dispositions_plan_indicator"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_key: Mapped[str] = mapped_column(String(255))
    indicator_key: Mapped[str] = mapped_column(String(255))
    merged_into_key: Mapped[str | None] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
