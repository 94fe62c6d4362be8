"""The crawl lock (issue 23 item 9): a crawl killed with SIGKILL and left a zombie (no init to
reap it) does not block a rerun, and the lock is per start-URL set, so ``--start-url`` crawls of
two columns of one host run side by side while one column is never crawled twice at once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from pipelines.db.runs import CrawlLockedError, running_run, start_run
from tests.faultsite import FaultSite
from tests.storage_helpers import hold_run, rows
from tests.test_faults_crawl import crawl_args

REPO = Path(__file__).resolve().parents[1]
CHILD = """
import sys, time
from pipelines.db.runs import start_run
from pipelines.db.session import make_engine
print(start_run(make_engine(sys.argv[1]), "gxq", ["http://h/col1/"]), flush=True)
time.sleep(120)
"""


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_killed_crawl_left_a_zombie_does_not_block(db_url: str, migrated_engine: Engine) -> None:
    engine = migrated_engine
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, db_url],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        held = int(child.stdout.readline())
        os.kill(child.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10  # not reaped: this process does not wait() yet
        while _state(child.pid) != "Z" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _state(child.pid) == "Z"
        assert running_run(engine, "gxq") is None
        new = start_run(engine, "gxq", ["http://h/col1/"])
        assert dict(rows(engine, "SELECT id, status FROM crawl_runs")) == {
            held: "abandoned",
            new: "running",
        }
    finally:
        child.kill()
        child.wait(timeout=30)


def test_the_lock_is_per_start_url_set(migrated_engine: Engine) -> None:
    engine = migrated_engine
    first = start_run(engine, "127_0_0_1", ["http://h/col1/"])
    second = start_run(engine, "127_0_0_1", ["http://h/col2/"])  # another column: runs
    for urls in (["http://h/col1/"], ["http://h/col2/", "http://h/col3/"], []):
        with pytest.raises(CrawlLockedError):
            start_run(engine, "127_0_0_1", urls)
    assert start_run(engine, "127_0_0_1", ["http://h/col3/"]) > second
    live = running_run(engine, "127_0_0_1", start_urls=["http://h/col1/"])
    assert live is not None and live.id == first
    assert running_run(engine, "127_0_0_1", start_urls=["http://h/col4/"]) is None
    assert running_run(engine, "127_0_0_1") is not None  # no URLs named: any run of the site


@pytest.mark.slow
def test_start_url_crawls_of_two_columns_do_not_refuse_each_other(tmp_path: Path) -> None:
    db = tmp_path / "lock.db"
    with FaultSite() as site:
        hold_run(f"sqlite:///{db}", "127_0_0_1", [site.url("/nolinks/")])  # a live /nolinks/ crawl
        other = subprocess.run(
            crawl_args(site, db, "/calnews/"), capture_output=True, text=True, timeout=300
        )
        same = subprocess.run(
            crawl_args(site, db, "/nolinks/"), capture_output=True, text=True, timeout=300
        )
    assert other.returncode == 0, other.stderr[-2000:]
    assert "already being crawled" not in other.stderr
    assert same.returncode == 1
    assert "site '127_0_0_1' is already being crawled by run 1" in same.stderr
