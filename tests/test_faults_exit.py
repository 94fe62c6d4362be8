"""Exit codes and Ctrl-C (issue 23 item 8), as an operator sees them in a terminal.

Ctrl-C goes to the whole foreground process group, so each crawl here runs in a session of its
own and the signal is sent to its group: one Ctrl-C stops cleanly (batches written are kept,
the run is ``interrupted``, exit 130, no worker traceback), a second forces; Ctrl-C while
``govnews demo`` is still opening does not let the crawl run on. A crawl whose every start URL
is unreachable, or a revisit whose every read fails, exits non-zero.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.faultsite import FaultSite
from tests.storage_helpers import article, open_run
from tests.test_faults_crawl import crawl_args

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _scalar(db_url: str, sql: str) -> object:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    except Exception:  # the table is not there yet
        return None
    finally:
        engine.dispose()


def _has_table(db: Path, name: str) -> bool:
    """A cheap look (no SQLAlchemy), so the poll can be tight."""
    if not db.exists():
        return False
    with contextlib.closing(sqlite3.connect(db, timeout=0.1)) as conn:
        try:
            query = "SELECT 1 FROM sqlite_master WHERE name = ?"
            return conn.execute(query, (name,)).fetchone() is not None
        except sqlite3.OperationalError:
            return False


def _wait(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def _trap_crawl(site: FaultSite, db_url: str, tmp_path: Path) -> subprocess.Popen[str]:
    """An endless pagination trap crawled slowly, so that it is still running when signalled."""
    args = crawl_args(site, tmp_path / "unused.db", "/trap/?page=1")
    args[args.index("--db") + 1] = db_url
    args[args.index("--max-pages") + 1] = "1000"
    args += ["-s", "DOWNLOAD_DELAY=0.05", "-s", "GOVNEWS_BATCH_SIZE=2"]
    return subprocess.Popen(
        args,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_one_ctrl_c_stops_cleanly_and_keeps_what_was_stored(db_url: str, tmp_path: Path) -> None:
    with FaultSite() as site:
        proc = _trap_crawl(site, db_url, tmp_path)
        try:
            _wait(lambda: (_scalar(db_url, "SELECT count(*) FROM articles") or 0) >= 4)
            stored_before = _scalar(db_url, "SELECT count(*) FROM articles")
            os.killpg(proc.pid, signal.SIGINT)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err[-2000:]
    assert "interrupted" in out and "finished" not in out
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert _scalar(db_url, "SELECT status FROM crawl_runs") == "interrupted"
    assert int(str(_scalar(db_url, "SELECT count(*) FROM articles"))) >= int(str(stored_before))


def test_a_second_ctrl_c_forces(sqlite_url: str, tmp_path: Path) -> None:
    with FaultSite() as site:
        proc = _trap_crawl(site, sqlite_url, tmp_path)
        try:
            _wait(lambda: (_scalar(sqlite_url, "SELECT count(*) FROM articles") or 0) >= 2)
            os.killpg(proc.pid, signal.SIGINT)
            time.sleep(0.05)
            os.killpg(proc.pid, signal.SIGINT)
            started = time.monotonic()
            _, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    assert time.monotonic() - started < 10
    assert "forced stop" in err and "Traceback" not in err
    assert _scalar(sqlite_url, "SELECT status FROM crawl_runs") == "interrupted"


def test_ctrl_c_while_demo_opens_does_not_let_it_run_on(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "demo", "--db", f"sqlite:///{db}", "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        # the storage pipeline creates the tables while the crawl opens, before the engine runs
        _wait(lambda: _has_table(db, "crawl_runs"), 60)
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, (out, err[-2000:])
    assert "Traceback" not in err
    assert "interrupted" in out or "Interrupted." in err  # or before the crawl began
    status = _scalar(f"sqlite:///{db}", "SELECT status FROM crawl_runs")
    assert status in ("interrupted", None)  # None: stopped before the run row was written
    assert (_scalar(f"sqlite:///{db}", "SELECT count(*) FROM articles") or 0) < 35


def test_a_crawl_whose_start_urls_are_all_unreachable_fails(
    sqlite_url: str, free_port: Callable[[], int]
) -> None:
    urls = [f"http://127.0.0.1:{free_port()}/news/", f"http://127.0.0.1:{free_port()}/gzdt/"]
    args = [sys.executable, "-m", "crawler.cli", "crawl", "--db", sqlite_url, "-q"]
    for url in urls:
        args += ["--start-url", url]
    args += ["-s", "RETRY_TIMES=0", "-s", "HTTPCACHE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0"]
    done = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "stored no article: 2 pages could not be read" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_revisit_whose_reads_all_fail_exits_non_zero(
    db_url: str, free_port: Callable[[], int]
) -> None:
    port = free_port()  # nothing listens there: every read is refused
    run = open_run(db_url)
    run.feed(
        [article(n, url=f"http://127.0.0.1:{port}/a/{n}.html", site="teststadt") for n in (1, 2)]
    )
    run.close()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "revisit",
            "--db",
            db_url,
            "--older-than",
            "0",
            "-q",
            "-s",
            "RETRY_TIMES=0",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, (done.stdout, done.stderr[-2000:])
    assert "revisit stored no reading: all 2 reads failed" in done.stderr


@pytest.mark.parametrize("after", [0.2, 0.5])
def test_ctrl_c_while_the_cli_loads_is_quiet(tmp_path: Path, after: float) -> None:
    db = f"sqlite:///{tmp_path / 'd.db'}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "demo", "--db", db, "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(after)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    # -SIGINT: the signal came before Python itself was up (a very slow machine)
    assert proc.returncode in (130, -signal.SIGINT), err[-2000:]
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
