"""The CLI contract: every command has help with an example; bad arguments are one clear line."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from crawler.cli import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        out.append(path)
        if isinstance(command, click.Group):
            out.extend(_commands(command, path))
    return out


@pytest.mark.parametrize("path", _commands(cli), ids=lambda p: " ".join(p))
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["crawl", "no_such_site"], "unknown site 'no_such_site'"),
        (["crawl", "--start-url", "file:///etc/passwd"], "not an http(s) URL"),
        (["crawl"], "give a SITE profile name or at least one --start-url"),
        (["sites", "check", "/nonexistent/profile.toml"], "no such profile file"),
        (["crawl", "--start-url", "http://127.0.0.1:9/", "--db", "sqlite://"], "in-memory"),
        (["export", "--db", "sqlite:///:memory:"], "in-memory database"),
    ],
)
def test_bad_arguments_give_one_line_and_non_zero_exit(args: list[str], needle: str) -> None:
    done = _run(*args)
    assert done.returncode != 0
    assert needle in done.stderr
    assert "Traceback" not in done.stderr


def test_sites_list_names_builtin_profiles() -> None:
    done = _run("sites", "list")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
