"""The CLI's start and exit (crawler/cli.py): the collector is paused while the commands are
imported and what they imported is frozen (as Python advises before a fork: a fleet's workers),
and the collector runs again afterwards, in the process that imported the CLI as in the forks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROBE = """
import gc
gc.enable()
import crawler.cli
print(gc.isenabled(), gc.get_freeze_count() > 1000)
gc.disable()
import importlib; importlib.reload(crawler.cli)
print(gc.isenabled())
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_import_freezes_the_commands_and_collects_again() -> None:
    done = _run("-c", PROBE)
    assert done.returncode == 0, done.stderr
    # on again after the import; a collector that was off before stays off
    assert done.stdout.split() == ["True", "True", "False"]


def test_the_entry_point_exits_with_its_status() -> None:
    assert _run("-m", "crawler.cli", "--version").returncode == 0
    bad = _run("-m", "crawler.cli", "crawl", "--workers", "0", "a", "b")
    assert bad.returncode == 2
    assert "'--workers': 0 is not in the range x>=1" in bad.stderr
