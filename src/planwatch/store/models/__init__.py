"""All tables; importing this package registers them on :data:`Base.metadata`."""

from planwatch.store.models.assessment import AssessmentAdjustment, AssessmentScheme
from planwatch.store.models.base import Base, utcnow
from planwatch.store.models.ledger import LedgerEvidence, LedgerReport
from planwatch.store.models.monitoring import (
    AppendOnlyViolation,
    AuditEvent,
    Observation,
    ObservationRevision,
    ReportingPeriod,
)
from planwatch.store.models.org import ApiToken, Assignment, LoginFailure, OrgUnit, User
from planwatch.store.models.plans import (
    Correction,
    Document,
    Indicator,
    Plan,
    Project,
    ProjectUnit,
    SearchEntry,
    Section,
    SourceFile,
    Target,
    Task,
    TaskTarget,
)

__all__ = [
    "ApiToken",
    "AppendOnlyViolation",
    "AssessmentAdjustment",
    "AssessmentScheme",
    "Assignment",
    "AuditEvent",
    "Base",
    "Correction",
    "Document",
    "Indicator",
    "LedgerEvidence",
    "LedgerReport",
    "LoginFailure",
    "Observation",
    "ObservationRevision",
    "OrgUnit",
    "Plan",
    "Project",
    "ProjectUnit",
    "ReportingPeriod",
    "SearchEntry",
    "Section",
    "SourceFile",
    "Target",
    "Task",
    "TaskTarget",
    "User",
    "utcnow",
]
