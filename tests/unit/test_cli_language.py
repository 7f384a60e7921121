"""Every command's help is in Chinese (issue 22: the CLI speaks the users' language; the README
describes the commands in English). Click's own frame words ("Usage:", the help option's line)
are left as Click prints them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from planwatch.cli import app
from tests.language_check import foreign_words

_CLICK_LINES = ("Usage:", "Show this message and exit.")


def _paths(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    if hasattr(command, "list_commands"):  # a group (Typer's own Click)
        context = type(command).context_class(command)
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            if sub is not None:
                yield from _paths(sub, (*path, name))


PATHS = list(_paths(typer.main.get_command(app)))


def test_every_command_is_enumerated() -> None:
    assert len(PATHS) >= 30 and ("users", "add") in PATHS and ("doctor",) in PATHS and ("report", "final") in PATHS


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "planwatch")
def test_the_help_of_every_command_is_chinese(path: tuple[str, ...]) -> None:
    done = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    text = "\n".join(line for line in done.output.splitlines() if not any(w in line for w in _CLICK_LINES))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)
    assert foreign_words(text) == [], text
