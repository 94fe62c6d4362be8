"""Scale-out: two scrapy-redis workers split one crawl of the demo site into one PostgreSQL.

Real Redis (``redis_url``) and a real PostgreSQL database (``pg_url``); the workers are
``govnews crawl`` subprocesses with ``GOVNEWS_REDIS_URL`` set. Every article must be stored
once, both workers must have stored some, and both must stop by themselves.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text

from demoportal.server import DemoSite
from tests.ops_site import crawl_cmd, crawl_env, upgrade_db

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres]


def test_two_workers_split_one_crawl(redis_url: str, pg_url: str, tmp_path: Path) -> None:
    upgrade_db(pg_url)
    prefix = f"govnews-test-{uuid.uuid4().hex[:8]}"
    keys = (
        "-s",
        f"SCHEDULER_QUEUE_KEY={prefix}:%(spider)s:requests",
        "-s",
        f"SCHEDULER_DUPEFILTER_KEY={prefix}:%(spider)s:dupefilter",
        "-s",
        "CONCURRENT_REQUESTS=2",
        "-s",
        "DOWNLOAD_DELAY=0.05",
    )
    env = crawl_env(tmp_path, GOVNEWS_REDIS_URL=redis_url, GOVNEWS_REDIS_MAX_IDLE="2")
    with DemoSite() as site:
        urls = [a for u in site.start_urls for a in ("--start-url", u)]
        cmd = [*crawl_cmd(pg_url, *urls), "--full", *keys]
        workers = []
        for _ in range(2):
            workers.append(
                subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            )
            time.sleep(0.5)
        outs = [w.communicate(timeout=90) for w in workers]
        for w, (_out, err) in zip(workers, outs, strict=True):
            assert w.returncode == 0, err.decode()[-2000:]
        expected = {a.url for a in site.expected_articles}

    engine = create_engine(pg_url)
    with engine.connect() as conn:
        urls_stored = [r[0] for r in conn.execute(text("SELECT url FROM articles"))]
        runs = list(conn.execute(text("SELECT id, items, status FROM crawl_runs ORDER BY id")))
        per_run = {
            r[0]: r[1]
            for r in conn.execute(
                text("SELECT last_crawl_run_id, count(*) FROM articles GROUP BY 1")
            )
        }
    engine.dispose()
    assert len(urls_stored) == len(set(urls_stored))
    # every stored URL is a demo article; the set is compared with a one-process crawl's
    # completeness elsewhere (test_e2e_demo), here what matters is the split
    assert set(urls_stored) <= expected
    assert len(urls_stored) >= 30
    assert len(runs) == 2 and all(r.status == "finished" for r in runs)
    # both workers stored articles, and together exactly the site's articles
    assert all(r.items > 0 for r in runs), runs
    assert sum(r.items for r in runs) == len(urls_stored)  # no article stored by both
    assert set(per_run) == {r.id for r in runs}
    # the last worker out cleared the crawl's state in Redis
    left = redis.Redis.from_url(redis_url).keys(f"{prefix}:*")
    assert left == []
