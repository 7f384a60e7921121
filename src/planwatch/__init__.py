"""PlanWatch: plan ingestion, indicator extraction, monitoring and evaluation."""

__version__ = "0.1.0"
