"""End to end: `govnews demo` crawls the bundled portal over 127.0.0.1 into a real SQLite file.

Run twice against one database (the issue's definition of done): every article once, with
title, date and body; two view_counts rows for each article with a count; two crawl_runs. On
Scrapy's default stack (Twisted's asyncio reactor and HTTP/1.1 download handler).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _demo(db_file: Path, port: int) -> subprocess.CompletedProcess[str]:
    args = ["demo", "--db", f"sqlite:///{db_file}", "--port", str(port), "--verbose"]
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def demo_twice(
    tmp_path_factory: pytest.TempPathFactory,
    free_port: Callable[[], int],
) -> tuple[Path, list[str]]:
    db_file = tmp_path_factory.mktemp("demo") / "demo.db"
    outputs = []
    port = free_port()
    for _ in range(2):
        done = _demo(db_file, port)
        # Scrapy's INFO log lists the settings that differ from its defaults: the reactor is on,
        # and no experimental download handler is loaded
        assert "TWISTED_REACTOR_ENABLED" not in done.stderr, done.stderr[-3000:]
        assert "experimental" not in done.stderr, done.stderr[-3000:]
        assert "] WARNING:" not in done.stderr, done.stderr[-3000:]
        assert done.returncode == 0, done.stderr[-3000:]
        outputs.append(done.stdout)
    return db_file, outputs


def test_demo_stores_every_article_once(demo_twice: tuple[Path, list[str]]) -> None:
    db_file, _ = demo_twice
    with sqlite3.connect(db_file) as conn:
        total, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT url) FROM articles"
        ).fetchone()
        assert total >= 30
        assert total == distinct
        missing = conn.execute(
            "SELECT count(*) FROM articles WHERE title IS NULL OR title = '' "
            "OR published_at IS NULL OR body_text IS NULL OR body_text = ''"
        ).fetchone()[0]
        assert missing == 0


def test_demo_twice_gives_two_readings_and_two_runs(demo_twice: tuple[Path, list[str]]) -> None:
    db_file, _ = demo_twice
    with sqlite3.connect(db_file) as conn:
        runs = conn.execute("SELECT site, status FROM crawl_runs ORDER BY id").fetchall()
        assert runs == [("demo", "finished"), ("demo", "finished")]
        with_views = conn.execute(
            "SELECT count(*) FROM articles WHERE views IS NOT NULL"
        ).fetchone()[0]
        assert with_views >= 1
        per_article = conn.execute(
            "SELECT a.id, count(v.id) FROM articles a JOIN view_counts v ON v.article_id = a.id "
            "GROUP BY a.id"
        ).fetchall()
        assert len(per_article) == with_views
        assert {n for _, n in per_article} == {2}


def test_demo_contains_the_seed_article(demo_twice: tuple[Path, list[str]]) -> None:
    db_file, _ = demo_twice
    with sqlite3.connect(db_file) as conn:
        row = conn.execute(
            "SELECT published_at, views, column_name, body_text, body_html FROM articles "
            "WHERE title = ?",
            ("启新程!再出发! 高新区召开2021年工作会议",),
        ).fetchone()
    assert row is not None
    published_at, views, column_name, body, body_html = row
    # times are stored in UTC: 2021-03-01 00:00 in Asia/Shanghai
    assert published_at.startswith("2021-02-28 16:00")
    assert views == 16701
    assert column_name == "区内动态"
    assert body.startswith("3月1日,高新区召开2021年工作会议")
    assert body.rstrip().endswith("逐梦启新程,扬帆再出发!")
    assert "““" not in body
    # the stored HTML is the article, as the text is: no headline, info line or page tools
    assert "3月1日" in body_html and "逐梦启新程" in body_html
    for furniture in ("<h1", "发布日期", "字号", "打印本页", "关闭窗口", "分享"):
        assert furniture not in body_html, furniture


def test_demo_prints_a_summary(demo_twice: tuple[Path, list[str]]) -> None:
    _, outputs = demo_twice
    assert "demo crawl into" in outputs[0]
    assert "articles" in outputs[0]
    assert "rejects" in outputs[0]
