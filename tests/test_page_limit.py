"""A column that declares more list pages than GOVNEWS_MAX_PAGES (the pagination-trap bound) is
read to its declared end while its pages show new links; a limit set for the crawl is kept."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipelines.db.session import make_engine
from tests.ops_site import PER_PAGE, OpsSite, crawl_cmd, crawl_env
from tests.storage_helpers import rows

pytestmark = pytest.mark.slow


def _crawl(db_url: str, tmp_path: Path, *args: str) -> tuple[int, dict[str, int]]:
    """(articles stored, list pages fetched by path) of one crawl of a 5-page column."""
    with OpsSite(articles=PER_PAGE * 5) as site:
        cmd = crawl_cmd(db_url, "--start-url", site.start_url, "-s", "GOVNEWS_MAX_PAGES=2", *args)
        proc = subprocess.run(
            cmd, env=crawl_env(tmp_path), capture_output=True, text=True, timeout=90
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        lists = {p: n for p, n in site.requests.items() if p.startswith("/news/index")}
    engine = make_engine(db_url)
    try:
        (stored,) = rows(engine, "SELECT count(*) FROM articles")[0]
    finally:
        engine.dispose()
    return stored, lists


def test_a_declared_column_is_read_past_the_trap_bound(db_url: str, tmp_path: Path) -> None:
    stored, lists = _crawl(db_url, tmp_path)
    assert stored == PER_PAGE * 5
    assert sorted(lists) == [f"/news/index{s}.html" for s in ("", "_2", "_3", "_4", "_5")]


def test_a_limit_set_for_the_crawl_is_kept(db_url: str, tmp_path: Path) -> None:
    stored, lists = _crawl(db_url, tmp_path, "--max-pages", "2")
    assert stored == PER_PAGE * 2
    assert sorted(lists) == ["/news/index.html", "/news/index_2.html"]
