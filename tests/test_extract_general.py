"""General patterns of article pages from sites extraction has never seen, one page each.

Each page here was written for this project to show one pattern (fixtures written beside the
code, not a measure of unseen sites): a class name is a hint and never vetoes the article; a
comment thread or a legal notice after the article is not the article; a weak pick gets a
second opinion from a peer extractor; a notice whose content is images or attachments is an
article; the date printed with the headline wins; quality flags say what was found the weak
way; a labelled value stops at the next label."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.commands.extract import extract
from crawler.extract.article import extract_article
from crawler.extract.fallback import bigram_overlap, is_weak, locate
from crawler.extract.html import parse_html
from crawler.extract.layout import build_layout

PARAS = (
    "5月8日上午，区政府召开全区安全生产工作会议，传达学习上级有关会议精神，通报近期安全生产"
    "形势，部署下一阶段重点工作。",
    "会议指出，今年以来全区安全生产形势总体平稳，但部分行业领域仍存在薄弱环节，各部门要清醒"
    "认识当前面临的风险挑战。",
    "会议要求，要压紧压实各方责任，深入开展重点行业领域隐患排查整治，对发现的问题建立台账、"
    "限期整改、逐项销号。",
    "会议强调，要加强应急值守和信息报送，严格执行领导带班和24小时值班制度，确保发生突发情况"
    "时能够快速响应、妥善处置。",
)
TITLE = "区政府召开全区安全生产工作会议"
ARTICLE = "".join(f"<p>{p}</p>" for p in PARAS)


def _page(
    main: str, *, head: str = "", before: str = "", after: str = "", title: str = TITLE
) -> str:
    return (
        f"<html><head><meta charset='utf-8'><title>{title}_某区人民政府</title>{head}</head>"
        "<body><div class='nav'><a href='/'>首页</a> <a href='/qndt/'>区内动态</a></div>"
        f"{before}{main}{after}"
        "<div class='footer'>版权所有：某区人民政府 ICP备12345678号</div></body></html>"
    )


def _headed(content: str, info: str = "发布时间：2024-05-08 09:30 来源：区应急局") -> str:
    return f"<h1>{TITLE}</h1><div class='info'>{info}</div>{content}"


def _lines(text: str | None) -> list[str]:
    return (text or "").splitlines()


# --- a name is a hint, never a veto -------------------------------------------------------------


@pytest.mark.parametrize(
    "wrapper",
    [
        "<div class='font-size-box'>{}</div>",  # a 字号 zoom box around the text
        "<div class='tools-content'>{}</div>",
        "<div id='page' class='u-header-sticky has-nav'>{}</div>",  # the page's own wrapper
    ],
)
def test_article_in_a_box_with_a_junk_name_is_the_body(wrapper: str) -> None:
    result = extract_article(_page(_headed(wrapper.format(ARTICLE))))
    assert _lines(result.body_text) == list(PARAS)
    assert result.body_kind == "text" and result.quality == []


def test_extract_command_returns_the_body_of_a_junk_named_box(tmp_path: Path) -> None:
    page = tmp_path / "font_size_box.html"
    page.write_text(_page(_headed(f"<div class='fontsize'>{ARTICLE}</div>")), encoding="utf-8")
    result = CliRunner().invoke(extract, [str(page)])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["title"] == TITLE
    assert record["body"].startswith("5月8日上午") and record["body"].endswith("妥善处置。")


def test_long_comment_thread_after_the_article_is_not_the_body() -> None:
    comments = "".join(
        f"<div class='item'><p>网友{i}：这次会议部署得很及时，希望各部门认真落实，把隐患排查"
        "整治工作做细做实，真正守住安全底线，让群众安心。我们小区也有类似问题，盼早日解决。</p></div>"
        for i in range(8)
    )
    page = _page(
        _headed(f"<div class='text'>{ARTICLE}</div>"),
        after=f"<div class='comments'><h3>网友评论</h3>{comments}</div>",
    )
    result = extract_article(page)
    assert _lines(result.body_text) == list(PARAS)
    assert "body_partial" not in result.quality  # a peer read the same body


# --- what follows the article in its own block --------------------------------------------------


@pytest.mark.parametrize("heading", ["发表评论", "网友评论：", "版权声明", "反侵权公告："])
def test_comment_or_legal_heading_ends_the_body(heading: str) -> None:
    notice = "根据有关法律法规，未经书面许可，任何单位或个人不得转载、摘编本网作品。"
    tail = f"<p>{heading}</p><p>{notice}</p>"
    result = extract_article(_page(_headed(f"<div class='text'>{ARTICLE}{tail}</div>")))
    assert _lines(result.body_text) == list(PARAS)
    assert result.body_html is not None and heading.rstrip("：") not in result.body_html


# --- a second opinion when our pick is weak -----------------------------------------------------

LEGAL = (
    "本网站所有内容均由内容合作方根据协议提供。根据有关法律法规之规定，除著作权人声明或者上载"
    "该作品的网络服务提供者受著作权人的委托声明不得转载、摘编的以外，我们有权转载或摘编已在报刊"
    "上刊登或者网络上传播的作品，并按照有关规定向著作权人支付稿酬、注明出处。如果您发现本网站已"
    "转载或摘编了您拥有著作权的作品并对稿酬有疑议，请您发送电子邮件。"
)
RELATED = "".join(
    f"<li><a href='/r{i}.html'>区里召开第{i}次专题会议研究部署相关工作安排</a>"
    f"（2024-0{i}-0{i}）</li>"
    for i in range(1, 9)
)
#: paragraphs that share their table cell with a long related list, beside a legal notice in a
#: cell of its own: the notice outscores the cell, and holds less than half of the page's prose
WEAK_PICK_PAGE = _page(
    f"<table><tr><td>{_headed(ARTICLE)}<div>相关报道：</div><ul>{RELATED}</ul>"
    "<div><a href='/send'>发送给朋友</a></div></td></tr></table>"
    f"<table><tr><td class='sbody'>{LEGAL}</td></tr></table>"
)


def test_weak_pick_takes_the_peer_body_under_the_headline() -> None:
    result = extract_article(WEAK_PICK_PAGE)
    assert result.methods["body"] == "fallback-readability"
    assert _lines(result.body_text) == list(PARAS)
    assert result.quality == ["body_fallback"]
    assert result.body_html is not None and "著作权" not in result.body_html


def test_weak_means_empty_or_under_half_the_prose() -> None:
    assert is_weak(None, 0) and is_weak("", 500)
    assert is_weak("短" * 100, 400)
    assert not is_weak("短" * 300, 400)
    assert not is_weak("短" * 50, 120)  # a short notice on a page with little prose


def test_locate_finds_the_smallest_block_after_the_headline() -> None:
    page = _page(_headed(f"<div class='x'><div class='y'>{ARTICLE}</div></div>"))
    layout = build_layout(parse_html(page))
    headline_end = layout.text.index(TITLE) + len(TITLE)
    found = locate(layout, "\n".join([TITLE, *PARAS]), headline_end)
    assert found is not None and found.get("class") == "y"
    assert locate(layout, "一段页面上没有的文字，不在任何地方。", headline_end) is None


def test_bigram_overlap_is_symmetric_and_bounded() -> None:
    assert bigram_overlap(PARAS[0], PARAS[0]) == 1.0
    assert bigram_overlap(PARAS[0], "") == 0.0
    assert bigram_overlap(PARAS[0], PARAS[1]) == bigram_overlap(PARAS[1], PARAS[0]) < 0.5


# --- notices whose content is images or attachments ---------------------------------------------


def test_scanned_notice_is_an_image_article_with_its_short_year_date() -> None:
    scans = "".join(
        f"<p style='text-align:center'><img src='/upload/202006/W02006230{i}.jpg' width='700'></p>"
        for i in range(3)
    )
    page = _page(
        "<div class='title'>关于某某同志任前公示的公告</div>"
        "<div class='info'>| 20-06-23 | 来源：区委组织部 |</div>"
        f"<div class='article'>{scans}</div>"
        "<div class='share'><img src='/images/share_weixin.png'> 分享到微信</div>",
        title="关于某某同志任前公示的公告",
    )
    result = extract_article(page, "http://www.example.gov.cn/tzgg/1234.html")
    assert result.title == "关于某某同志任前公示的公告"
    assert result.body_kind == "images" and result.body_text is None
    assert result.body_html is not None and result.body_html.count("<img") == 3
    assert "share_weixin" not in result.body_html
    assert result.published_at is not None
    assert result.published_at.date().isoformat() == "2020-06-23"
    assert result.methods["published"] == "info-short-year"


def test_tender_notice_with_only_a_pdf_is_an_attachment_article() -> None:
    page = _page(
        _headed(
            "<div class='content'><a href='/upload/zb/2024-0501.pdf'>某区道路改造工程招标公告.pdf"
            "</a></div>",
            info="发布日期：2024-05-01",
        )
    )
    result = extract_article(page, "http://www.example.gov.cn/zbgg/77.html")
    assert result.body_kind == "attachments"
    assert result.attachments == [
        {
            "url": "http://www.example.gov.cn/upload/zb/2024-0501.pdf",
            "name": "某区道路改造工程招标公告.pdf",
        }
    ]
    assert result.published_at is not None and result.published_at.day == 1


def test_icons_alone_do_not_make_an_image_notice() -> None:
    page = _page(_headed("<div class='content'><img src='/images/print.gif' width='16'></div>"))
    result = extract_article(page)
    assert result.body_kind == "text" and result.body_text is None


# --- news whose content is a player (视频新闻, a recorded broadcast) ------------------------------

BASE = "http://www.example.gov.cn/qndt/2024/1.html"


@pytest.mark.parametrize(
    ("player", "kind", "url"),
    [
        (  # an HTML5 player with a poster
            "<video src='/uploads/2024/05/yl.mp4' controls poster='/uploads/2024/05/yl.jpg'>"
            "</video>",
            "video",
            "http://www.example.gov.cn/uploads/2024/05/yl.mp4",
        ),
        (  # the file named by a <source> child
            "<video controls><source src='/uploads/2024/05/yl.webm' type='video/webm'></video>",
            "video",
            "http://www.example.gov.cn/uploads/2024/05/yl.webm",
        ),
        (  # a hosted player page in a frame
            "<iframe src='https://v.qq.com/txp/iframe/player.html?vid=k3516abc' width='640' "
            "height='360' allowfullscreen></iframe>",
            "video",
            "https://v.qq.com/txp/iframe/player.html?vid=k3516abc",
        ),
        (  # a Flash player of the 2010s: the file is in its (URL-encoded) variables
            "<embed src='/js/vcastr3.swf' type='application/x-shockwave-flash' width='600' "
            "height='400' flashvars='vcastr_file=%2Fuploads%2Fxw0508.flv&amp;IsAutoPlay=0'>",
            "video",
            "http://www.example.gov.cn/uploads/xw0508.flv",
        ),
        (  # an <object> with <param> variables
            "<object width='600' height='400'><param name='movie' value='/js/player.swf'>"
            "<param name='flashvars' value='file=/uploads/xw0509.mp4'></object>",
            "video",
            "http://www.example.gov.cn/uploads/xw0509.mp4",
        ),
        (  # a recorded broadcast
            "<audio controls><source src='/uploads/2024/05/gb.mp3' type='audio/mpeg'></audio>",
            "audio",
            "http://www.example.gov.cn/uploads/2024/05/gb.mp3",
        ),
    ],
)
def test_news_that_is_a_player_is_an_article(player: str, kind: str, url: str) -> None:
    page = _page(
        _headed(
            f"<div class='content'><p style='text-align:center'>{player}</p></div>",
            info="发布时间：2024-05-08 09:30 来源：区融媒体中心 浏览次数：356",
        )
    )
    result = extract_article(page, BASE)
    assert result.title == TITLE
    assert result.body_kind == kind and result.body_text is None
    assert result.methods["body"] == "media"
    assert result.attachments == [{"url": url, "name": None}]
    assert result.published_at is not None and result.published_at.hour == 9
    assert result.methods["published"] == "label" and result.views == 356
    assert result.source == "区融媒体中心"
    html = result.body_html or ""
    assert "<iframe" not in html and "<embed" not in html and "<object" not in html


def test_a_caption_under_the_player_is_the_body_text() -> None:
    page = _page(
        _headed(
            "<div class='content'><p><video src='/u/a.mp4'></video></p>"
            "<p>区融媒体中心记者 王某</p></div>"
        )
    )
    result = extract_article(page, BASE)
    assert result.body_kind == "video"
    assert result.body_text == "区融媒体中心记者 王某"


def test_an_article_with_text_and_a_video_is_a_text_article() -> None:
    page = _page(
        _headed(f"<div class='content'><p><video src='/u/a.mp4'></video></p>{ARTICLE}</div>")
    )
    result = extract_article(page, BASE)
    assert result.body_kind == "text"
    assert _lines(result.body_text) == list(PARAS)


@pytest.mark.parametrize(
    "frame",
    [
        "<iframe src='https://widget.weibo.com/share/index.php?url=x' width='200'></iframe>",
        "<iframe src='/include/right.html' width='300'></iframe>",
        "<embed src='/images/banner.swf' width='960' height='90'>",
    ],
)
def test_frames_that_play_nothing_do_not_make_a_video_article(frame: str) -> None:
    result = extract_article(_page(_headed(f"<div class='content'>{frame}</div>")), BASE)
    assert result.body_kind == "text" and result.body_text is None


# --- the date printed with the headline ---------------------------------------------------------


def test_date_bar_above_the_headline_beats_meta() -> None:
    page = _page(
        f"<div class='date'>2024年05月08日</div><h1>{TITLE}</h1>{ARTICLE}",
        head="<meta name='PubDate' content='2024-05-20 10:00'>",
    )
    result = extract_article(page)
    assert result.published_at is not None and result.published_at.day == 8
    assert result.methods["published"] == "above-title"


@pytest.mark.parametrize(
    "header",
    [
        "<div class='top'>今天是2024年06月01日</div>",
        "<div class='top'>2024年06月01日 星期六</div>",
        "<ul><li><a href='/n/1'>另一条新闻</a> 2024-06-01</li></ul>",
    ],
)
def test_served_day_or_sidebar_date_above_the_headline_is_not_taken(header: str) -> None:
    page = _page(
        f"{header}<h1>{TITLE}</h1>{ARTICLE}",
        head="<meta name='PubDate' content='2024-05-20 10:00'>",
    )
    result = extract_article(page)
    assert result.published_at is not None and result.published_at.day == 20
    assert result.methods["published"] == "meta"


def test_publication_label_beats_document_date_in_the_info_line() -> None:
    info = "成文日期：2024-04-28 发布日期：2024-05-08"
    result = extract_article(_page(_headed(ARTICLE, info=info)))
    assert result.published_at is not None and result.published_at.day == 8


def test_blog_style_posted_at_label_after_the_body() -> None:
    after = "<div class='post-footer'>作者：某某 发表于 2024年05月09日 12:30 阅读(120)</div>"
    result = extract_article(_page(f"<h1>{TITLE}</h1><div class='text'>{ARTICLE}</div>{after}"))
    assert result.published_at is not None
    assert (result.published_at.day, result.published_at.hour) == (9, 12)


# --- quality flags ------------------------------------------------------------------------------


def test_quality_flags_name_the_weak_ways() -> None:
    bare = _page(f"<h1>{TITLE}</h1><div class='text'>{ARTICLE}</div>")
    assert extract_article(bare).quality == ["no_date"]
    from_url = extract_article(bare, "http://www.example.gov.cn/art/2024/5/8/art_1_2.html")
    assert from_url.quality == ["date_from_url"]
    no_headline = _page(f"<div class='text'>{ARTICLE}</div>")
    flags = extract_article(no_headline, "http://www.example.gov.cn/t20240508_1.html").quality
    assert flags == ["date_from_url", "title_from_page_title"]


# --- the article's own header is not the page's ---------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "<div class='article-header'><h1>{}</h1>{}</div>",
        "<article><header><h1>{}</h1>{}</header>{{}}</article>",
    ],
)
def test_headline_in_the_articles_own_header_beats_a_later_copy(header: str) -> None:
    """A share description repeats the headline further down (in a block hidden by a style
    sheet, which extraction cannot see): the first one, in the article's header, is it."""
    info = "<div class='source'>2022-02-13 07:00:00 来源：区融媒体中心</div>"
    top = header.format(TITLE, info)
    main = top.format(ARTICLE) if "{}" in top else top + ARTICLE
    share = f"<div id='title_desc'><h1>{TITLE}</h1><p>{PARAS[0]}</p></div>"
    result = extract_article(
        _page(main, after=share, head="<meta name='PubDate' content='2022-02-20'>")
    )
    assert result.title == TITLE
    assert result.published_at is not None and result.published_at.day == 13
    assert result.methods["published"] in ("info", "label")


