"""Overlapping runs of one site are refused with one clear line, before Scrapy starts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from pipelines.db.migrate import upgrade
from pipelines.db.models import CrawlRun
from pipelines.db.session import make_engine


def test_second_run_of_a_site_is_refused(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'lock.db'}"
    upgrade(db_url)
    engine = make_engine(db_url)
    now = datetime.now(UTC)
    with engine.begin() as conn:  # a live run of "demo", held by this (alive) test process
        conn.execute(
            insert(CrawlRun).values(
                site="demo",
                start_urls=[],
                started_at=now,
                heartbeat_at=now,
                status="running",
                owner=f"{socket.gethostname()}:{os.getpid()}",
            )
        )
    engine.dispose()
    done = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "demo", "--db", db_url, "--port", "0", "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "site 'demo' is already being crawled by run 1" in done.stderr
    assert "Traceback" not in done.stderr
