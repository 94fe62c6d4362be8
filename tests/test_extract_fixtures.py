"""Our own fixture pages (tests/fixtures/pages/*.html, raw bytes) against hand-reviewed golden JSON.

Each page models one trap: GBK bytes, UTF-16 with a lying <meta>, a stray </html> before the
article, a 信息公开 table, a hidden duplicate copy, a footer site counter with a dynamic view
label, sidebar click counts of other articles, a .NET server's month-first 12-hour date
(``9/17/2012 3:05:09 PM``) after 发布日期 in an article whose URL carries another date, a
视频新闻 that is a hosted player in a frame (no text; the player page is its attachment).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.commands.extract import article_record
from crawler.extract.article import extract_article

PAGES = Path(__file__).parent / "fixtures" / "pages"
URL = "http://www.example.gov.cn/qndt/202401/t20240101_1.html"
CASES = sorted(p.stem for p in PAGES.glob("*.html"))


def test_fixture_set_is_complete() -> None:
    assert {
        "gbk_article",
        "utf16_article",
        "stray_html_article",
        "xxgk_table_article",
        "hidden_copy_article",
        "footer_counter_article",
        "sidebar_clicks_article",
        "en_us_date_article",
        "video_news_article",
    } <= set(CASES)
    for name in CASES:
        assert (PAGES / f"{name}.json").is_file(), f"{name}.json golden file is missing"


@pytest.mark.parametrize("name", CASES)
def test_fixture_page_matches_golden(name: str) -> None:
    raw = (PAGES / f"{name}.html").read_bytes()
    golden = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))
    result = extract_article(raw, URL)
    record = article_record(result, None, URL)
    got = {key: record[key] for key in golden if key != "views_dynamic"}
    got["views_dynamic"] = result.views_dynamic
    assert got == golden


def test_gbk_bytes_are_really_gbk() -> None:
    raw = (PAGES / "gbk_article.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "王镕堃" in (extract_article(raw).body_text or "")


def test_stray_html_end_tag_does_not_lose_the_article() -> None:
    raw = (PAGES / "stray_html_article.html").read_bytes()
    result = extract_article(raw)
    assert "春季招聘会" in (result.title or "")
    assert (result.body_text or "").endswith("初步达成就业意向600余人。")


def test_sidebar_and_footer_counts_are_never_views() -> None:
    sidebar = extract_article((PAGES / "sidebar_clicks_article.html").read_bytes())
    assert sidebar.views == 88
    footer = extract_article((PAGES / "footer_counter_article.html").read_bytes())
    assert footer.views is None and footer.views_dynamic is True


def test_hidden_copy_is_not_in_body() -> None:
    result = extract_article((PAGES / "hidden_copy_article.html").read_bytes())
    body = result.body_text or ""
    assert body.count("走进辖区养老院") == 1
    assert "扫一扫" not in body


def test_video_news_keeps_a_link_to_its_player() -> None:
    result = extract_article((PAGES / "video_news_article.html").read_bytes(), URL)
    assert result.body_kind == "video"
    player = "https://v.qq.com/txp/iframe/player.html?vid=w3512fxyl24"
    assert f'<a href="{player}">视频</a>' in (result.body_html or "")
    assert "<iframe" not in (result.body_html or "") and "打印" not in (result.body_html or "")
