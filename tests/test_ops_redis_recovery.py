"""Scale-out: a scrapy-redis worker killed with requests in flight; the other worker finishes them.

Real Redis (``redis_url``), a real PostgreSQL database (``pg_url``), workers as ``govnews crawl``
subprocesses with ``GOVNEWS_REDIS_URL``. The site (tests/ops_site.py, in this process) holds
three article responses, so worker A has them in flight with the rest fetched (its later items
still in its storage buffer) when it gets SIGKILL. Worker B, running beside A or started after,
must notice A's missing heartbeat (``GOVNEWS_REDIS_WORKER_STALE`` = 2 s), not stop before,
put A's unfinished requests back into the queue past the dupefilter, fetch them, and stop by
itself: every article stored once, no Redis key left.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text

from tests.ops_site import OpsSite, crawl_cmd, crawl_env, upgrade_db

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres]
ARTICLES = 30
HELD = {5, 15, 25}  # one per list page


def _articles(db_url: str) -> list[str]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT url FROM articles"))]
    finally:
        engine.dispose()


@pytest.mark.parametrize("b_running", [True, False], ids=["b-running-along", "b-started-after"])
def test_a_killed_workers_requests_are_finished_by_the_other(
    b_running: bool, redis_url: str, pg_url: str, tmp_path: Path
) -> None:
    upgrade_db(pg_url)
    prefix = f"govnews-test-{uuid.uuid4().hex[:8]}"
    options = (
        *("-s", f"SCHEDULER_QUEUE_KEY={prefix}:%(spider)s:requests"),
        *("-s", f"SCHEDULER_DUPEFILTER_KEY={prefix}:%(spider)s:dupefilter"),
        *("-s", "CONCURRENT_REQUESTS=4"),
    )
    env = crawl_env(
        tmp_path,
        GOVNEWS_REDIS_URL=redis_url,
        GOVNEWS_REDIS_MAX_IDLE="2",
        GOVNEWS_REDIS_WORKER_STALE="2",
        GOVNEWS_BATCH_SIZE="5",
    )
    server = redis.Redis.from_url(redis_url)
    with OpsSite(articles=ARTICLES) as site:
        site.held = set(HELD)
        cmd = [*crawl_cmd(pg_url, "--start-url", site.start_url), "--full", *options]
        a = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        b: subprocess.Popen[str] | None = None
        try:
            # A has asked for every article: the held ones are in flight, the rest are done
            deadline = time.monotonic() + 60
            while any(site.requests[p] == 0 for p in _paths()):
                assert a.poll() is None, a.communicate()[1].decode()[-2000:]
                assert time.monotonic() < deadline, f"A did not get far: {site.requests}"
                time.sleep(0.05)
            (key,) = server.keys(f"{prefix}:*:inflight")
            # claimed under A's id; bounded: CONCURRENT_REQUESTS plus a storage batch (and one)
            assert len(HELD) <= server.hlen(key) <= 4 + 5 + 1
            # A beats while it waits (Scrapy's looping call): its registry score moves on
            (workers,) = server.keys(f"{prefix}:*:workers")
            ((worker, beat),) = server.zrange(workers, 0, -1, withscores=True)
            while server.zscore(workers, worker) == beat:
                assert time.monotonic() < deadline, "no heartbeat"
                time.sleep(0.05)
            if b_running:  # B joins while A lives: it must wait for A, then requeue by itself
                b = _start(cmd, env)
                while server.zcard(workers) < 2:
                    assert b.poll() is None, b.communicate()[1][-3000:]
                    assert time.monotonic() < deadline, "B did not join"
                    time.sleep(0.05)
        finally:
            a.send_signal(signal.SIGKILL)
            a.communicate(timeout=10)
        assert a.returncode == -signal.SIGKILL
        assert len(_articles(pg_url)) < ARTICLES  # the held ones at least are missing

        site.release.set()
        b = b or _start(cmd, env)
        _, err = b.communicate(timeout=120)
        assert b.returncode == 0, err[-3000:]
        requests = dict(site.requests)

    urls = _articles(pg_url)
    assert len(urls) == len(set(urls)) == ARTICLES
    assert set(urls) == {f"{site.base_url}/news/art_{n}.html" for n in range(1, ARTICLES + 1)}
    # B fetched A's unfinished requests again, past the dupefilter ...
    for n in HELD:
        assert requests[f"/news/art_{n}.html"] == 2, requests
    # ... and only those: what A had committed was released, not fetched twice
    assert any(requests[p] == 1 for p in _paths())
    assert _requeued(pg_url) >= len(HELD)
    assert server.keys(f"{prefix}:*") == []


def _start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _paths() -> list[str]:
    return [f"/news/art_{n}.html" for n in range(1, ARTICLES + 1)]


def _requeued(db_url: str) -> int:
    """B's count of requests it put back into the queue (its crawl_runs row's stats)."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT stats FROM crawl_runs WHERE status = 'finished'"))
            stats = row.scalar_one()
    finally:
        engine.dispose()
    stats = json.loads(stats) if isinstance(stats, str) else stats
    return int(stats.get("govnews/distributed/requeued", 0))
