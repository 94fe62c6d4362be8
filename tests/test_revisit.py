"""``govnews revisit``: durations, the decaying schedule, and which stored articles are due.

``load_known`` runs against real databases (SQLite file and PostgreSQL) migrated to head.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from crawler.cli import cli
from crawler.commands.revisit import (
    Known,
    due_articles,
    interval_for,
    load_known,
    parse_duration,
)
from pipelines.db.migrate import upgrade
from pipelines.db.models import Article, ViewCount
from pipelines.db.session import make_engine

NOW = datetime(2024, 6, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", timedelta(0)),
        ("30m", timedelta(minutes=30)),
        ("6h", timedelta(hours=6)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("2w", timedelta(weeks=2)),
        ("90s", timedelta(seconds=90)),
        (" 1.5d ", timedelta(hours=36)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "soon", "5", "1x", "d1", "1d garbage"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("age", "interval"),
    [
        (timedelta(hours=1), timedelta(days=1)),
        (timedelta(days=6, hours=23), timedelta(days=1)),
        (timedelta(days=7), timedelta(days=7)),
        (timedelta(days=89), timedelta(days=7)),
        (timedelta(days=400), timedelta(days=30)),
    ],
)
def test_interval_decays_with_age(age: timedelta, interval: timedelta) -> None:
    assert interval_for(age) == interval


def _known(url: str, first_days_ago: float, last_days_ago: float) -> Known:
    return Known(
        url=url,
        site="s",
        first_seen_at=NOW - timedelta(days=first_days_ago),
        last_observed_at=NOW - timedelta(days=last_days_ago),
        method="dedecms",
        self_incremented=True,
    )


def test_due_by_schedule_most_overdue_first() -> None:
    known = [
        _known("fresh-new", 2, 0.5),  # 1.5 days old at last reading: daily, read 12 h ago
        _known("due-new", 3, 1.5),  # daily, read 36 h ago: 12 h overdue
        _known("weekly-not-due", 30, 3),  # weekly, read 3 days ago
        _known("weekly-due", 40, 10),  # weekly, read 10 days ago: 3 days overdue
        _known("old-monthly", 400, 20),  # monthly, read 20 days ago
    ]
    due = due_articles(known, NOW)
    assert [k.url for k in due] == ["weekly-due", "due-new"]
    assert [k.url for k in due_articles(known, NOW, limit=1)] == ["weekly-due"]


def test_older_than_replaces_the_schedule() -> None:
    known = [_known("a", 2, 0.5), _known("b", 400, 20)]
    assert [k.url for k in due_articles(known, NOW, older_than=timedelta(0))] == ["b", "a"]
    assert [k.url for k in due_articles(known, NOW, older_than=timedelta(days=1))] == ["b"]


def test_naive_sqlite_datetimes_are_utc() -> None:
    naive = Known("n", "s", datetime(2024, 6, 5), datetime(2024, 6, 8), "static", False)
    assert [k.url for k in due_articles([naive], NOW)] == ["n"]


def test_load_known_takes_the_latest_reading(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    first = NOW - timedelta(days=3)
    with Session(engine) as session, session.begin():
        for i, (site, readings) in enumerate(
            [
                ("a", [(first, "phpcms", True), (first + timedelta(days=1), "phpcms", True)]),
                ("b", [(first, "static", False)]),
                ("a", []),  # never had a count: not revisited
            ]
        ):
            art = Article(
                site=site,
                url=f"http://x.gov.cn/{i}.html",
                title="t",
                body_text="b",
                content_hash="h",
                first_seen_at=first,
                last_seen_at=first,
                methods={"views_counter_url": "http://x.gov.cn/api.php?op=count&id=1"}
                if i == 0
                else None,
            )
            art.view_counts = [
                ViewCount(observed_at=at, views=10 + n, method=m, self_incremented=inc)
                for n, (at, m, inc) in enumerate(readings)
            ]
            session.add(art)
    engine.dispose()
    known = {k.url: k for k in load_known(db_url, None)}
    assert set(known) == {"http://x.gov.cn/0.html", "http://x.gov.cn/1.html"}
    a = known["http://x.gov.cn/0.html"]
    assert (a.method, a.self_incremented, a.site) == ("phpcms", True, "a")
    assert a.last_observed_at.replace(tzinfo=UTC) == first + timedelta(days=1)
    assert a.counter_url == "http://x.gov.cn/api.php?op=count&id=1"
    assert known["http://x.gov.cn/1.html"].counter_url is None
    assert [k.url for k in load_known(db_url, "b")] == ["http://x.gov.cn/1.html"]


def test_empty_database_has_nothing_due(sqlite_url: str) -> None:
    assert load_known(sqlite_url, None) == []
    result = CliRunner().invoke(cli, ["revisit", "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    assert "nothing is due" in result.output


def test_bad_duration_is_one_clear_error(sqlite_url: str) -> None:
    result = CliRunner().invoke(cli, ["revisit", "--db", sqlite_url, "--older-than", "soon"])
    assert result.exit_code == 2
    assert "not a duration like 30m" in result.output
    assert "Traceback" not in result.output


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(cli, ["revisit", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and "--older-than" in result.output
