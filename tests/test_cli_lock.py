"""Overlapping runs of one site are refused with one clear line, before Scrapy starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.storage_helpers import hold_run


def test_second_run_of_a_site_is_refused(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'lock.db'}"
    hold_run(db_url, "demo")  # a live run of "demo", held by this (alive) test process
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
