"""Errors a user can act on.

Every problem with an input is reported as one line naming the file and what was
expected, so that the CLI can print it without a traceback and go on with the other
files.
"""

from __future__ import annotations

from pathlib import Path


class PlanWatchError(Exception):
    """Base of the errors PlanWatch reports to its users as one line."""


class InputError(PlanWatchError):
    """An input file that cannot be read as a plan document."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str]]:
        # Extraction of uploads runs in worker processes; the error crosses back pickled.
        return InputError, (self.path, self.problem)


class FieldError(InputError):
    """A value someone typed in a form that cannot be used: "字段：问题", the field named as the
    page labels it (发件人地址, 意见), so the sentence reads as the user's language."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(field, problem)
        self.field = field
        self.args = (f"{field}：{problem}",)
class NotFound(PlanWatchError):
    """No such record, or none the user may see: the two are answered alike (HTTP 404), so a
    user of one district learns nothing of another's plans by trying their numbers."""
