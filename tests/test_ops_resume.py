"""A crawl killed with SIGKILL, or stopped with SIGTERM, halfway and started again ends with the
full set, once.

The site runs in its own process with a delay per response; ``govnews crawl`` runs as a real
subprocess writing batches of 5; once a batch is committed the crawl gets ``kill -9``. The
rerun must not wait for the dead run's lock, must not stop at the first page of known articles
(the pages after it were never read), and must not fetch any committed article again.
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.ops_site import crawl_cmd, crawl_env

pytestmark = pytest.mark.slow
ARTICLES = 40


def _count(db_url: str, sql: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar() or 0)
    except Exception:
        return 0
    finally:
        engine.dispose()


def _log(base: str) -> dict[str, int]:
    with urllib.request.urlopen(f"{base}/__log", timeout=10) as resp:
        return dict(json.load(resp)["requests"])


def _article_fetches(log: dict[str, int]) -> int:
    return sum(v for k, v in log.items() if k.startswith("/news/art_"))


@contextlib.contextmanager
def _slow_site() -> Iterator[str]:
    """The ops site (tests/ops_site.py), 0.3 s a response, in its own process: its base URL."""
    script = Path(__file__).with_name("ops_site.py")
    server = subprocess.Popen(
        [sys.executable, str(script), str(ARTICLES), "0.3"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        yield f"http://127.0.0.1:{server.stdout.readline().split()[1]}"
    finally:
        server.kill()
        server.wait(timeout=10)


def _crawl_until_a_batch(cmd: list[str], env: dict[str, str], db_url: str) -> subprocess.Popen[str]:
    """``cmd`` started, returned once its first batch (5 articles) is committed."""
    crawl = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 40
    while _count(db_url, "SELECT count(*) FROM articles") < 5:
        assert crawl.poll() is None, "the crawl ended before its first batch"
        assert time.monotonic() < deadline, "no batch was committed in time"
        time.sleep(0.05)
    return crawl


def test_kill_9_then_rerun_holds_the_full_set_once(sqlite_url: str, tmp_path: Path) -> None:
    with _slow_site() as base:
        env = crawl_env(tmp_path, GOVNEWS_BATCH_SIZE="5")
        cmd = crawl_cmd(sqlite_url, "--start-url", f"{base}/news/index.html")

        crawl = _crawl_until_a_batch(cmd, env, sqlite_url)
        crawl.send_signal(signal.SIGKILL)
        crawl.communicate(timeout=10)
        assert crawl.returncode == -signal.SIGKILL

        time.sleep(0.5)  # let requests already on the wire reach the server's log
        committed = _count(sqlite_url, "SELECT count(*) FROM articles")
        assert 5 <= committed < ARTICLES, committed
        fetched_before = _article_fetches(_log(base))

        rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        assert rerun.returncode == 0, rerun.stderr[-2000:]

        assert _count(sqlite_url, "SELECT count(*) FROM articles") == ARTICLES
        assert _count(sqlite_url, "SELECT count(DISTINCT url) FROM articles") == ARTICLES
        # the rerun fetched exactly the articles that were not committed
        assert _article_fetches(_log(base)) - fetched_before == ARTICLES - committed
        statuses = _count(sqlite_url, "SELECT count(*) FROM crawl_runs WHERE status='finished'")
        assert statuses == 1


def test_sigterm_stops_gracefully_and_the_rerun_completes(sqlite_url: str, tmp_path: Path) -> None:
    """SIGTERM (systemd's stop, ``kill``) ends the crawl cleanly: exit 0, its run recorded as
    interrupted, every article it counted stored; the rerun fetches the rest."""
    with _slow_site() as base:
        env = crawl_env(tmp_path, GOVNEWS_BATCH_SIZE="5")
        cmd = crawl_cmd(sqlite_url, "--start-url", f"{base}/news/index.html")

        crawl = _crawl_until_a_batch(cmd, env, sqlite_url)
        crawl.send_signal(signal.SIGTERM)
        _, err = crawl.communicate(timeout=60)
        assert crawl.returncode == 0, err[-2000:]

        stored = _count(sqlite_url, "SELECT count(*) FROM articles")
        assert 5 <= stored < ARTICLES, stored
        assert _count(sqlite_url, "SELECT count(*) FROM crawl_runs WHERE status='interrupted'") == 1
        scraped = _count(sqlite_url, "SELECT items FROM crawl_runs WHERE status='interrupted'")
        assert scraped == stored  # nothing the crawl counted was lost on the way out

        rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        assert rerun.returncode == 0, rerun.stderr[-2000:]
        assert _count(sqlite_url, "SELECT count(DISTINCT url) FROM articles") == ARTICLES
        assert _count(sqlite_url, "SELECT count(*) FROM articles") == ARTICLES