# --- a labelled value stops at the next label ---------------------------------------------------


@pytest.mark.parametrize(
    ("info", "source"),
    [
        ("<span>来源：档案馆</span><span>阅览量:267</span>", "档案馆"),
        ("<span>来源：区融媒体中心</span><span>人气：88</span>", "区融媒体中心"),
        ("<span>信息来源：区统计局</span><span>查看次数：12</span>", "区统计局"),
    ],
)
def test_source_stops_at_the_next_label(info: str, source: str) -> None:
    result = extract_article(_page(_headed(ARTICLE, info=f"发布日期：2024-05-08 {info}")))
    assert result.source == source


def test_an_iso_meta_time_is_read_with_its_offset() -> None:
    """``article:published_time`` in UTC: 20:30Z is 04:30 the next day in China (it was read
    as the UTC day at midnight)."""
    head = "<meta property='article:published_time' content='2024-06-12T20:30:00Z'>"
    result = extract_article(
        _page(f"<h1>{TITLE}</h1><div class='content'>{ARTICLE}</div>", head=head)
    )
    assert result.methods["published"] == "meta"
    assert result.published_at is not None
    assert result.published_at.isoformat() == "2024-06-13T04:30:00+08:00"


def test_paragraphs_directly_in_the_page_body_are_the_whole_body() -> None:
    """A bare template (a print page, a framed text, an old static page) puts the article's
    paragraphs straight into <body> beside the menu and footer: every paragraph is the body,
    not the first one alone."""
    chosen = [PARAS[0] + PARAS[3], PARAS[1]]  # the first holds over half the prose
    paras = "".join(f"<p>{p}</p>" for p in chosen)
    page = (
        "<html><head><meta charset='utf-8'><title>" + TITLE + "_某区人民政府</title></head><body>"
        "<div class='nav'><a href='/'>首页</a> <a href='/qndt/'>区内动态</a></div>"
        f"<h1>{TITLE}</h1><div class='info'>发布时间：2024-05-08 09:30</div>{paras}"
        "<div class='footer'>版权所有：某区人民政府 地址：某某路1号</div></body></html>"
    )
    result = extract_article(page)
    assert _lines(result.body_text) == chosen
    assert (result.body_html or "").count("<p>") == len(chosen)
    html = result.body_html or ""
    assert "版权所有" not in html and "<h1" not in html and "发布时间" not in html
    bare = extract_article(f"<html><head><meta charset='utf-8'></head><body>{paras}</body></html>")
    assert _lines(bare.body_text) == chosen
