"""Tests over the real seeds and hand-made gold in ../shared, present in CI, absent in a user's clone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.shared import scoring

REPO = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    return Path(os.environ.get("PLANWATCH_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared() -> Path:
    path = shared_dir()
    if not (path / "seeds").is_dir() or not (path / "gold").is_dir():
        pytest.skip(f"{path} with seeds/ and gold/ is not present")
    return path


@pytest.fixture(scope="session", autouse=True)
def _extract_once_per_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Under pytest-xdist, each worker's base folder lies in the run's: extractions are kept there."""
    if hasattr(request.config, "workerinput"):
        scoring.share_with_workers(tmp_path_factory.getbasetemp().parent / "extractions")
