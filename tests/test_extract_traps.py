"""Small inline pages for single traps of the generic cascade (titles, dates, views, body)."""

from __future__ import annotations

from datetime import datetime

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


def _body_text(main: str) -> str:
    return extract_article(_page("", main)).body_text or ""


#: the body as paragraphs straight inside the article block (BODY wraps them in a block of its
#: own, which pick_body would choose without what surrounds it)
PARAS = (
    "<p>7月1日，区里召开防汛工作会议，部署防汛备汛各项工作，要求各部门压实责任。</p>"
    "<p>会议强调，要严格落实值班值守制度，加强监测预警，确保安全度汛。</p>"
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
    body = _body_text(main)
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


def test_body_html_holds_what_body_text_holds() -> None:
    """The block chosen for the body often also holds the headline, the info line with its
    字号 tools, share and print blocks and 上一篇 links: body_text leaves them out, and so must
    body_html; images and the closing attachment list are content and stay."""
    main = (
        "<h2>区里召开防汛工作会议</h2>"
        "<div class='info'>发布时间：2024-07-01 来源：区水利局 字号："
        "<a href='javascript:z(16)'>大</a> <a href='javascript:z(14)'>小</a></div>"
        "<p><img src='flood.jpg'></p>"
        "<p>7月1日，区里召开防汛工作会议，部署防汛备汛各项工作，要求各部门压实责任。</p>"
        "<p>会议指出，今年汛期降雨偏多，各部门要克服麻痹思想，排查整治风险隐患。</p>"
        "<p>会议强调，要严格落实值班值守制度，加强监测预警，确保安全度汛。</p>"
        "<p>附件：<a href='/files/plan.pdf'>防汛预案.pdf</a></p>"
        "<div class='share'>分享到：<a href='#'>微信</a></div>"
        "<p>【打印本页】【关闭窗口】</p>"
        "<p>上一篇：<a href='/x/0.html'>区里召开安全生产会议</a></p>"
    )
    result = extract_article(_page("", main), "http://www.a.gov.cn/x/1.html")
    html = result.body_html or ""
    assert (result.body_text or "").startswith("7月1日，区里召开防汛工作会议")
    for gone in ("区里召开防汛工作会议</h2>", "发布时间", "字号", "分享到", "打印本页", "上一篇"):
        assert gone not in html, gone
    assert "<p>7月1日，区里召开防汛工作会议" in html
    assert "加强监测预警，确保安全度汛。" in html
    assert "http://www.a.gov.cn/x/flood.jpg" in html
    assert "http://www.a.gov.cn/files/plan.pdf" in html


def test_hidden_copies_stay_out_of_body_html() -> None:
    """The sanitiser drops inline styles, so a hidden block left in body_html would show."""
    main = (
        "<h2>区里召开防汛工作会议</h2><div class='con'>"
        "<div style='display: none'>隐藏的旧版正文</div><p hidden>另一段隐藏文字</p>"
        f"{PARAS}</div>"
    )
    result = extract_article(_page("", main))
    html = result.body_html or ""
    assert "隐藏" not in (result.body_text or "") and "隐藏" not in html
    assert "要求各部门压实责任。" in html and "确保安全度汛。" in html


def test_leading_text_inside_a_paragraph_is_cut_from_body_html() -> None:
    main = (
        "<div class='con'><p>来源：区水利局 发布时间：2024-07-01<br>"
        "7月1日，区里召开防汛工作会议，部署防汛备汛各项工作，要求各部门压实责任。<br>"
        "会议强调，要严格落实值班值守制度，确保安全度汛。</p></div>"
    )
    result = extract_article(_page("", main))
    html = result.body_html or ""
    assert "来源" not in html and "发布时间" not in html
    assert "7月1日，区里召开防汛工作会议" in html and "确保安全度汛。" in html


def test_disclosure_table_and_date_lines_before_the_headline_are_not_body() -> None:
    """政务公开 pages put 索引号/发布机构/成文日期 rows, and templates a bare date line and
    lone 大/中/小 font buttons, above or below the headline inside the body block."""
    table = (
        "<table><tr><td>索 引 号</td><td>11130200/2024-00012</td></tr>"
        "<tr><td>发布机构</td><td>区水利局</td></tr>"
        "<tr><td>成文日期</td><td>2024-07-01</td></tr></table>"
    )
    main = (
        f"{table}<h2>区里召开防汛工作会议</h2><p>2024-07-01 09:30</p>"
        "<div>来源：区水利局</div><div>字号：</div><div>大</div><div>中</div><div>小</div>"
        f"{BODY}"
    )
    body = _body_text(main)
    assert body.startswith("7月1日，区里召开防汛工作会议"), body[:60]
    assert body.endswith("确保安全度汛。")


def test_a_source_line_opening_the_block_is_not_body() -> None:
    """来源/发布/浏览 labels mark an info line even as the block's first line, without a date."""
    body = _body_text(f"<div class='con'><p>来源：人民网 记者：王小明</p>{PARAS}</div>")
    assert body.startswith("7月1日，区里召开防汛工作会议"), body[:60]
    # a chart's source under a short heading is the article's, not the page's
    table = "<p>一、基本情况</p><p>数据来源：区统计局</p>"
    body = _body_text(f"<h2>区里召开防汛工作会议</h2><div class='con'>{table}{PARAS}</div>")
    assert body.startswith("一、基本情况\n数据来源：区统计局\n7月1日"), body[:60]


def test_a_byline_under_the_info_line_is_not_body_but_a_reporters_sentence_is() -> None:
    info = "<h2>区里召开防汛工作会议</h2><p>发布时间：2024-07-01</p>"
    tail = "<p>会议强调，要严格落实值班值守制度，加强监测预警，确保安全度汛。</p></div>"
    byline = (
        f"{info}<div class='con'><p>本报记者 王小明 通讯员 李华</p><p>7月1日，区里召开会议。</p>"
    )
    body = _body_text(byline + tail)
    assert body.startswith("7月1日，区里召开会议。"), body[:60]
    sentence = f"{info}<div class='con'><p>记者从区水利局获悉，今年汛期降雨偏多。</p>"
    body = _body_text(sentence + tail)
    assert body.startswith("记者从区水利局获悉"), body[:60]


def test_short_lines_opening_a_notice_stay_in_the_body() -> None:
    """Short lines are dropped only when a headline or a publication info line follows them:
    a notice's salutation and its 时间/地点 lines are text."""
    main = (
        "<h2>区里召开防汛工作会议</h2><p>发布时间：2024-07-01</p><div class='con'>"
        "<p>各有关单位：</p><p>时间：2024年7月2日上午9时</p><p>地点：区政府三楼会议室</p>"
        "<p>请各单位主要负责同志参加会议，部署防汛备汛各项工作，要求各部门压实责任。</p>"
        "<p>会议强调，要严格落实值班值守制度，确保安全度汛。</p></div>"
    )
    body = _body_text(main)
    assert body.startswith("各有关单位：\n时间：2024年7月2日上午9时\n地点："), body[:60]


def test_garbage_input_never_raises() -> None:
    for junk in (b"", b"\x00\x01\x02", "<<<>>>", b"<html><body></body></html>", "只有文字"):
        result = extract_article(junk)
        assert result.views is None


def _day(published: datetime | None) -> str | None:
    return published.date().isoformat() if published is not None else None


def test_a_column_site_title_tag_never_makes_the_last_crumb_the_headline() -> None:
    """Some CMSs title article pages "column_site"; the column is the breadcrumb's last crumb,
    and the headline is a title-classed block whose container also holds the date bar."""
    main = (
        "<div class='position'>您当前的位置：<a href='/'>首页</a>&gt;<a href='/bm/'>部门动态</a>"
        " &gt; <span class='dq'>工作动态</span></div>"
        "<div class='zwxl-title'><p class='tit'>区里召开防汛工作会议</p>"
        "<div class='bar'><span>日期：</span><span>2024-07-01</span> 大 中 小</div></div>"
        f"{BODY}"
    )
    result = extract_article(_page("", main, title="工作动态_某区人民政府"))
    assert result.title == "区里召开防汛工作会议"
    assert result.column_name == "工作动态"  # the last crumb, as text
    assert _day(result.published_at) == "2024-07-01"


def test_a_date_inside_the_heading_after_the_title_is_the_publication_date() -> None:
    main = (
        "<h2 class='Article-title'>区里召开防汛工作会议"
        "<small class='Article-time'>2024-07-01 <span>来源：区应急局</span></small></h2>"
        f"{BODY}"
    )
    result = extract_article(_page("", main))
    assert result.title == "区里召开防汛工作会议"
    assert _day(result.published_at) == "2024-07-01"
    assert result.source == "区应急局"


def test_meta_pubdate_adds_the_time_to_a_visible_day_it_agrees_with() -> None:
    main = f"<h2>区里召开防汛工作会议</h2><p>发布日期：2024-07-01</p>{BODY}"
    same_day = _page("<meta name='PubDate' content='2024-07-01 09:30'>", main)
    published = extract_article(same_day).published_at
    assert published is not None and published.isoformat() == "2024-07-01T09:30:00+08:00"
    other_day = _page("<meta name='PubDate' content='2024-06-30 18:00'>", main)
    published = extract_article(other_day).published_at
    assert published is not None and published.isoformat() == "2024-07-01T00:00:00+08:00"


def test_the_column_is_the_last_crumb_that_names_one() -> None:
    def column(crumbs: str) -> str | None:
        main = f"<div class='location'>{crumbs}</div><h2>区里召开防汛工作会议</h2>{BODY}"
        return extract_article(_page("", main)).column_name

    home, news = "<a href='/'>首页</a>", "<a href='/xwzx/'>新闻中心</a>"
    assert column(f"{home} &gt; {news} &gt; 区内动态") == "区内动态"
    assert column(f"{home} &gt; {news} &gt; 列表") == "新闻中心"  # a page type, not a column
    assert column(f"{home} &gt; {news} &gt; 正文") == "新闻中心"
    assert column(f"{home} &gt; {news} &gt; 区里召开防汛工作会议") == "新闻中心"
    assert column(f"{home} &gt; {news} &gt; 区里召开防汛工作…") == "新闻中心"
