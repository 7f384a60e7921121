"""The write half of a plan file uploaded on the web or the API, run by the extraction
worker once the file is read: the plans stored for the uploader and the import history line,
or the refusal in the history when the import failed.

The worker knows the uploader by id only (the upload's request has ended); the uploader's
import permission and region are checked again here, when the plans are stored
(:func:`planwatch.services.plan_import.store_import`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from planwatch.errors import PlanWatchError
from planwatch.services import import_history, plan_import
from planwatch.services.import_history import Channel, Outcome
from planwatch.services.plan_import import ImportResult, PreparedImport
from planwatch.store.models import User

__all__ = ["record_refusal", "store_upload"]


def store_upload(session: Session, owner_id: int, prepared: PreparedImport, channel: Channel, file_name: str,
                 size: int | None) -> ImportResult:
    """Store the plans read from the upload for its owner and note the import in the history."""
    owner = session.get_one(User, owner_id)
    result = plan_import.store_import(session, prepared, owner)
    outcome, summary, plan_id = import_history.plan_import_summary(result)
    import_history.record(session, owner, channel, file_name, outcome, summary=summary, plan_id=plan_id,
                          size=size, sha256=result.sha256)
    return result


def record_refusal(session: Session, owner_id: int, channel: Channel, file_name: str, exc: PlanWatchError,
                   size: int | None = None) -> None:
    """A refused upload in the import history, with the problems that refused it."""
    import_history.record(session, session.get_one(User, owner_id), channel, file_name, Outcome.REFUSED,
                          problems=import_history.problems_of(exc), size=size)
