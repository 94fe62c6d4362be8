"""Cleaning: table tests for the pure normalisers and the pipeline on real items."""

from __future__ import annotations

import pytest
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem, RejectItem
from pipelines.cleaning import (
    CleaningPipeline,
    clean_article_fields,
    clean_body_text,
    collapse_quotes,
    is_boilerplate_line,
    normalise_whitespace,
    sanitise_body_html,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\u00a0b", "a b"),
        ("\u3000\u3000第一段", "第一段"),
        ("十三\u200b五\ufeff", "十三五"),
        ("  一  \n\n\n  二 \r\n三", "一\n二\n三"),
        ("a \t\u2003 b", "a b"),
        ("控制\x01字符\x1f\x7f", "控制字符"),
        ("竖\x0b排\x0c页", "竖 排 页"),
    ],
)
def test_normalise_whitespace(text: str, expected: str) -> None:
    assert normalise_whitespace(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("““十三五””发展", "“十三五”发展"),
        ("“““三重”””", "“三重”"),
        ("“十四五”开局", "“十四五”开局"),
        ("‘‘引号’’", "‘引号’"),
        ("“院士专家工作站”“博士后流动站”", "“院士专家工作站”“博士后流动站”"),
        ("““甲”””‘‘‘乙’’", "“甲”‘乙’"),  # all four marks in one text, runs of 2 and 3
        ("“”‘’”“", "“”‘’”“"),  # different marks side by side are not a doubled mark
    ],
)
def test_collapse_quotes(text: str, expected: str) -> None:
    assert collapse_quotes(text) == expected


@pytest.mark.parametrize(
    ("line", "boilerplate"),
    [
        ("字号：", True),
        ("字号：大 中 小", True),
        ("+放大", True),
        ("-缩小", True),
        ("【打印本页】", True),
        ("【关闭窗口】", True),
        ("分享到：", True),
        ("分享到： 微信 微博", True),
        ("扫一扫在手机打开当前页", True),
        ("微信扫一扫分享", True),
        ("网站地图 | 联系我们", True),
        ("会议要求，要关闭窗口期内的所有违规项目。", False),
        ("放大招、出实招，推动经济回升向好", False),
        ("区长在会上作了讲话。", False),
    ],
)
def test_boilerplate_lines(line: str, boilerplate: bool) -> None:
    assert is_boilerplate_line(line) is boilerplate


def test_clean_body_text_drops_furniture_keeps_text() -> None:
    body, dropped = clean_body_text(
        "字号：\n+放大\n-缩小\n3月1日，会议召开。\n““十三五””成就显著。\n分享到：\n【打印本页】"
    )
    assert body == "3月1日，会议召开。\n“十三五”成就显著。"
    assert dropped == 5
    assert clean_body_text("\u3000\n分享到：") == (None, 1)
    assert clean_body_text(None) == (None, 0)


def test_sanitise_body_html() -> None:
    html = (
        '<div onclick="steal()"><p style="color:red">正文<script>alert(1)</script></p>'
        '<style>p{}</style><iframe src="http://x"></iframe>'
        '<a href="javascript:alert(1)">链接</a><img src="a.png" onerror="x()"></div>'
    )
    clean = sanitise_body_html(html) or ""
    for bad in ("script", "onclick", "onerror", "iframe", "javascript:", "<style", "style="):
        assert bad not in clean, bad
    assert "正文" in clean and "a.png" in clean
    assert sanitise_body_html("   ") is None


def test_clean_article_fields_returns_none_for_empty() -> None:
    cleaned = clean_article_fields(title="  启新程 \u3000", body_text="\n", source="", author=None)
    assert cleaned.title == "启新程"
    assert cleaned.body_text is None
    assert cleaned.source is None and cleaned.author is None


def test_pipeline_cleans_articles_and_counts() -> None:
    crawler = get_crawler()
    crawler.stats.open_spider()  # type: ignore[union-attr]
    pipeline = CleaningPipeline.from_crawler(crawler)
    item = ArticleItem(
        url="http://www.example.gov.cn/a.html",
        site="demo",
        title="启新程!\u00a0再出发!",
        body_text="““十三五””时期\n【关闭窗口】",
        body_html="<p>““十三五””<script>x()</script></p>",
        column_name=" 区内动态 ",
    )
    out = pipeline.process_item(item)
    assert out is item
    assert item.title == "启新程! 再出发!"
    assert item.body_text == "“十三五”时期"
    assert item.body_html is not None and "script" not in item.body_html
    assert "“十三五”" in item.body_html
    assert item.column_name == "区内动态"
    stats = crawler.stats.get_stats()  # type: ignore[union-attr]
    assert stats["govnews/cleaning/items"] == 1
    assert stats["govnews/cleaning/boilerplate_lines"] == 1
    assert stats["govnews/cleaning/quotes_collapsed"] == 2


def test_pipeline_passes_other_items_through() -> None:
    reject = RejectItem(url="http://x/1", site="demo", reason="no_title")
    assert CleaningPipeline().process_item(reject) is reject
