"""The accessibility check cannot pass by not running: without axe-core it fails in CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web import axe


def test_missing_axe_fails_in_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(axe, "AXE", tmp_path / "axe.min.js")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="axe-core not fetched"):
        axe.axe_script()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match=r"fetch_web_assets\.sh"):
        axe.axe_script()


def test_fetched_axe_is_the_script() -> None:
    if not axe.AXE.is_file():
        pytest.skip("axe-core not fetched")
    assert axe.axe_script().lstrip().startswith("/*! axe v4.")
