"""The date a column's list prints beside a link dates an article whose page shows none (or only
a labelled date far from its headline, on another day): unit cases on pages written here, and a
crawl end to end."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest

from crawler.items import CHINA_TIME
from crawler.spiders.prepare import prepare_article
from pipelines.db.session import make_engine
from tests.ops_site import OpsSite, crawl_site
from tests.storage_helpers import rows, utc

URL = "http://www.example.gov.cn/qndt/art_7.html"
TITLE = "区政府召开第七次常务会议研究部署近期重点工作"
BODY = "".join(
    f"<p>第{k}段：会议听取了各部门关于重点项目建设和民生实事推进情况的汇报，研究部署下一阶段工作。</p>"
    for k in range(1, 5)
)


def _page(info: str = "", sidebar: str = "") -> bytes:
    return (
        "<html><head><meta charset='utf-8'><title>" + TITLE + "_某区人民政府</title></head><body>"
        "<div class='nav'><a href='/'>首页</a> <a href='/qndt/'>区内动态</a></div>"
        f"<h1>{TITLE}</h1><div class='info'>{info}</div><div class='content'>{BODY}</div>"
        f"<div class='related'><h3>相关新闻</h3><p>{sidebar}</p></div>"
        "<div class='footer'>主办：某区人民政府办公室</div></body></html>"
    ).encode()


def _prepared(page: bytes, listed: date | None) -> tuple[str | None, str | None, list[str]]:
    item = prepare_article(page, URL, site="s", listed=listed).item
    when = item.published_at.isoformat() if item.published_at else None
    return when, item.methods.get("published"), item.quality


def test_a_page_without_a_date_takes_its_list_rows() -> None:
    assert _prepared(_page("来源：区政府办公室"), None)[2] == ["no_date"]
    assert _prepared(_page("来源：区政府办公室"), date(2024, 6, 12)) == (
        "2024-06-12T00:00:00+08:00",
        "list",
        [],
    )


def test_a_far_labelled_date_on_another_day_loses_to_the_list() -> None:
    sidebar = "更新时间：2019-01-02 "  # a related list's, not the article's
    when, method, quality = _prepared(_page(sidebar=sidebar), None)
    assert (when, method, quality) == (
        "2019-01-02T00:00:00+08:00",
        "page-label",
        ["date_far_from_title"],
    )
    assert _prepared(_page(sidebar=sidebar), date(2024, 6, 12))[:2] == (
        "2024-06-12T00:00:00+08:00",
        "list",
    )
    # on the list's own day it is confirmed: kept, and no longer flagged
    assert _prepared(_page(sidebar=sidebar), date(2019, 1, 2)) == (
        "2019-01-02T00:00:00+08:00",
        "page-label",
        [],
    )


def test_the_pages_own_date_wins_over_the_list() -> None:
    info = "发布时间：2024-06-11 09:30 来源：区政府办公室"
    assert _prepared(_page(info), date(2024, 6, 12))[:2] == ("2024-06-11T09:30:00+08:00", "label")


@pytest.mark.slow
def test_a_crawl_dates_undated_pages_by_their_list_rows(db_url: str, tmp_path: Path) -> None:
    with OpsSite(articles=5) as site:
        site.undated_pages = True
        crawl_site(db_url, site, tmp_path)
        days = {f"{site.base_url}/news/art_{n}.html": site.day(n) for n in range(1, 6)}
    engine = make_engine(db_url)
    try:
        got = rows(engine, "SELECT url, published_at, quality FROM articles")
    finally:
        engine.dispose()
    assert len(got) == 5
    for url, published, quality in got:
        assert utc(published) == datetime.combine(days[url], time(), CHINA_TIME)
        assert quality is None  # no_date is gone: the list dated it
