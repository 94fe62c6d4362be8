"""The one rule for safe body HTML: the extractor's sanitiser and the cleaning pipeline's check.

The cleaning pipeline keeps HTML that :func:`is_sanitised` accepts as it is and runs the full
lxml_html_clean pass on the rest, so the check must never accept anything that could run script.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html as lxml_html

from crawler.extract.article import extract_article
from crawler.extract.decode import decode_html
from crawler.extract.sanitise import is_sanitised, is_unsafe_url, sanitise_html
from pipelines.cleaning import sanitise_body_html

URL = "http://www.example.gov.cn/xwzx/202403/t20240305_1.html"


@pytest.mark.parametrize(
    ("value", "unsafe"),
    [
        ("javascript:alert(1)", True),
        ("  JaVaScRiPt:alert(1)", True),
        ("java\tscript:alert(1)", True),
        ("java\nscr\ript:alert(1)", True),
        ("\x01\x02javascript:x", True),
        ("vbscript:x", True),
        ("data:text/html,<script>x</script>", True),
        ("http://www.example.gov.cn/a.html", False),
        ("/a/javascript:x.html", False),
        ("java%09script:x", False),  # not a scheme for a browser: a relative path
        ("", False),
    ],
)
def test_is_unsafe_url(value: str, unsafe: bool) -> None:
    assert is_unsafe_url(value) is unsafe


def test_extractor_drops_obfuscated_script_urls() -> None:
    page = (
        "<html><head><title>区政府召开常务会议</title></head><body>"
        "<h1>区政府召开常务会议</h1><div class='content'>"
        "<p>3月5日，区政府召开常务会议，研究部署近期重点工作，区有关部门负责同志参加。</p>"
        '<p><a href="java&#x09;script:alert(1)">一</a><a href="&#106;avascript:x">二</a>'
        '<a href=" &#1;javascript:x">三</a><a href="/xwzx/t2.html">四</a>'
        '<img src="data:image/svg+xml,x" onerror="x()"></p>'
        "<p>会议强调，要坚持以人民为中心，压实工作责任，确保各项措施落地见效。</p></div></body></html>"
    )
    body = extract_article(page, URL).body_html or ""
    assert "script" not in body.lower() and "data:" not in body and "onerror" not in body
    assert 'href="http://www.example.gov.cn/xwzx/t2.html"' in body
    assert is_sanitised(body)


def test_control_characters_in_attributes_do_not_lose_the_article() -> None:
    """libxml2 parses C0 control characters into attribute values and lxml then refuses to set
    them again (ValueError): the page used to become an extraction_error reject. Found by
    Hypothesis in tests/test_property_extract.py."""
    page = (
        "<html><head><title>区政府召开常务会议</title></head><body>"
        "<h1>区政府召开常务会议</h1><div class='content'>"
        "<p>3月5日，区政府召开常务会议，研究部署近期重点工作，区有关部门负责同志参加。</p>"
        '<p onerror="x()" href="\x01javascript:x"><a href="/xwzx/t\x02.html" onclick="y()">一</a>'
        '<img src="\x03/i.png" class="c"></p>'
        "<p>会议强调，要坚持以人民为中心，压实工作责任，确保各项措施落地见效。</p></div></body></html>"
    )
    article = extract_article(page, URL)
    body = article.body_html or ""
    assert article.title == "区政府召开常务会议"
    assert 'href="http://www.example.gov.cn/xwzx/t.html"' in body
    assert 'src="http://www.example.gov.cn/i.png"' in body
    assert "javascript" not in body and "onerror" not in body and "onclick" not in body
    assert is_sanitised(body)
    tiny = extract_article('<p onerror="javascript:alert(1)" href="\x01javascript:x">0000000;;')
    assert tiny.body_html == "<p>0000000;;</p>"


def test_sanitise_html_output_passes_the_check() -> None:
    el = lxml_html.fragment_fromstring(
        '<div class="x" style="color:red"><p align="center">正文<br>'
        '<img src="a.png" alt="图"></p><table><tr><td colspan="2">表</td></tr></table>'
        "<script>x()</script><!-- c --></div>"
    )
    out = sanitise_html(el, URL)
    assert out == (
        '<div><p align="center">正文<br><img src="http://www.example.gov.cn/xwzx/202403/a.png" '
        'alt="图"></p><table><tr><td colspan="2">表</td></tr></table></div>'
    )
    assert is_sanitised(out)


def test_tags_outside_the_allow_list_are_unwrapped() -> None:
    """Word's <o:p> and CMS wrappers such as <ucapcontent> used to reach the cleaning pipeline,
    whose check refused them, so every such page took the full lxml_html_clean pass."""
    el = lxml_html.fragment_fromstring(
        '<ucapcontent class="c"><p>会议指出<o:p></o:p></p><x-note title="t">要求</x-note>'
        "<p>落实<wbr>到位</p></ucapcontent>"
    )
    out = sanitise_html(el, URL)
    assert out == "<div><p>会议指出</p>要求<p>落实<wbr>到位</wbr></p></div>"
    assert is_sanitised(out)  # lxml writes </wbr>, an end tag browsers ignore


def test_a_tag_name_lxml_cannot_address_is_unwrapped_too() -> None:
    """libxml2 parses ``<p\x01>`` into a tag name no lxml call accepts (strip_tags by that
    name raised ValueError); found by Hypothesis in tests/test_property_extract.py."""
    el = lxml_html.fragment_fromstring("<div><p>第一段</p><p\x01>第二段</p\x01></div>")
    out = sanitise_html(el, URL)
    assert out == "<div><p>第一段</p>第二段</div>"
    assert is_sanitised(out)


def test_extractor_output_passes_the_check_on_real_pages(corpus_dev: Path) -> None:
    """On the labelled real pages the extractor's body HTML never needs the full pass."""
    bodies = 0
    for page in sorted(corpus_dev.glob("*.html")):
        text, _ = decode_html(page.read_bytes(), None, None)
        body = extract_article(text, URL).body_html
        if body:
            bodies += 1
            assert is_sanitised(body), page.name
    assert bodies >= 25


