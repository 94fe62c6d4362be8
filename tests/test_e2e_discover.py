"""End to end, as a new user would: ``govnews discover`` on a portal served on 127.0.0.1, then
``govnews crawl`` with the profile it wrote (``GOVNEWS_SITES_DIR``) into a real SQLite file.

Every article of every column discovery found must be stored: on the five fixture portals
(tests/portal_site.py) and on the bundled demo portal (crawler/demo), whose Hanweb jpage column
continues through its data proxy.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.sites.profile import load_file
from demoportal.server import DemoSite
from tests.portal_site import PortalServer
from tests.portals import PORTALS

pytestmark = pytest.mark.slow


def _govnews(*args: str, sites: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **({"GOVNEWS_SITES_DIR": str(sites)} if sites else {})}
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )


def _discover_then_crawl(home: str, name: str, tmp_path: Path) -> set[str]:
    """The article URLs stored by a crawl of the profile discover wrote for ``home``."""
    sites, db = tmp_path / "sites", tmp_path / "news.db"
    found = _govnews("discover", home, "--name", name, "--delay", "0", "-o", str(sites))
    assert found.returncode == 0, found.stderr[-2000:]
    assert f"wrote {sites / (name + '.toml')}" in found.stderr
    load_file(sites / f"{name}.toml")  # the loader accepts it
    check = _govnews("sites", "check", str(sites / f"{name}.toml"))
    assert check.returncode == 0 and "warning" not in check.stdout, check.stdout
    crawl = _govnews(
        "crawl", name, "--db", f"sqlite:///{db}", "-s", "DOWNLOAD_DELAY=0", sites=sites
    )
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert f"crawl of {name} finished" in crawl.stdout
    # health: every discovered column was crawled (columns listing articles / profile's)
    health = _govnews("health", "--db", f"sqlite:///{db}", sites=sites)
    assert health.returncode == 0, health.stdout + health.stderr
    n = len(load_file(sites / f"{name}.toml").start_urls)
    assert f" {n}/{n} " in health.stdout, health.stdout
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT url, title, body_text FROM articles").fetchall()
    assert all(title and body for _, title, body in rows)
    return {url for url, _, _ in rows}


@pytest.mark.parametrize("name", sorted(PORTALS))
def test_discovered_profile_crawls_every_column(name: str, tmp_path: Path) -> None:
    portal = PORTALS[name]
    with PortalServer(portal) as server:
        stored = _discover_then_crawl(server.base_url + "/", name, tmp_path)
        want = {server.base_url + p for c in portal.columns for p in portal.article_paths(c)}
    assert stored == want


def test_discover_on_the_demo_portal_then_crawl(tmp_path: Path) -> None:
    with DemoSite() as site:
        stored = _discover_then_crawl(site.base_url + "/", "demo", tmp_path)
        want = {a.url for a in site.expected_articles}
        profile = load_file(tmp_path / "sites" / "demo.toml")
        assert len(profile.start_urls) == len(site.start_urls) == 4
    assert stored == want
