"""Site-profile field selectors override the generic cascade, and say so in ``methods``."""

from __future__ import annotations

from pathlib import Path

from crawler.extract.article import extract_article
from crawler.sites.profile import parse_profile

PAGES = Path(__file__).parent / "fixtures" / "pages"


def test_profile_selectors_win_over_generic() -> None:
    raw = (PAGES / "sidebar_clicks_article.html").read_bytes()
    generic = extract_article(raw)
    assert generic.views == 88 and generic.methods["views"] == "label"
    profile = parse_profile(
        {
            "name": "test_site",
            "start_urls": ["http://www.example.gov.cn/qndt/"],
            "fields": {
                "title": {"css": [".nothing-here", "h3.arti-title"]},
                "views": {"xpath": ["//div[@class='left-side sidebar']//li[1]/text()"]},
                "column": {"css": ["div.left-side h3"]},
                "body": {"css": ["div.arti-body"]},
            },
        }
    )
    result = extract_article(raw, profile=profile)
    assert result.title == "城管局开展夜市环境集中整治"
    assert result.methods["title"] == "profile:css"
    assert result.views == 1356 and result.methods["views"] == "profile:xpath"
    assert result.column_name == "热点文章"
    assert (result.body_text or "").startswith("近日，市城管局")
    assert result.methods["body"] == "profile:css"
    # fields the profile does not name keep the generic result
    assert result.published_at == generic.published_at
    assert result.methods["published"] == generic.methods["published"]


def test_profile_selector_without_match_falls_back() -> None:
    raw = (PAGES / "gbk_article.html").read_bytes()
    profile = parse_profile(
        {
            "name": "test_site",
            "start_urls": ["http://www.example.gov.cn/qndt/"],
            "fields": {"title": {"css": ["#missing"]}, "published": {"css": ["div.info"]}},
        }
    )
    result = extract_article(raw, profile=profile)
    assert result.title == "青山区召开安全生产工作推进会"
    assert result.methods["title"] == "headline"
    assert result.published_at is not None and result.published_at.hour == 10
    assert result.methods["published"] == "profile:css"


def test_profile_encoding_override_is_used() -> None:
    raw = (PAGES / "gbk_article.html").read_bytes()
    profile = parse_profile(
        {"name": "test_site", "start_urls": ["http://www.example.gov.cn/"], "encoding": "gbk"}
    )
    assert "王镕堃" in (extract_article(raw, profile=profile).body_text or "")


def _empty_body_page(content: str) -> str:
    return (
        "<html><head><title>园区开园_某区政府</title></head><body>"
        "<div class='nav'><a href='/'>首页</a><a href='/a'>要闻</a></div>"
        "<h1>园区开园</h1><div class='info'>发布时间：2023-06-08 17:21</div>"
        f"<div class='TRS_Editor'>{content}</div>"
        "<div class='bot'>版权所有：某区人民政府 | 鄂ICP备05009168号 | 网站标识码：4201110038</div>"
        "</body></html>"
    )


def test_empty_body_page_has_no_body() -> None:
    result = extract_article(_empty_body_page("<p> </p>"))
    assert result.title == "园区开园"
    assert result.body_text is None and result.body_html is None
    assert result.body_kind == "text"
    assert result.published_at is not None


def test_image_only_page_is_an_image_notice() -> None:
    result = extract_article(_empty_body_page("<p><img src='a.jpg'></p>"))
    assert result.title == "园区开园"
    assert result.body_text is None and result.body_kind == "images"
    assert result.body_html is not None and '<img src="a.jpg">' in result.body_html
    assert "版权所有" not in result.body_html
    assert result.published_at is not None
