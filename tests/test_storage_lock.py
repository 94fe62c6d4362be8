"""The per-site crawl lock in crawl_runs, and crash safety: a crawl killed with SIGKILL keeps
its committed batches, does not block its site, and a rerun completes the set without duplicates."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from pipelines.db.migrate import upgrade
from pipelines.db.runs import CrawlLockedError, running_run, start_run, utcnow
from pipelines.db.session import make_engine
from tests.storage_helpers import article, open_run, rows, scalar

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    upgrade(db_url)
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def test_second_run_of_a_site_is_refused(engine: Engine) -> None:
    first = start_run(engine, "gxq", ["http://a/"])
    with pytest.raises(CrawlLockedError) as info:
        start_run(engine, "gxq")
    assert info.value.run_id == first
    assert "'gxq' is already being crawled by run" in str(info.value)
    assert "\n" not in str(info.value)
    live = running_run(engine, "gxq")
    assert live is not None and live.id == first
    # another site is not blocked; without the lock (scrapy-redis workers) both may run
    start_run(engine, "other")
    start_run(engine, "gxq", lock=False)
    assert scalar(engine, "SELECT count(*) FROM crawl_runs WHERE status = 'running'") == 3


def test_stale_heartbeat_does_not_block(engine: Engine) -> None:
    old = start_run(engine, "gxq", now=utcnow() - timedelta(minutes=20))
    assert running_run(engine, "gxq", stale_after=300) is None
    new = start_run(engine, "gxq", stale_after=300)
    got = dict(rows(engine, "SELECT id, status FROM crawl_runs"))
    assert got == {old: "abandoned", new: "running"}


def test_run_of_a_dead_process_on_this_host_does_not_block(engine: Engine) -> None:
    old = start_run(engine, "gxq")
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = f"{socket.gethostname()}:{int(proc.stdout)}"
    with engine.begin() as conn:
        conn.execute(text("UPDATE crawl_runs SET owner = :o WHERE id = :i"), {"o": dead, "i": old})
    new = start_run(engine, "gxq")  # heartbeat is fresh, but its process is gone
    assert dict(rows(engine, "SELECT id, status FROM crawl_runs")) == {
        old: "abandoned",
        new: "running",
    }


def test_pipeline_refuses_overlap_then_allows_after_finish(db_url: str) -> None:
    first = open_run(db_url)
    with pytest.raises(CrawlLockedError):
        open_run(db_url)
    first.feed([article(1)])
    first.close()
    second = open_run(db_url)
    second.close()
    eng = make_engine(db_url)
    try:
        assert [r[0] for r in rows(eng, "SELECT status FROM crawl_runs ORDER BY id")] == [
            "finished",
            "finished",
        ]
    finally:
        eng.dispose()


CHILD = """
import sys, time
from tests.storage_helpers import article, open_run
run = open_run(sys.argv[1], batch_size=5)
for n in range(17):                      # 3 batches of 5 committed, 2 items still buffered
    run.feed([article(n)])
print("committed", flush=True)
time.sleep(120)
"""


@pytest.mark.slow
def test_sigkill_keeps_committed_batches_and_rerun_completes(db_url: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, db_url],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == "committed", child.stderr.read() if child.stderr else ""
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL

    eng = make_engine(db_url)
    try:
        assert scalar(eng, "SELECT count(*) FROM articles") == 15
        assert scalar(eng, "SELECT count(*) FROM view_counts") == 15
        assert rows(eng, "SELECT status, items FROM crawl_runs") == [("running", 15)]

        rerun = open_run(db_url, batch_size=5)  # not blocked: the killed process is gone
        rerun.feed(article(n) for n in range(20))
        rerun.close()

        assert scalar(eng, "SELECT count(*) FROM articles") == 20
        assert scalar(eng, "SELECT count(DISTINCT url) FROM articles") == 20
        assert scalar(eng, "SELECT count(*) FROM view_counts") == 35
        assert [
            tuple(r) for r in rows(eng, "SELECT status, items FROM crawl_runs ORDER BY id")
        ] == [("abandoned", 15), ("finished", 20)]
    finally:
        eng.dispose()


def test_cli_precheck(db_url: str) -> None:
    from pipelines.db.runs import ensure_site_free

    ensure_site_free(db_url, "gxq")  # empty database: nothing to wait for
    upgrade(db_url)
    eng = make_engine(db_url)
    try:
        run_id = start_run(eng, "gxq")
    finally:
        eng.dispose()
    with pytest.raises(CrawlLockedError, match=f"by run {run_id} "):
        ensure_site_free(db_url, "gxq")
    ensure_site_free(db_url, "another_site")
