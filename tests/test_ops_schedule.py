"""``govnews schedule`` prints installable crontab lines and a systemd service + timer."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.commands.schedule import on_calendar, schedule
from crawler.sites import available_profiles

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def site() -> str:
    names = sorted(available_profiles())
    if not names:
        pytest.skip("no bundled site profile")
    return names[0]


def test_schedule_prints_crontab_and_systemd(site: str, tmp_path: Path) -> None:
    db = "postgresql://govnews:p%40ss@db.example/news"
    result = CliRunner().invoke(
        schedule, ["--site", site, "--every", "hourly", "--db", db, "--log-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    cron = [line for line in out.splitlines() if re.match(r"^\d+ \* \* \* \* ", line)]
    assert len(cron) == 1
    line = cron[0]
    assert f" crawl {site} --quiet >> {tmp_path}/{site}.log 2>&1" in line
    assert "GOVNEWS_DB=postgresql://govnews:p\\%40ss@db.example/news" in line  # cron's %
    exe = line.split(" crawl ")[0].split()[-1]
    assert Path(exe).is_absolute()
    assert "flock" not in out
    for section in ("[Unit]", "[Service]", "[Timer]", "[Install]"):
        assert section in out
    assert "ExecStart=" in out and f"{exe} crawl %i --quiet" in out
    assert 'Environment="GOVNEWS_DB=postgresql://govnews:p%%40ss@db.example/news"' in out
    assert re.search(r"^OnCalendar=\*-\*-\* \*:\d+:00$", out, re.M)
    assert "Persistent=true" in out
    assert f"govnews-crawl@{site}.timer" in out


def test_relative_sqlite_becomes_absolute(site: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        schedule, ["--site", site, "--db", "sqlite:///news.db", "--format", "cron"]
    )
    assert result.exit_code == 0
    assert f"GOVNEWS_DB=sqlite:///{Path.cwd() / 'news.db'}" in result.stdout
    assert "[Timer]" not in result.stdout


@pytest.mark.parametrize(
    ("cron", "calendar"),
    [
        ("17 3 * * *", "*-*-* 3:17:00"),
        ("*/15 * * * *", "*-*-* *:0/15:00"),
        ("0 8-18 * * 1-5", "Mon..Fri *-*-* 8..18:0:00"),
        ("5 */6 1,15 * *", "*-*-1,15 0/6:5:00"),
    ],
)
def test_cron_to_on_calendar(cron: str, calendar: str) -> None:
    assert on_calendar(cron) == calendar


def test_bad_every_and_unknown_site_are_one_line_errors(site: str) -> None:
    bad = CliRunner().invoke(schedule, ["--site", site, "--every", "weekly-ish"])
    assert bad.exit_code != 0 and "--every" in bad.output
    unknown = CliRunner().invoke(schedule, ["--site", "no_such_site_xyz"])
    assert unknown.exit_code != 0 and "no_such_site_xyz" in unknown.output


def test_scrapy_list_and_string_args(tmp_path: Path) -> None:
    """Scrapyd runs `scrapy crawl district -a key=value`: every argument arrives as a string."""
    listed = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"], cwd=REPO, capture_output=True, text=True
    )
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert "district" in listed.stdout.split()

    from crawler.spiders.district import DistrictSpider

    spider = DistrictSpider(
        start_url="http://127.0.0.1:1/a/ http://127.0.0.1:1/b/",
        full="1",
        since="2024-03-05",
        max_pages="3",
    )
    assert spider.start_urls == ["http://127.0.0.1:1/a/", "http://127.0.0.1:1/b/"]
    assert spider.full is True and spider.max_pages == 3
    assert str(spider.since) == "2024-03-05"
    assert DistrictSpider(start_url="http://127.0.0.1:1/a/", full="0").full is False


def test_fleet_is_one_entry_for_every_site(site: str, tmp_path: Path) -> None:
    """--fleet: one crontab line and one service + timer crawl every profile in one process
    (``crawl --all``, so a profile added later needs no new schedule); with --site, those."""
    args = [
        "--fleet",
        "--every",
        "daily",
        "--db",
        "sqlite:////srv/n.db",
        "--log-dir",
        str(tmp_path),
    ]
    result = CliRunner().invoke(schedule, args)
    assert result.exit_code == 0, result.output
    cron = [line for line in result.stdout.splitlines() if re.match(r"^\d+ 3 \* \* \* ", line)]
    assert len(cron) == 1
    assert cron[0].endswith(f" crawl --all --quiet >> {tmp_path}/fleet.log 2>&1")
    assert "ExecStart=" in result.stdout and " crawl --all --quiet\n" in result.stdout
    assert "govnews-fleet.timer" in result.stdout and "govnews-crawl@" not in result.stdout

    named = CliRunner().invoke(schedule, ["--fleet", "--site", site, "--format", "cron"])
    assert named.exit_code == 0, named.output
    assert f" crawl {site} --quiet >> " in named.stdout
    # without --fleet the per-site lines stay, and say how to get the fleet entry
    per_site = CliRunner().invoke(schedule, ["--site", site, "--format", "cron"])
    assert "govnews schedule --fleet" in per_site.stdout
    assert f" crawl {site} --quiet >> " in per_site.stdout and "fleet.log" not in per_site.stdout
