"""``govnews health`` flags a site whose articles vanish or lose a field, with exit code 1.

Real crawls (``govnews crawl`` subprocesses) of :class:`tests.ops_site.OpsSite` into SQLite,
then the ``health`` command through click's runner.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.commands.health import health
from tests.ops_site import OpsSite, crawl_site

pytestmark = pytest.mark.slow


def _crawl(site: OpsSite, db_url: str, tmp_path: Path) -> None:
    crawl_site(db_url, site, tmp_path, timeout=60)


def _health(db_url: str) -> tuple[int, list[dict[str, object]]]:
    result = CliRunner().invoke(health, ["--db", db_url, "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def test_site_whose_list_goes_empty_is_flagged(sqlite_url: str, tmp_path: Path) -> None:
    with OpsSite(articles=12) as site:
        _crawl(site, sqlite_url, tmp_path)
        code, report = _health(sqlite_url)
        assert code == 0
        [row] = report
        assert row["flags"] == []
        last = row["last_run"]
        assert isinstance(last, dict)
        assert last["articles"] == 12
        assert last["fill"] == {
            "title": 100.0,
            "published": 100.0,
            "views": 100.0,
            "body": 100.0,
            "confident": 100.0,
        }

        site.empty = True  # a redesign: the list no longer yields any article
        _crawl(site, sqlite_url, tmp_path)
        code, report = _health(sqlite_url)
        assert code == 1
        assert report[0]["flags"] == ["no_articles"]

    # the real console entry point exits 1 too (what cron sees)
    cmd = [sys.executable, "-m", "crawler.cli", "health", "--db", sqlite_url]
    table = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert table.returncode == 1, table.stderr
    assert "no_articles" in table.stdout and "127_0_0_1" in table.stdout
    assert "flagged: 127_0_0_1" in table.stderr


def test_site_whose_articles_lose_their_dates_is_flagged(sqlite_url: str, tmp_path: Path) -> None:
    with OpsSite(articles=12) as site:
        _crawl(site, sqlite_url, tmp_path)
        site.add(6)
        site.undated = True  # new articles arrive without a publication date
        _crawl(site, sqlite_url, tmp_path)
    code, report = _health(sqlite_url)
    assert code == 1
    [row] = report
    # undated articles are also low-confidence ones (quality flag no_date)
    assert row["flags"] == ["published_fill_drop", "low_confidence_jump"]
    last = row["last_run"]
    assert isinstance(last, dict)
    assert last["articles"] == 6
    assert last["fill"]["published"] == 0.0  # type: ignore[index]
    assert last["fill"]["confident"] == 0.0  # type: ignore[index]
    assert last["fill"]["title"] == 100.0  # type: ignore[index]


def test_site_whose_headline_went_is_flagged_low_confidence(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Every field is still filled (the title from <title>), but no longer the sure way."""
    with OpsSite(articles=12) as site:
        _crawl(site, sqlite_url, tmp_path)
        site.add(6)
        site.no_headline = True
        _crawl(site, sqlite_url, tmp_path)
    code, report = _health(sqlite_url)
    assert code == 1
    [row] = report
    assert row["flags"] == ["low_confidence_jump"]
    last = row["last_run"]
    assert isinstance(last, dict)
    assert last["fill"]["title"] == 100.0  # type: ignore[index]
    assert last["fill"]["confident"] == 0.0  # type: ignore[index]
    assert any("sure of every field in 0%" in note for note in row["notes"])  # type: ignore[attr-defined]
