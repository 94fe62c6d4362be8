"""Revisions and removals in the storage layer: which pages say they are gone (a table of real
phrasings and of short notices that are not), and what the batch writes for an edit, a title
change, a removal under another URL of the article, and a page that comes back; on SQLite and
PostgreSQL through the real pipelines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.items import RejectItem
from pipelines.db.session import make_engine
from pipelines.validation import gone_notice
from tests.storage_helpers import article, open_run, rows, utc

T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("title", "body", "notice"),
    [
        ("提示信息", "对不起，该信息已删除或不存在！", "该信息已删除"),
        ("区政府召开会议", "该信息已删除", "该信息已删除"),
        ("页面不存在", "您访问的页面不存在或已被删除", "您访问的页面不存在或已被删除"),
        ("提示", "已撤销", "已撤销"),
        ("提示", "对不起，已被删除！", "对不起，已被删除！"),
        (None, "信息不存在", "信息不存在"),
        ("错误", "抱歉，找不到您要访问的页面", "找不到您要访问的页面"),
        ("提示信息", "此文章已被撤稿 返回首页", "此文章已被撤稿"),
        ("404", "Page Not Found", "Page Not Found"),
        ("页面不存在", "", "页面不存在"),
    ],
)
def test_gone_notices(title: str | None, body: str, notice: str) -> None:
    assert gone_notice(title, body) == notice


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("关于撤销某公司资质的公告", "经研究决定，某某公司建筑业资质已撤销。特此公告。"),
        ("关于网站信息删除的说明", "本网站部分过期信息已被删除，如需查询请联系办公室。"),
        ("区政府召开会议", "会议指出，要删除不必要的审批环节，页面信息要及时更新。"),
        # a long article that quotes a notice is an article
        ("关于清理网站内容的通知", "该信息已删除。" + "各单位要按照要求清理过期信息。" * 10),
    ],
)
def test_articles_that_mention_a_deletion_are_not_gone(title: str, body: str) -> None:
    assert gone_notice(title, body) is None


def test_an_edit_keeps_the_old_text_once(db_url: str) -> None:
    first = open_run(db_url)
    first.feed([article(1, fetched_at=T0), article(2, fetched_at=T0)])
    first.close()
    later = T0 + timedelta(days=2)
    second = open_run(db_url)
    second.feed(
        [
            article(1, title="高新区召开第1次工作会议（更新）", fetched_at=later),
            article(2, fetched_at=later),  # unchanged: no revision
        ]
    )
    second.close()
    assert second.stat("govnews/storage/revisions") == 1
    engine = make_engine(db_url)
    try:
        (rev,) = rows(
            engine,
            "SELECT r.article_id, r.seen_at, r.changed, r.title, r.body_text, a.title AS now"
            " FROM article_revisions r JOIN articles a ON a.id = r.article_id",
        )
        assert rev.changed == "title"
        assert rev.title == "高新区召开第1次工作会议"
        assert rev.now == "高新区召开第1次工作会议（更新）"
        assert rev.body_text == article(1).body_text
        assert utc(rev.seen_at) == later
    finally:
        engine.dispose()


def test_a_removal_under_another_url_marks_the_article_and_a_return_clears_it(
    db_url: str,
) -> None:
    alias = "http://127.0.0.1:1/qndt/1.htm"
    run = open_run(db_url)
    run.feed([article(1, aliases=[alias]), article(2)])
    run.close()
    gone = open_run(db_url)
    gone.feed(
        [
            RejectItem(alias, "teststadt", "http_410"),
            RejectItem(article(2).url, "teststadt", "timeout"),  # not gone: a failed fetch
            RejectItem("http://127.0.0.1:1/qndt/9.html", "teststadt", "http_404"),  # unknown
        ]
    )
    gone.close()
    assert gone.stat("govnews/storage/removals") == 1
    engine = make_engine(db_url)
    try:
        removed = dict(rows(engine, "SELECT url, removed_at FROM articles ORDER BY url"))
        assert removed[article(2).url] is None
        at = utc(removed[article(1).url])
        assert datetime.now(UTC) - at < timedelta(minutes=5)
        back = open_run(db_url)
        back.feed([article(1)])
        back.close()
        assert rows(engine, "SELECT removed_at FROM articles WHERE url = :u", u=article(1).url)[
            0
        ] == (None,)
        assert len(rows(engine, "SELECT id FROM articles")) == 2
    finally:
        engine.dispose()
