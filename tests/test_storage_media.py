"""Notices whose content is images or attachments are stored, never rejected for lack of text,
with their kind and quality flags; on a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pipelines.db.session import make_engine
from tests.storage_helpers import article, open_run, rows, scalar


@pytest.fixture
def engine(db_url: str) -> Any:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def _scan_notice(n: int, scan: str) -> Any:
    return article(
        n,
        title="关于某某同志任前公示的公告",  # the same title every month
        body_text=None,
        body_html=f'<div><p><img src="http://127.0.0.1:1/upload/{scan}.jpg"></p></div>',
        body_kind="images",
        views=None,
        views_method=None,
    )


def test_image_and_attachment_notices_are_stored(db_url: str, engine: Any) -> None:
    run = open_run(db_url, batch_size=3)
    tender = article(
        3,
        body_text=None,
        body_html='<div><a href="http://127.0.0.1:1/zb/3.pdf">招标公告.pdf</a></div>',
        body_kind="attachments",
        attachments=[{"url": "http://127.0.0.1:1/zb/3.pdf", "name": "招标公告.pdf"}],
        quality=["no_date"],
    )
    run.feed([article(1), _scan_notice(2, "may"), tender, _scan_notice(4, "june")])
    run.close()

    got = rows(engine, "SELECT url, body_kind, body_text, quality FROM articles ORDER BY url")
    kinds = [(r[0].rsplit("/", 1)[-1], r[1], r[2]) for r in got]
    assert kinds == [
        ("1.html", "text", "3月1日，高新区召开工作会议。\n会议强调“十三五”成果。"),
        ("2.html", "images", ""),
        ("3.html", "attachments", ""),
        ("4.html", "images", ""),  # same title as 2, other scans: not a duplicate
    ]
    quality = {r[0].rsplit("/", 1)[-1]: r[3] for r in got}
    assert quality["1.html"] is None
    flags = quality["3.html"]
    assert (json.loads(flags) if isinstance(flags, str) else flags) == ["no_date"]
    assert scalar(engine, "SELECT count(*) FROM rejects") == 0
    assert run.stat("govnews/validation/missing_body") is None


def test_text_article_without_text_is_still_rejected(db_url: str, engine: Any) -> None:
    run = open_run(db_url)
    run.feed([article(1, body_text=" \n ", body_html="<p> </p>")])
    run.close()
    assert scalar(engine, "SELECT count(*) FROM articles") == 0
    assert rows(engine, "SELECT reason FROM rejects") == [("missing_body",)]


def _video_news(n: int, vid: str) -> Any:
    """A weekly 视频新闻: the same title, a hosted player whose frame the sanitiser drops."""
    player = f"https://v.qq.com/txp/iframe/player.html?vid={vid}"
    return article(
        n,
        title="【视频】本周区内要闻",
        body_text=None,
        body_html="<div><p></p></div>",
        body_kind="video",
        attachments=[{"url": player, "name": None}],
        views=None,
        views_method=None,
    )


def test_video_news_are_stored_and_two_players_are_two_articles(db_url: str, engine: Any) -> None:
    run = open_run(db_url)
    run.feed([_video_news(1, "k001"), _video_news(2, "k002"), _video_news(3, "k001")])
    run.close()
    got = rows(engine, "SELECT url, body_kind, attachments FROM articles ORDER BY url")
    assert [(r[0].rsplit("/", 1)[-1], r[1]) for r in got] == [
        ("1.html", "video"),
        ("2.html", "video"),
    ]
    players = [json.loads(r[2]) if isinstance(r[2], str) else r[2] for r in got]
    assert [p[0]["url"][-4:] for p in players] == ["k001", "k002"]
    # 3 plays what 1 plays: the same article, its URL kept as an alias
    aliases = rows(engine, "SELECT url FROM article_urls ORDER BY url")
    assert [r[0].rsplit("/", 1)[-1] for r in aliases] == ["3.html"]
    assert run.stat("govnews/dedupe/duplicate_content") == 1
