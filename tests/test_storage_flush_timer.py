"""A polite crawl's articles reach the database while it runs, not when it ends.

At production politeness a site yields an article a second or slower, so a batch that waits to
fill (``GOVNEWS_BATCH_SIZE``, 100) would keep them out of the database for minutes. The local
site here holds back one article's response until the database shows the others (or gives up
after a minute, which the test reports): with the flush timer the crawl writes them while that
request is still open; with batching by size alone nothing would be written before the crawl
ends, and the held request would time out.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.ops_site import ARTICLE_PATH, OpsSite, crawl_cmd, crawl_env

pytestmark = pytest.mark.slow

HELD = 1  # the oldest article (listed last), held back
GIVE_UP = 60.0


class _HoldingSite(OpsSite):
    """Answers article ``HELD`` only once ``db`` holds every other article."""

    def __init__(self, db: Path, articles: int) -> None:
        super().__init__(articles=articles)
        self.db = db
        self.released_by: str | None = None

    def _stored(self) -> int:
        if not self.db.exists():
            return 0
        with sqlite3.connect(self.db, timeout=5) as conn:
            try:
                return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
            except sqlite3.OperationalError:  # tables not created yet
                return 0

    def respond(self, path: str, headers: Any) -> tuple[int, bytes, dict[str, str]]:
        match = ARTICLE_PATH.fullmatch(path)
        if match and int(match.group(1)) == HELD:
            deadline = time.monotonic() + GIVE_UP
            while time.monotonic() < deadline:
                if self._stored() >= self.count - 1:
                    self.released_by = "database"
                    break
                time.sleep(0.05)
            else:
                self.released_by = "timeout"
        return super().respond(path, headers)


def test_articles_are_written_while_the_crawl_waits(tmp_path: Path) -> None:
    db = tmp_path / "flush.db"
    with _HoldingSite(db, articles=6) as site:
        env = crawl_env(tmp_path, GOVNEWS_FLUSH_SECONDS="0.2")
        cmd = crawl_cmd(f"sqlite:///{db}", "--start-url", site.start_url, "--full")
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr[-2000:]
        assert site.released_by == "database"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 6
        stats = json.loads(conn.execute("SELECT stats FROM crawl_runs").fetchone()[0])
    # the held article came in a later batch than the five before it
    assert stats["govnews/storage/batches"] >= 2


def test_a_full_batch_is_written_at_once_and_the_timer_writes_the_rest(tmp_path: Path) -> None:
    """The size limit still applies: 7 articles at 3 a batch are three transactions or more."""
    db = tmp_path / "size.db"
    with OpsSite(articles=7) as site:
        env = crawl_env(tmp_path, GOVNEWS_BATCH_SIZE="3", GOVNEWS_FLUSH_SECONDS="30")
        cmd = crawl_cmd(f"sqlite:///{db}", "--start-url", site.start_url, "--full")
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr[-2000:]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 7
        stats = json.loads(conn.execute("SELECT stats FROM crawl_runs").fetchone()[0])
    assert stats["govnews/storage/batches"] >= 3
