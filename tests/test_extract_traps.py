"""Small inline pages for single traps of the generic cascade (titles, dates, views, body)."""

from __future__ import annotations

from crawler.extract.article import extract_article

BODY = (
    "<div class='con'><p>7月1日，区里召开防汛工作会议，"
    "部署防汛备汛各项工作，要求各部门压实责任。</p>"
    "<p>会议强调，要严格落实值班值守制度，确保安全度汛。</p></div>"
)


def _page(head: str, main: str, title: str = "区里召开防汛工作会议_某区人民政府") -> str:
    return (
        f"<html><head><title>{title}</title>{head}</head><body>"
        "<div class='header'><h1>某区人民政府</h1></div>"
        "<div class='sidebar'><h3>热点</h3><ul>"
        "<li><a href='/1'>热点新闻一</a> 2019-01-02 点击数：99</li>"
        "</ul></div>"
        f"<div class='art'>{main}</div>"
        "<div class='footer'>版权所有：某区人民政府 总访问量：123456 日期：2020-01-01</div>"
        "</body></html>"
    )


def test_title_is_never_the_site_name() -> None:
    page = _page(
        "", f"<h2>区里召开防汛工作会议</h2><p>日期：2024-07-01</p>{BODY}", title="某区人民政府"
    )
    result = extract_article(page)
    assert result.title == "区里召开防汛工作会议"


def test_meta_title_wins_over_title_tag() -> None:
    head = "<meta name='ArticleTitle' content='区里召开防汛工作会议'>"
    page = _page(head, f"<h2>区里召开防汛工作会议</h2>{BODY}", title="某区人民政府")
    result = extract_article(page)
    assert result.title == "区里召开防汛工作会议" and result.methods["title"] == "headline"


def test_visible_date_beats_meta_pubdate_and_sidebar_dates() -> None:
    head = "<meta name='PubDate' content='2024-12-31 23:00'>"
    main = f"<h2>区里召开防汛工作会议</h2><p>来源：区应急局发布时间：2024年7月1日 09∶30</p>{BODY}"
    result = extract_article(_page(head, main))
    assert result.published_at is not None
    assert result.published_at.isoformat() == "2024-07-01T09:30:00+08:00"
    assert result.source == "区应急局"
    assert result.views is None


def test_meta_then_url_dates_when_no_visible_date() -> None:
    main = f"<h2>区里召开防汛工作会议</h2>{BODY}"
    head = "<meta name='PubDate' content='2024-07-02 10:00'>"
    with_meta = extract_article(_page(head, main))
    assert with_meta.methods["published"] == "meta"
    assert with_meta.published_at is not None and with_meta.published_at.day == 2
    from_url = extract_article(_page("", main), "http://www.a.gov.cn/qxdt/202407/t20240703_9.html")
    assert from_url.methods["published"] == "url"
    assert from_url.published_at is not None and from_url.published_at.day == 3


def test_views_with_wan_unit_in_info_line() -> None:
    main = f"<h2>区里召开防汛工作会议</h2><p>2024-07-01 阅读：1.2万</p>{BODY}"
    result = extract_article(_page("", main))
    assert result.views == 12000
    assert result.views_raw == "阅读:1.2万"


def test_body_excludes_navigation_footer_and_sidebar() -> None:
    main = f"<h2>区里召开防汛工作会议</h2><p>日期：2024-07-01</p>{BODY}"
    body = extract_article(_page("", main)).body_text or ""
    assert body.startswith("7月1日，区里召开防汛工作会议")
    assert body.endswith("确保安全度汛。")
    for junk in ("热点", "版权所有", "总访问量"):
        assert junk not in body


def test_body_html_is_sanitised() -> None:
    main = (
        "<h2>区里召开防汛工作会议</h2><div id='zoom' onclick='x()'>"
        "<p style='color:red'>7月1日，区里召开防汛工作会议，"
        "部署防汛备汛各项工作，要求各部门压实责任。</p>"
        "<script>alert(1)</script><iframe src='http://evil'></iframe>"
        "<p><a href='javascript:alert(1)'>链接</a><img src='a.jpg' onerror='y()'></p></div>"
    )
    result = extract_article(_page("", main), "http://www.a.gov.cn/x/1.html")
    html = result.body_html or ""
    for bad in ("script", "onclick", "onerror", "iframe", "javascript:", "style="):
        assert bad not in html, bad
    assert "http://www.a.gov.cn/x/a.jpg" in html


def test_garbage_input_never_raises() -> None:
    for junk in (b"", b"\x00\x01\x02", "<<<>>>", b"<html><body></body></html>", "只有文字"):
        result = extract_article(junk)
        assert result.views is None
