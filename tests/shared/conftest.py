"""Tests over the real seeds and hand-made gold in ../shared, present in CI, absent in a user's clone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    return Path(os.environ.get("PLANWATCH_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared() -> Path:
    path = shared_dir()
    if not (path / "seeds").is_dir() or not (path / "gold").is_dir():
        pytest.skip(f"{path} with seeds/ and gold/ is not present")
    return path
