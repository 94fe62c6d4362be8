"""A disk that fills up mid-crawl (issue 22, part 3): a non-zero exit, the lost writes counted,
and one incremental crawl after space is freed completes the set.

The SQLite database lives on a real 2 MiB tmpfs mounted for the test (it needs root and a
``mount`` that works: a container without CAP_SYS_ADMIN skips it, with the reason), nearly
filled by a ballast file; deleting the ballast is "freeing space".
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ops_site import OpsSite, crawl_cmd, crawl_env
from tests.test_ops_no_holes import query, stored_numbers

pytestmark = pytest.mark.slow
#: room left beside the ballast: the schema and some 40 of the 100 articles
ROOM = 500_000


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(
        # room for the schema (its indexes and counters, 0008) and all 100 articles once freed
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_full_disk_fails_the_run_and_the_next_crawl_completes(
    small_disk: Path, tmp_path: Path
) -> None:
    db_url = f"sqlite:///{small_disk / 'govnews.db'}"
    subprocess.run(
        [sys.executable, "-m", "crawler.cli", "db", "upgrade", "--db", db_url], check=True
    )
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    ballast = small_disk / "ballast"
    ballast.write_bytes(b"\0" * (free - ROOM))
    env = crawl_env(tmp_path)
    with OpsSite(articles=100) as site:
        cmd = crawl_cmd(db_url, "--start-url", site.start_url, "-s", "GOVNEWS_BATCH_SIZE=10")
        full = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert full.returncode == 1, full.stdout + full.stderr[-2000:]
        stored = stored_numbers(db_url)
        assert 0 < len(stored) < 100  # the disk filled up mid-crawl
        assert f"{100 - len(stored)} item(s) could not be stored" in full.stderr
        [(status, items, errors)] = query(db_url, "SELECT status, items, errors FROM crawl_runs")
        assert (status, items) == ("incomplete", len(stored))
        assert errors == 100 - len(stored)

        ballast.unlink()
        site.requests.clear()
        again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr[-2000:]
        assert stored_numbers(db_url) == set(range(1, 101))
        assert site.article_fetches() == 100 - len(stored)  # only what was missing
        runs = query(db_url, "SELECT status, errors FROM crawl_runs ORDER BY id")
        assert runs[-1] == ("finished", 0)
