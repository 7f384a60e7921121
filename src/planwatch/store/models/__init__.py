"""All tables; importing this package registers them on :data:`Base.metadata`."""

from planwatch.store.models.assessment import AssessmentAdjustment, AssessmentScheme
from planwatch.store.models.base import Base, utcnow
from planwatch.store.models.evaluation import (
    EvaluationChange,
    EvaluationPending,
    EvaluationResultRow,
    EvaluationSnapshot,
    EvaluationVersion,
)
from planwatch.store.models.imports import ImportRecord
from planwatch.store.models.indicator_status import IndicatorDisposition
from planwatch.store.models.jobs import ImportJob, ImportJobFile
from planwatch.store.models.ledger import LedgerEvidence, LedgerReport
from planwatch.store.models.messages import Comment, Notification, Reminder
from planwatch.store.models.monitoring import (
    AppendOnlyViolation,
    AuditEvent,
    Observation,
    ObservationRevision,
    ReportingPeriod,
)
from planwatch.store.models.org import (
    ApiToken,
    Assignment,
    LoginCounter,
    OrgUnit,
    SessionKey,
    UnitNameMapping,
    User,
    WebSession,
)
from planwatch.store.models.plans import (
    Correction,
    Document,
    Indicator,
    LedgerEdit,
    Milestone,
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
from planwatch.store.models.publishing import (
    PublicationDecision,
    PublicationFile,
    PublicOpinion,
    PublicPostCounter,
)
from planwatch.store.models.settings import Setting

__all__ = [
    "ApiToken",
    "AppendOnlyViolation",
    "AssessmentAdjustment",
    "AssessmentScheme",
    "Assignment",
    "AuditEvent",
    "Base",
    "Comment",
    "Correction",
    "Document",
    "EvaluationChange",
    "EvaluationPending",
    "EvaluationResultRow",
    "EvaluationSnapshot",
    "EvaluationVersion",
    "ImportJob",
    "ImportJobFile",
    "ImportRecord",
    "Indicator",
    "IndicatorDisposition",
    "LedgerEdit",
    "LedgerEvidence",
    "LedgerReport",
    "LoginCounter",
    "Milestone",
    "Notification",
    "Observation",
    "ObservationRevision",
    "OrgUnit",
    "Plan",
    "Project",
    "ProjectUnit",
    "PublicOpinion",
    "PublicPostCounter",
    "PublicationDecision",
    "PublicationFile",
    "Reminder",
    "ReportingPeriod",
    "SearchEntry",
    "Section",
    "SessionKey",
    "Setting",
    "SourceFile",
    "Target",
    "Task",
    "TaskTarget",
    "UnitNameMapping",
    "User",
    "WebSession",
    "utcnow",
]
