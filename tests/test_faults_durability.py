"""Two crawls writing to one SQLite file at once both finish, losing and doubling nothing.

Two fault sites on two loopback addresses (two site names, so the per-site crawl lock does not
serialise them), each crawled by its own ``govnews crawl`` process into the same SQLite file,
one row per transaction to maximise lock contention (WAL + busy timeout must absorb it).
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.faultsite import FaultSite
from tests.test_faults_crawl import crawl_args

PAGES = 8  # trap list pages per crawl: two articles each


@pytest.mark.parametrize("upgrade_first", [True, False], ids=["migrated", "fresh-file"])
def test_two_crawls_into_one_sqlite_file(tmp_path: Path, upgrade_first: bool) -> None:
    db = tmp_path / "shared.db"
    if upgrade_first:
        from pipelines.db.migrate import upgrade

        upgrade(f"sqlite:///{db}")
    with FaultSite("127.0.0.1") as one, FaultSite("127.0.0.3") as two:
        procs = []
        for site in (one, two):
            args = crawl_args(site, db, "/trap/?page=1")
            args[args.index("--max-pages") + 1] = str(PAGES)
            args += ["-s", "GOVNEWS_BATCH_SIZE=1", "--quiet"]
            procs.append(subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
        outs = [p.communicate(timeout=600) for p in procs]
    for proc, (_out, err) in zip(procs, outs, strict=True):
        assert proc.returncode == 0, err.decode()[-3000:]
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT site, url FROM articles").fetchall()
        runs = conn.execute("SELECT site, status, items FROM crawl_runs ORDER BY site").fetchall()
        rejects = conn.execute("SELECT url, reason FROM rejects").fetchall()
    urls = [u for _, u in rows]
    assert len(urls) == len(set(urls))  # nothing doubled
    for site in (one, two):
        expected = {site.url(f"/trap/a{p}_{i}.html") for p in range(1, PAGES + 1) for i in (1, 2)}
        assert expected <= set(urls), sorted(expected - set(urls))  # nothing lost
    assert len(urls) == 2 * 2 * PAGES
    assert rejects == []
    assert [(s, st) for s, st, _ in runs] == [("127_0_0_1", "finished"), ("127_0_0_3", "finished")]
