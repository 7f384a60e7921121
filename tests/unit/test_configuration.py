"""Issue 25, one settings object: every PLANWATCH_* variable is a field of ``Settings``, listed in
the README's configuration table, and no other module of ``src/`` reads the environment."""

from __future__ import annotations

import ast
import dataclasses
import pickle
import re
from pathlib import Path

import pytest

from planwatch import configuration
from planwatch.configuration import Settings, SettingsError

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src" / "planwatch"


def _readme_rows() -> list[tuple[str, str]]:
    """(variable, command-line option) of each row of the README's configuration table."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## 配置 · Configuration"):]
    section = section[:section.index("\n## ", 1)]
    return [(name, option.replace("`", "")) for name, option in
            re.findall(r"^\| `(PLANWATCH_[A-Z_]+)` \| ([^|]+) \|", section, flags=re.MULTILINE)]


def test_the_readme_table_lists_every_variable_of_the_settings_in_order_with_its_option() -> None:
    expected = [(spec.metadata["env"], spec.metadata["option"] or "—") for spec in dataclasses.fields(Settings)]
    assert _readme_rows() == expected


@pytest.mark.parametrize("spec", dataclasses.fields(Settings), ids=lambda spec: spec.metadata["env"])
def test_every_variable_of_the_table_is_read_by_the_settings(spec: dataclasses.Field[object]) -> None:
    name, example = spec.metadata["env"], spec.metadata["example"]
    read = getattr(Settings.from_env({name: example}), spec.name)
    assert read != getattr(Settings(), spec.name)
    assert read == spec.metadata["parse"](name, example)
    assert getattr(Settings.from_env({}), spec.name) == getattr(Settings(), spec.name)


def test_options_take_the_place_of_the_environment_and_none_leaves_it() -> None:
    environ = {"PLANWATCH_EXTRACT_WORKERS": "5", "PLANWATCH_HTTPS": "yes", "PLANWATCH_ALLOWED_HOSTS": " a.cn , b.cn,"}
    settings = Settings.from_env(environ, extract_workers=0, https=None)
    assert (settings.extract_workers, settings.https, settings.allowed_hosts) == (0, True, ("a.cn", "b.cn"))


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("PLANWATCH_EXTRACT_WORKERS", "abc", "不小于 0 的整数"),
    ("PLANWATCH_MAX_SHEET_ROWS", "0", "不小于 1 的整数"),
    ("PLANWATCH_MAX_SHEET_ROWS", "١٢", "不小于 1 的整数"),
    ("PLANWATCH_HTTPS", "maybe", "1 或 0"),
    ("PLANWATCH_OCR", "paddle", "rapidocr、tesseract、off"),
    ("PLANWATCH_LOG_FORMAT", "xml", "kv、json"),
])
def test_a_malformed_value_is_refused_naming_the_variable(name: str, value: str, expected: str) -> None:
    with pytest.raises(SettingsError, match=f"^环境变量 {name}={value}：.*{expected}"):
        Settings.from_env({name: value})


def test_secrets_are_not_shown_and_the_settings_travel_to_a_worker_whole() -> None:
    settings = Settings(database_url="sqlite:///x.db", secret_key="s3cret-key", password="pass-w0rd")
    assert "s3cret-key" not in repr(settings) and "pass-w0rd" not in repr(settings)
    assert pickle.loads(pickle.dumps(settings)) == settings
    assert {spec.name for spec in dataclasses.fields(Settings) if spec.metadata["secret"]} == {"secret_key", "password"}


def test_an_installed_settings_object_is_what_the_readers_see(monkeypatch: pytest.MonkeyPatch) -> None:
    from planwatch.ingest.containers import max_sheet_rows

    monkeypatch.setenv("PLANWATCH_MAX_SHEET_ROWS", "70")
    assert max_sheet_rows() == 70
    monkeypatch.setattr(configuration, "_installed", Settings(max_sheet_rows=30))
    assert max_sheet_rows() == 30


def _environment_reads(tree: ast.AST) -> list[str]:
    """``os.environ``/``os.getenv``/``environ``/``getenv``/``putenv`` uses, and Click options that read a variable."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "putenv", "environb"}:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os" and any(
                alias.name in {"environ", "getenv", "putenv", "environb"} for alias in node.names):
            found.append(f"line {node.lineno}: from os import …")
        elif isinstance(node, ast.keyword) and node.arg in {"envvar", "auto_envvar_prefix"}:
            found.append(f"line {node.lineno}: {node.arg}=")
    return found


def test_no_module_but_the_settings_reads_the_environment() -> None:
    readers = {str(path.relative_to(SRC)): found for path in sorted(SRC.rglob("*.py"))
               if path != SRC / "configuration.py"
               and (found := _environment_reads(ast.parse(path.read_text(encoding="utf-8"))))}
    assert readers == {}
    assert _environment_reads(ast.parse((SRC / "configuration.py").read_text(encoding="utf-8")))  # the test sees reads


def test_the_log_format_option_offers_the_formats_of_the_settings() -> None:
    from planwatch.cli.analysis import LogFormat

    assert tuple(choice.value for choice in LogFormat) == configuration.LOG_FORMATS


def test_serve_with_a_malformed_variable_stops_in_one_line_naming_it(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from planwatch.cli import app

    done = CliRunner().invoke(app, ["serve", "--db", f"sqlite:///{tmp_path / 'x.db'}"],
                              env={"PLANWATCH_EXTRACT_WORKERS": "两个"})
    assert done.exit_code == 2
    assert "环境变量 PLANWATCH_EXTRACT_WORKERS=两个：应为不小于 0 的整数" in done.output
    assert not (tmp_path / "x.db").exists()  # stopped before anything was opened
