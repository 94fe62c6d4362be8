"""`govnews db upgrade` / `govnews db current` through click's CliRunner, on both databases."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from crawler.commands.db import db
from pipelines.db.migrate import current_revision, head_revision


def test_db_upgrade_then_current(db_url: str) -> None:
    runner = CliRunner()
    head = head_revision()
    shown = runner.invoke(db, ["current", "--db", db_url])
    assert shown.exit_code == 0, shown.output
    assert f"revision (empty), head {head}" in shown.output

    first = runner.invoke(db, ["upgrade", "--db", db_url])
    assert first.exit_code == 0, first.output
    assert f"upgraded (empty) -> {head}" in first.output
    assert current_revision(db_url) == head

    again = runner.invoke(db, ["upgrade", "--db", db_url])
    assert again.exit_code == 0
    assert f"already at revision {head}" in again.output
    shown = runner.invoke(db, ["current", "--db", db_url])
    assert "(up to date)" in shown.output


def test_db_url_from_environment(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    result = CliRunner().invoke(db, ["upgrade"], env={"GOVNEWS_DB": url})
    assert result.exit_code == 0, result.output
    assert current_revision(url) == head_revision()


def test_current_does_not_create_a_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.db"
    result = CliRunner().invoke(db, ["current", "--db", f"sqlite:///{path}"])
    assert result.exit_code == 0
    assert not path.exists()


def test_every_db_command_has_an_example() -> None:
    runner = CliRunner()
    for args in (["--help"], ["upgrade", "--help"], ["current", "--help"]):
        result = runner.invoke(db, args)
        assert result.exit_code == 0
        assert "Example:" in result.output
