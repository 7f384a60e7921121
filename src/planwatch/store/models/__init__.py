"""All tables; importing this package registers them on :data:`Base.metadata`."""

from planwatch.store.models.base import Base, utcnow
from planwatch.store.models.monitoring import (
    AppendOnlyViolation,
    AuditEvent,
    Observation,
    ObservationRevision,
    ReportingPeriod,
)
from planwatch.store.models.org import ApiToken, Assignment, LoginCounter, OrgUnit, User, WebSession
from planwatch.store.models.plans import (
    Correction,
    Document,
    Indicator,
    Plan,
    SearchEntry,
    Section,
    SourceFile,
    Target,
    Task,
)
from planwatch.store.models.settings import Setting

__all__ = [
    "ApiToken",
    "AppendOnlyViolation",
    "Assignment",
    "AuditEvent",
    "Base",
    "Correction",
    "Document",
    "Indicator",
    "LoginCounter",
    "Observation",
    "ObservationRevision",
    "OrgUnit",
    "Plan",
    "ReportingPeriod",
    "SearchEntry",
    "Section",
    "Setting",
    "SourceFile",
    "Target",
    "Task",
    "User",
    "WebSession",
    "utcnow",
]
