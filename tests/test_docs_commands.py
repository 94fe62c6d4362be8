"""Every ``govnews …`` line shown in the README and docs/ parses as the CLI would parse it, and
the read-only ones run against a real database and exit 0.

A line in a fenced code block that starts with ``govnews`` (after ``$ ``, before a ``#``
comment, up to ``&&``, ``|``, ``>`` or ``&``) is one command. Parsing is click's own: the group
resolves the subcommand and the subcommand's ``make_context`` checks its options and arguments,
so ``govnews revisit SITE`` where ``--site`` is needed fails here, not for a reader.
"""

from __future__ import annotations

import re
import shlex
import warnings
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from crawler.cli import cli

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
_FENCE_RE = re.compile(r"^```")
_END_RE = re.compile(r"\s(?:&&|\|\|?|>>?|&)(?:\s|$)|\s#")


def doc_commands() -> list[tuple[str, str]]:
    """(where, command line) of every govnews line in a fenced block of the docs."""
    found: list[tuple[str, str]] = []
    for path in DOCS:
        fenced = False
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _FENCE_RE.match(line.strip()):
                fenced = not fenced
                continue
            text = line.strip().removeprefix("$ ")
            if not fenced or not text.startswith("govnews "):
                continue
            end = _END_RE.search(text)
            found.append((f"{path.name}:{number}", text[: end.start()] if end else text))
    return found


COMMANDS = doc_commands()


def parse(args: list[str]) -> click.Context:
    """Parse ``args`` as ``govnews`` would, down to the leaf command, without running it."""
    ctx = cli.make_context("govnews", list(args))
    while isinstance(ctx.command, click.Group):
        with warnings.catch_warnings():  # protected_args: deprecated, still the public split
            warnings.simplefilter("ignore", DeprecationWarning)
            rest = [*ctx.protected_args, *ctx.args]
        name, command, rest = ctx.command.resolve_command(ctx, rest)
        assert command is not None and name is not None
        ctx = command.make_context(name, rest, parent=ctx)
    return ctx


def test_the_docs_show_commands() -> None:
    assert len(COMMANDS) >= 20
    assert {line.split()[1] for _, line in COMMANDS} >= {"crawl", "export", "search", "health"}


@pytest.mark.parametrize(("where", "line"), COMMANDS, ids=[w for w, _ in COMMANDS])
def test_every_documented_command_parses(where: str, line: str) -> None:
    try:
        parse(shlex.split(line)[1:])
    except click.BadParameter as exc:
        # an example file the reader would have (a sites list, a saved page) is not here
        if "does not exist" not in exc.format_message():
            pytest.fail(f"{where}: {line!r}: {exc.format_message()}")
    except click.UsageError as exc:
        pytest.fail(f"{where}: {line!r}: {exc.format_message()}")


READ_ONLY = ("stats", "health", "search", "sites list", "schedule", "export")


@pytest.mark.slow
def test_read_only_documented_commands_run_on_the_demo_database(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.analyst_seed import SITES, seed

    seed(sqlite_url)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GOVNEWS_DB", sqlite_url)
    ran = 0
    for where, line in COMMANDS:
        args = shlex.split(line)[1:]
        if " ".join(args[:2]) not in READ_ONLY and args[0] not in READ_ONLY:
            continue
        if "--db" in args:  # the docs' example servers do not exist here
            i = args.index("--db")
            args[i + 1] = sqlite_url
        if "--site" in args:
            args[args.index("--site") + 1] = SITES[0]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code in (0, 1), f"{where}: {line}: {result.output[-500:]}"
        ran += 1
    assert ran >= 8
