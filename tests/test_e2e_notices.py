"""A 通知公告 column of scanned notices, crawled end to end (``govnews crawl`` subprocess) into
real databases: every notice is stored with its title, date and scans, none rejected."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipelines.db.session import make_engine
from tests.ops_site import OpsSite, crawl_cmd, crawl_env
from tests.storage_helpers import rows

pytestmark = pytest.mark.slow


def test_column_of_scanned_notices_is_stored_whole(db_url: str, tmp_path: Path) -> None:
    with OpsSite(articles=12) as site:
        site.scanned = True
        cmd = crawl_cmd(db_url, "--start-url", site.start_url)
        proc = subprocess.run(
            cmd, env=crawl_env(tmp_path), capture_output=True, text=True, timeout=90
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
    engine = make_engine(db_url)
    try:
        got = rows(
            engine,
            "SELECT url, title, published_at, body_kind, body_text, body_html FROM articles",
        )
        rejects = rows(engine, "SELECT url, reason FROM rejects")
    finally:
        engine.dispose()
    assert rejects == []
    assert len(got) == 12
    for url, title, published, kind, text, html in got:
        n = int(url.rsplit("_", 1)[-1].removesuffix(".html"))
        assert title == f"区政府召开第{n}次重点工作推进会议部署近期任务"
        assert published is not None
        assert kind == "images" and text == ""
        assert f"/upload/scan_{n}_1.jpg" in html and f"/upload/scan_{n}_2.jpg" in html
