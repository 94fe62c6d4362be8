"""Edits and removals (issue 27): an article edited between two crawls keeps its old text as one
``article_revisions`` row; one that answers 404, and one whose page says "该信息已删除", get
``removed_at`` (the time first seen gone, cleared when the page is back); no article row is lost.
By ``govnews crawl --full`` and by ``govnews revisit``, on SQLite and PostgreSQL.

Crawls run as real subprocesses against :class:`tests.ops_site.OpsSite` in a thread.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.items import CHINA_TIME
from pipelines.db.health import site_health
from pipelines.db.session import make_engine
from tests.ops_site import FAST, OpsSite, crawl_cmd, crawl_env
from tests.storage_helpers import rows, utc

pytestmark = pytest.mark.slow


def _run(cmd: list[str], tmp_path: Path) -> str:
    proc = subprocess.run(cmd, env=crawl_env(tmp_path), capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _crawl(site: OpsSite, db_url: str, tmp_path: Path, *args: str) -> None:
    _run(crawl_cmd(db_url, "--start-url", site.start_url, *args), tmp_path)


def _revisit(db_url: str, tmp_path: Path) -> str:
    cmd = [sys.executable, "-m", "crawler.cli", "revisit", "--db", db_url, "--older-than", "0"]
    return _run([*cmd, *FAST], tmp_path)


def _rows(db_url: str, sql: str) -> list[Any]:
    engine = make_engine(db_url)
    try:
        return rows(engine, sql)
    finally:
        engine.dispose()


def _aware(value: Any) -> datetime | None:
    return None if value is None else utc(value)


def _by_number(db_url: str) -> dict[int, Any]:
    rows = _rows(db_url, "SELECT id, url, body_text, removed_at FROM articles")
    return {int(r.url.rsplit("_", 1)[1].split(".")[0]): r for r in rows}


def _revisions(db_url: str) -> list[Any]:
    return _rows(
        db_url,
        "SELECT article_id, seen_at, changed, title, body_text, body_html, content_hash"
        " FROM article_revisions ORDER BY id",
    )


def test_a_recrawl_keeps_the_old_text_and_marks_removals(db_url: str, tmp_path: Path) -> None:
    with OpsSite(articles=12) as site:
        _crawl(site, db_url, tmp_path)
        before = _by_number(db_url)
        assert len(before) == 12 and all(r.removed_at is None for r in before.values())
        old_hash = _rows(db_url, f"SELECT content_hash FROM articles WHERE id = {before[3].id}")

        site.edited, site.removed, site.gone = {3}, {5}, {7}
        started = datetime.now(UTC)
        _crawl(site, db_url, tmp_path, "--full")
        ended = datetime.now(UTC)

        after = _by_number(db_url)
        assert sorted(after) == list(range(1, 13))  # nothing lost
        assert {n: r.id for n, r in after.items()} == {n: r.id for n, r in before.items()}
        (revision,) = _revisions(db_url)
        assert revision.article_id == before[3].id
        assert revision.changed == "body_text,body_html"
        assert revision.body_text == before[3].body_text
        assert "第3次会议第2段：会议听取了" in revision.body_text
        assert revision.title == "区政府召开第3次重点工作推进会议部署近期任务"
        assert revision.content_hash == old_hash[0][0]
        assert "（更正）" in after[3].body_text and "（更正）" not in revision.body_html
        assert started <= _aware(revision.seen_at) <= ended  # type: ignore[operator]

        removed = {n: _aware(r.removed_at) for n, r in after.items() if r.removed_at}
        assert set(removed) == {5, 7}
        assert all(started <= at <= ended for at in removed.values())  # type: ignore[operator]
        # the notice page did not overwrite the article it replaced
        assert after[7].body_text == before[7].body_text
        reasons = dict(_rows(db_url, "SELECT url, reason FROM rejects"))
        assert reasons == {after[5].url: "http_404", after[7].url: "gone_page"}

        # article 5 is back, 7 is still gone: 5 is online again, 7 keeps its first time gone
        site.removed = set()
        _crawl(site, db_url, tmp_path, "--full")
        again = _by_number(db_url)
        assert again[5].removed_at is None
        assert _aware(again[7].removed_at) == removed[7]
        assert len(_revisions(db_url)) == 1  # the edited text, unchanged since, adds nothing

    engine = make_engine(db_url)
    try:
        (health,) = site_health(engine)
    finally:
        engine.dispose()
    assert (health.removed, health.revisions, health.flags) == (1, 1, [])
    day = removed[7].astimezone(CHINA_TIME).date()  # type: ignore[union-attr]
    assert f"articles removed from the site: 1 (latest {day})" in health.notes
    assert any(n.startswith("edits kept as revisions: 1 (latest ") for n in health.notes)


def test_revisit_records_edits_and_removals(db_url: str, tmp_path: Path) -> None:
    with OpsSite(articles=8) as site:
        _crawl(site, db_url, tmp_path)
        before = _by_number(db_url)
        site.edited, site.removed, site.gone = {2}, {4}, {6}
        started = datetime.now(UTC)
        out = _revisit(db_url, tmp_path)
        ended = datetime.now(UTC)
        assert "1 changed, 2 removed" in out

        after = _by_number(db_url)
        assert sorted(after) == list(range(1, 9))
        (revision,) = _revisions(db_url)  # unchanged pages add no revision
        assert revision.article_id == before[2].id and revision.changed == "body_text,body_html"
        assert revision.body_text == before[2].body_text
        assert "（更正）" in after[2].body_text
        removed = {n for n, r in after.items() if r.removed_at}
        assert removed == {4, 6}
        times = [_aware(after[n].removed_at) for n in removed]
        assert all(started <= at <= ended for at in times)  # type: ignore[operator]
        # every page still online gave its second view-count reading
        readings = dict(
            _rows(db_url, "SELECT article_id, COUNT(*) FROM view_counts GROUP BY article_id")
        )
        assert {n: readings[r.id] for n, r in before.items()} == {
            n: 1 if n in (4, 6) else 2 for n in before
        }
