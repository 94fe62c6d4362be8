"""The one rule for safe body HTML (nh3): the extractor's output and the cleaning pipeline's.

Every vector below was once tried against a stored body; each must come out harmless, judged as
a browser would (elements and attributes, not text), whichever side runs the sanitiser.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from crawler.extract.article import extract_article
from crawler.extract.decode import decode_html
from pipelines.cleaning import sanitise_body_html
from textkit.sanitise import clean_html, sanitise_html

URL = "http://www.example.gov.cn/xwzx/202403/t20240305_1.html"
_UNSAFE_TAGS = {"script", "style", "iframe", "frame", "object", "embed", "form", "applet", "base"}
_UNSAFE_TAGS |= {"svg", "math", "link", "meta", "template", "noscript", "input", "button"}
_URL_ATTRS = {"href", "src", "action", "formaction", "data", "background", "lowsrc", "poster"}
_IGNORED_RE = re.compile(r"[\x00-\x20]+")


def assert_safe(html: str) -> None:
    root = lxml_html.fragment_fromstring(html or "<div></div>", create_parent="div")
    for el in root.iter():
        if not isinstance(el.tag, str):
            raise AssertionError(f"comment or PI kept: {html[:200]}")
        assert el.tag.lower() not in _UNSAFE_TAGS, (el.tag, html[:200])
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on") and name.lower() != "style", (name, html)
            if name.lower() in _URL_ATTRS:
                scheme = _IGNORED_RE.sub("", value).lower()
                assert not scheme.startswith(("javascript:", "vbscript:", "data:")), value


VECTORS = [
    '<div><a href="javascript:x">a</a></div>',
    '<div><a href="java&#9;script:x">a</a></div>',
    '<div><a href="java\tscript:x">a</a></div>',
    '<div><a href=" &#1;javascript:x">a</a></div>',
    '<div><a HREF="JavaScript:x">a</a></div>',
    "<div><a href='vbscript:x'>a</a></div>",
    '<div><a href="data:text/html,<script>x</script>">a</a></div>',
    '<div onclick="x()">a</div>',
    '<div style="background:url(javascript:x)">a</div>',
    "<div><script>x()</script></div>",
    "<div><style>p{}</style></div>",
    "<div><iframe src='http://evil'></iframe></div>",
    "<div><!-- c --><![CDATA[x]]><?php x ?></div>",
    "<!DOCTYPE html><div>a</div>",
    '<div title="a>b" onmouseover="x()">x</div>',
    '<div><img src="x" onerror="y()"></div>',
    '<div><img src="data:image/svg+xml,x"></div>',
    '<div><svg onload="x()"><script>x()</script></svg></div>',
    '<div><math><mi xlink:href="javascript:x">a</mi></math></div>',
    "<div><base href='http://evil/'><a href='/a'>a</a></div>",
    "<div><form action='http://evil'><input name=x><button formaction='javascript:x'>b</button>"
    "</form></div>",
    "<div><object data='javascript:x'></object><embed src='x.swf'></div>",
    "<div><noscript><p title='</noscript><img src=x onerror=alert(1)>'></p></noscript></div>",
    "<div><template><script>x()</script></template></div>",
    "<div><p>unclosed</div><a href='javascript:x'>",
    "<div><link rel=stylesheet href='http://evil/x.css'><meta http-equiv=refresh content=0></div>",
]


@pytest.mark.parametrize("html", VECTORS)
def test_vectors_come_out_harmless_from_the_pipeline(html: str) -> None:
    assert_safe(sanitise_body_html(html) or "")


@pytest.mark.parametrize("html", VECTORS)
def test_vectors_come_out_harmless_from_the_extractor(html: str) -> None:
    page = (
        "<html><head><title>区政府召开常务会议</title></head><body><h1>区政府召开常务会议</h1>"
        "<div class='content'><p>3月5日，区政府召开常务会议，研究部署近期重点工作。</p>"
        f"{html}<p>会议强调，要坚持以人民为中心，压实工作责任，确保各项措施落地见效。</p></div>"
        "</body></html>"
    )
    assert_safe(extract_article(page, URL).body_html or "")


def test_extractor_drops_obfuscated_script_urls_and_keeps_good_links() -> None:
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
    # lxml serialises the tab of java&#x09;script: as %09, which a browser reads as a relative
    # path (harmless); the sanitiser judges what a browser would run
    assert "data:" not in body and "onerror" not in body and '="javascript' not in body
    assert 'href="http://www.example.gov.cn/xwzx/t2.html"' in body
    assert_safe(body)


def test_control_characters_in_attributes_do_not_lose_the_article() -> None:
    """C0 control characters in attributes once made lxml raise and the page an
    extraction_error reject (found by Hypothesis in tests/test_property_extract.py)."""
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
    tiny = extract_article('<p onerror="javascript:alert(1)" href="\x01javascript:x">0000000;;')
    assert tiny.body_html == "<p>0000000;;</p>"


def test_sanitise_html_keeps_content_tags_and_allowed_attributes() -> None:
    el = lxml_html.fragment_fromstring(
        '<div class="x" style="color:red"><p align="center">正文<br>'
        '<img src="a.png" alt="图"></p><table><tr><td colspan="2">表</td></tr></table>'
        "<script>x()</script><!-- c --></div>"
    )
    assert sanitise_html(el, URL) == (
        '<div><p align="center">正文<br><img src="http://www.example.gov.cn/xwzx/202403/a.png" '
        'alt="图"></p><table><tbody><tr><td colspan="2">表</td></tr></tbody></table></div>'
    )


def test_tags_outside_the_allow_list_are_unwrapped() -> None:
    el = lxml_html.fragment_fromstring(
        '<ucapcontent class="c"><p>会议指出<o:p></o:p></p><x-note title="t">要求</x-note>'
        "<p>落实<wbr>到位</p></ucapcontent>"
    )
    assert sanitise_html(el, URL) == "<p>会议指出</p>要求<p>落实<wbr>到位</p>"


def test_a_form_as_body_element_keeps_its_content() -> None:
    el = lxml_html.fragment_fromstring('<form action="/x"><p>正文</p></form>')
    assert sanitise_html(el, URL) == "<div><p>正文</p></div>"


def test_pipeline_collapses_quotes_and_drops_invisible_characters() -> None:
    safe = '<div><p>““正文””</p><a href="http://www.example.gov.cn/a.html">链接</a>\u200b</div>'
    assert sanitise_body_html(safe) == (
        '<div><p>“正文”</p><a href="http://www.example.gov.cn/a.html">链接</a></div>'
    )
    assert sanitise_body_html("  ") is None


def test_pipeline_pass_over_extractor_output_changes_nothing(corpus_dev: Path) -> None:
    """Sanitising twice is sanitising once: the pipeline's pass keeps the extractor's body."""
    bodies = 0
    for page in sorted(corpus_dev.glob("*.html")):
        text, _ = decode_html(page.read_bytes(), None, None)
        body = extract_article(text, URL).body_html
        if body:
            bodies += 1
            assert clean_html(body) == body, page.name
    assert bodies >= 25
