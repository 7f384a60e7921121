"""What was read from the source files: files, documents, plans, outline, indicators, tasks.

A plan is identified across revisions by its ``plan_key`` (the title without revision
marks); each import of a changed text is a new ``version`` of the same key, and an
indicator keeps its ``key`` (name and unit, normalised) across versions so that its
responsibilities and data can be carried over when it did not change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planwatch.store.models.base import Base, utcnow

__all__ = ["Correction", "Document", "Indicator", "LedgerEdit", "Milestone", "Plan", "SearchEntry", "Section", "SourceFile",
           "Target", "Task"]


class SourceFile(Base):
    """An imported file; its hash makes re-importing the same bytes a no-op."""

    __tablename__ = "source_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(8))
    size: Mapped[int] = mapped_column(Integer)
    # The lines as extraction numbered them, so the viewer can show line N for any format.
    text: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Passages that looked like targets but gave no indicator ({line, kind, seen, code, reason}),
    # so the viewer can point the analyst at them; None for files imported before this was kept.
    diagnostics: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # A PDF's scanned pages: {engine, pages read by OCR, the lines read from them, pages left unread
    # for want of an engine}; None when every page had a text layer (or for files of other formats).
    ocr: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Document(Base):
    """A gazette item with its GB/T 9704 metadata."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_files.id"), index=True)
    start_line: Mapped[int] = mapped_column(Integer)
    end_line: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    doc_number: Mapped[str | None] = mapped_column(String(64))
    issuer: Mapped[str | None] = mapped_column(String(255))
    date: Mapped[str | None] = mapped_column(String(10))  # ISO date as printed (成文日期)


class Plan(Base):
    """One version of a plan; ``current`` marks the version monitoring works on."""

    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("plan_key", "version", name="uq_plans_key_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_key: Mapped[str] = mapped_column(String(255), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    title: Mapped[str] = mapped_column(Text)
    start_year: Mapped[int | None] = mapped_column(Integer)
    end_year: Mapped[int | None] = mapped_column(Integer)
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_files.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    doc_number: Mapped[str | None] = mapped_column(String(64))
    start_line: Mapped[int] = mapped_column(Integer)
    end_line: Mapped[int] = mapped_column(Integer)
    # The signature of the indicator system (keys and definitions), to tell a revision apart.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # Evaluation settings of this plan (status thresholds…), as PlanConfig field → value.
    settings: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The district (an org-unit subtree) the plan belongs to: its responsible units are
    # matched only there. None with ``region_name`` set: the plan names a district that is
    # not in the org-unit tree, so nothing is assigned automatically.
    region_org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    region_name: Mapped[str | None] = mapped_column(String(100))  # as detected: 大足区

    indicators: Mapped[list[Indicator]] = relationship(back_populates="plan", order_by="Indicator.line")


class Section(Base):
    """An outline node (篇/章/节/一、/（一）/1.) of a plan."""

    __tablename__ = "sections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    rank: Mapped[float] = mapped_column(Double)
    number: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)


class Indicator(Base):
    """A monitored indicator of one plan version, traceable to its source line."""

    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("plan_id", "key", name="uq_indicators_plan_key"),
                      # a page of a plan's indicators, in code order, reads only that page
                      Index("ix_indicators_plan_code", "plan_id", "code"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    key: Mapped[str] = mapped_column(String(255))
    code: Mapped[str] = mapped_column(String(32))  # short code for exchange files: I001, I002…
    name: Mapped[str] = mapped_column(Text)
    # The name as extraction read it (None for an indicator added by hand): corrections are
    # keyed by it, so they find the indicator again when the plan is imported again.
    extracted_name: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(32))
    domain: Mapped[str | None] = mapped_column(Text)
    attribute: Mapped[str | None] = mapped_column(String(8))  # 预期性 | 约束性
    direction: Mapped[str | None] = mapped_column(String(8))  # higher | lower, None: from the target
    baseline_year: Mapped[int | None] = mapped_column(Integer)
    baseline_text: Mapped[str | None] = mapped_column(Text)
    baseline: Mapped[float | None] = mapped_column(Double)
    kind: Mapped[str] = mapped_column(String(8))  # table | prose | manual
    file: Mapped[str] = mapped_column(String(255))
    line: Mapped[int] = mapped_column(Integer)
    source_text: Mapped[str] = mapped_column(Text, default="")
    responsible_text: Mapped[str] = mapped_column(Text, default="")  # as printed, 、-joined
    manual_assessment: Mapped[str | None] = mapped_column(Text)
    # Retired (已停用) indicators leave evaluation, entry, templates, reports and assessment but
    # keep their data; a merged one also points at the indicator that took its data over.
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retired_reason: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"))

    plan: Mapped[Plan] = relationship(back_populates="indicators")
    targets: Mapped[list[Target]] = relationship(order_by="Target.year", cascade="all, delete-orphan")