def test_a_form_as_body_element_loses_the_form() -> None:
    el = lxml_html.fragment_fromstring('<form action="/x"><p>正文</p></form>')
    assert sanitise_html(el, URL) == "<div><p>正文</p></div>"


@pytest.mark.parametrize(
    "html",
    [
        '<div><a href="javascript:x">a</a></div>',
        '<div><a href="java&#9;script:x">a</a></div>',
        '<div><a HREF="JavaScript:x">a</a></div>',
        "<div><a href='javascript:x'>a</a></div>",
        '<div onclick="x()">a</div>',
        '<div style="background:url(x)">a</div>',
        "<div><script>x()</script></div>",
        "<div><style>p{}</style></div>",
        "<div><iframe></iframe></div>",
        "<div><!-- c --></div>",
        "<!DOCTYPE html><div>a</div>",
        "<div><![CDATA[x]]></div>",
        "<div><?php x ?></div>",
        "<div><p>unclosed</div>",
        "</div>",
        '<div title="a>b">x</div>',
        "<div><o:p>x</o:p></div>",
        "<div>a < b",
        '<div><img src="x" onerror="y()"></div>',
        '<div><svg onload="x()"></svg></div>',
        "<div></p></div>",
    ],
)
def test_is_sanitised_refuses(html: str) -> None:
    assert not is_sanitised(html)


def test_pipeline_keeps_sanitised_html_and_cleans_the_rest() -> None:
    safe = '<div><p>““正文””</p><a href="http://www.example.gov.cn/a.html">链接</a>\u200b</div>'
    assert sanitise_body_html(safe) == (
        '<div><p>“正文”</p><a href="http://www.example.gov.cn/a.html">链接</a></div>'
    )
    hostile = '<div><p onclick="x()">正文</p><a href="java&#9;script:x">链接</a></div>'
    cleaned = sanitise_body_html(hostile) or ""
    assert "正文" in cleaned and "onclick" not in cleaned and "script" not in cleaned
    assert is_sanitised(cleaned)