class Target(Base):
    """A target value for one year; milestones are several targets of one indicator."""

    __tablename__ = "targets"
    __table_args__ = (Index("ix_targets_indicator_year", "indicator_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    year: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Double)
    value_high: Mapped[float | None] = mapped_column(Double)
    comparator: Mapped[str] = mapped_column(String(24))
    annual_average: Mapped[bool] = mapped_column(Boolean, default=False)
    cumulative: Mapped[bool] = mapped_column(Boolean, default=False)
    # level | change | rate | cumulative | qualitative (extract.records.TargetType), as extracted
    # or corrected; None for targets stored before types were kept: evaluation classifies them.
    target_type: Mapped[str | None] = mapped_column(String(16))


class Task(Base):
    """A task of a plan's ledger (任务台账) with the units the plan names for it: a numbered item
    of a task chapter, a 专栏 work, or a task a meeting assigned."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16), default="task", server_default="task")  # task|column|assignment
    number: Mapped[str] = mapped_column(String(16), default="", server_default="")  # 一、（一）1． as printed
    section: Mapped[str] = mapped_column(Text, default="", server_default="")
    deadline: Mapped[str | None] = mapped_column(String(7))  # YYYY-MM, when printed
    # Stable across re-imports, so that ledger edits find the task again: "x:" + the title as
    # extracted, or "e<edit id>[.<part>]" for a task a person added or split off.
    key: Mapped[str | None] = mapped_column(Text)
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    targets: Mapped[list[TaskTarget]] = relationship(order_by="TaskTarget.id", cascade="all, delete-orphan")
    milestones: Mapped[list[Milestone]] = relationship(
        primaryjoin="Task.id == Milestone.task_id", order_by="Milestone.due", cascade="all, delete-orphan")


class TaskTarget(Base):
    """A quantity a task states for itself (新建消防救援站1座): tracked with the task, a second-tier
    target outside the indicator system."""

    __tablename__ = "task_targets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    name: Mapped[str] = mapped_column(Text)
    year: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Double)
    unit: Mapped[str | None] = mapped_column(String(32))
    comparator: Mapped[str] = mapped_column(String(24))


class Project(Base):
    """A major project (重大项目) of a plan's project table; investments in 万元."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(Text)
    content: Mapped[str | None] = mapped_column(Text)
    investment: Mapped[float | None] = mapped_column(Double)
    period_investment: Mapped[float | None] = mapped_column(Double)
    start_year: Mapped[int | None] = mapped_column(Integer)
    end_year: Mapped[int | None] = mapped_column(Integer)
    # The investment planned for each year ({"2026": 5000.0}, 万元), when printed or set by hand.
    annual_investment: Mapped[dict[str, float] | None] = mapped_column(JSON)
    key: Mapped[str | None] = mapped_column(Text)  # as Task.key
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    milestones: Mapped[list[Milestone]] = relationship(
        primaryjoin="Project.id == Milestone.project_id", order_by="Milestone.due", cascade="all, delete-orphan")


class Milestone(Base):
    """A dated step of a task or project (开工, 主体完工, 竣工验收); a progress report says which
    ones were reached."""

    __tablename__ = "milestones"
    __table_args__ = (CheckConstraint("(task_id IS NULL) <> (project_id IS NULL)", name="task_or_project"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    due: Mapped[str] = mapped_column(String(7))  # YYYY-MM


class LedgerEdit(Base):
    """A person's change to a plan's ledger (add, edit, milestones, split, merge, retire,
    restore), kept by plan key and the subject's stable key so that it is applied again, in
    order, when the plan is imported again — as :class:`Correction` does for indicators."""

    __tablename__ = "ledger_edits"
    __table_args__ = (Index("ix_ledger_edits_plan_key", "plan_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_key: Mapped[str] = mapped_column(String(255))
    entity: Mapped[str] = mapped_column(String(8))  # task | project
    action: Mapped[str] = mapped_column(String(16))
    subject_key: Mapped[str] = mapped_column(Text, default="")  # "" for an add
    subject_line: Mapped[int] = mapped_column(Integer, default=0)  # to choose among equal keys
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProjectUnit(Base):
    """A unit responsible for a major project, as the project table names it."""

    __tablename__ = "project_units"
    __table_args__ = (UniqueConstraint("project_id", "org_unit_id", name="uq_project_units_project_unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    role: Mapped[str] = mapped_column(String(8), default="责任")


class Correction(Base):
    """A person's fix to an extracted indicator, keyed by plan and source line and name as
    extracted, so that it is applied again when the plan is imported again. An indicator
    added by hand has ``extracted_name`` "" and its whole definition in ``changes``."""

    __tablename__ = "corrections"
    __table_args__ = (Index("ix_corrections_plan_key", "plan_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_key: Mapped[str] = mapped_column(String(255))
    source_line: Mapped[int] = mapped_column(Integer)
    extracted_name: Mapped[str] = mapped_column(Text)  # "" for an indicator added by hand
    changes: Mapped[str] = mapped_column(Text)  # JSON object of field → value
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SearchEntry(Base):
    """One line of a source file with its words segmented (jieba) and space-separated, the
    form both full-text engines index: SQLite's FTS5 table ``search_fts`` (external content
    over this table) and PostgreSQL's GIN index on ``to_tsvector('simple', tokens)``."""

    __tablename__ = "search_entries"
    # Derived from source_files.text: backups leave it out, the search service rebuilds it.
    __table_args__ = ({"info": {"derived": True}},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_files.id"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    tokens: Mapped[str] = mapped_column(Text)
