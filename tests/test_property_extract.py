"""Property tests: random and mutated HTML (str and bytes) never crash extraction or cleaning.

None of these functions documents an error: ``decode_html`` and ``parse_html`` say they never
raise, and the extractors return ``None`` fields for what they cannot find. So the property is
"returns a well-formed result, within a deadline", plus the safety invariants of sanitised HTML.
Examples are modest (CI stays fast); the hypothesis ``deadline`` is the time bound per example.
"""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.extract.article import extract_article
from crawler.extract.decode import decode_html
from crawler.extract.listing import extract_listing
from crawler.extract.types import ExtractedArticle, ExtractedListing
from pipelines.cleaning import (
    clean_article_fields,
    clean_body_text,
    clean_text,
    sanitise_body_html,
)
from tests.faultsite import article_html, list_html
from textkit.normalise import nfkc, squash, squash_line, squash_spaces
from textkit.sanitise import clean_html

URL = "http://www.example.gov.cn/xwzx/qndt/202403/t20240305_1.html"
LIST_URL = "http://www.example.gov.cn/xwzx/qndt/"
PROPS = settings(
    # HYPOTHESIS_MAX_EXAMPLES=2000 for a deep hunt by hand; CI keeps the modest default
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "60")),
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

TAGS = [
    "p",
    "div",
    "span",
    "a",
    "h1",
    "table",
    "tr",
    "td",
    "ul",
    "li",
    "br",
    "img",
    "b",
    "script",
    "style",
    "iframe",
    "form",
    "object",
    "title",
    "meta",
    "body",
    "html",
    "font",
]
ATTRS = ["href", "src", "class", "id", "onclick", "onerror", "style", "charset", "content"]
HOSTILE = [
    "javascript:alert(1)",
    " JaVaScRiPt:x",
    "java\tscript:x",
    "java\nscript:x",
    "vbscript:x",
    "data:text/html,<script>x</script>",
    "&#106;avascript:x",
    "\x01javascript:x",
    "http://www.example.gov.cn/a.html",
    "/a/b.html",
    "#top",
    "",
]
TEXT = st.text(
    alphabet=st.sampled_from(
        list("区委会议召开发布时间：2024年3月5日浏览次数 <>&\"'/=;\x00\x07\u3000\ufeff\u200b")
    ),
    max_size=40,
) | st.text(max_size=30)


@st.composite
def fragments(draw: st.DrawFn, depth: int = 0) -> str:
    """Random, often broken, HTML: nested tags, hostile attributes, stray end tags, text."""
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.integers(0, 6))
        if kind <= 2 or depth > 3:
            parts.append(draw(TEXT))
        elif kind == 3:
            parts.append(
                draw(
                    st.sampled_from(
                        [
                            "</html>",
                            "</div>",
                            "<p>",
                            "<!--",
                            "-->",
                            "<![CDATA[",
                            "<!DOCTYPE html>",
                            "</body>",
                        ]
                    )
                )
            )
        else:
            tag = draw(st.sampled_from(TAGS))
            attrs = "".join(
                f' {draw(st.sampled_from(ATTRS))}="{draw(st.sampled_from(HOSTILE))}"'
                for _ in range(draw(st.integers(0, 3)))
            )
            inner = draw(fragments(depth + 1))
            close = draw(st.booleans())
            parts.append(f"<{tag}{attrs}>{inner}" + (f"</{tag}>" if close else ""))
    return "".join(parts)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A realistic article or list page, encoded, then cut, spliced and sprinkled with bytes."""
    page = draw(
        st.sampled_from(
            [
                article_html("区委常委会召开会议"),
                article_html("高新区召开2021年工作会议", charset="gbk"),
                list_html([(f"/a/{i}.html", f"第{i}篇工作动态") for i in range(5)], "index_1.html"),
            ]
        )
    )
    data = bytearray(page.encode(draw(st.sampled_from(["utf-8", "gb18030", "utf-16"]))))
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.integers(0, 3))
        pos = draw(st.integers(0, len(data)))
        if op == 0:
            del data[pos : pos + draw(st.integers(0, 200))]
        elif op == 1:
            data[pos:pos] = draw(st.binary(max_size=40))
        elif op == 2:
            data = data[:pos]
        else:
            data[pos:pos] = data[: draw(st.integers(0, 300))]
    return bytes(data)


def _check_article(result: ExtractedArticle) -> None:
    assert isinstance(result, ExtractedArticle)
    for name in ("title", "body_text", "body_html", "source", "author", "column_name"):
        value = getattr(result, name)
        assert value is None or (isinstance(value, str) and value.strip()), (name, value)
    assert result.published_at is None or result.published_at.tzinfo is not None
    assert result.views is None or (isinstance(result.views, int) and result.views >= 0)
    if result.body_html:
        # the extractor's own pass may keep a <form> that is the body element itself (the
        # cleaning pipeline removes it before storage: see test_sanitised_body_html_is_safe)
        _check_safe(result.body_html, allow=frozenset({"form"}))


_UNSAFE_TAGS = {"script", "style", "iframe", "frame", "object", "embed", "form", "applet", "base"}
_URL_ATTRS = {"href", "src", "action", "formaction", "data", "background", "lowsrc", "poster"}
_STRIP_RE = re.compile(r"[\x00-\x20]+")


def _check_safe(html: str, allow: frozenset[str] = frozenset()) -> None:
    """Judge the HTML as a browser would: by its elements and attributes, not its text."""
    from lxml import html as lxml_html

    root = lxml_html.fragment_fromstring(html, create_parent="div")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag.lower() not in _UNSAFE_TAGS - allow, (el.tag, html[:300])
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (name, html[:300])
            if name.lower() in _URL_ATTRS:
                scheme = _STRIP_RE.sub("", value).lower()
                assert not scheme.startswith(("javascript:", "vbscript:", "data:")), value


@PROPS
@given(fragments())
def test_extract_article_never_crashes_on_random_html(html: str) -> None:
    _check_article(extract_article(html, URL))
    _check_article(extract_article(html.encode("utf-8", "surrogatepass"), URL))


@PROPS
@given(mutated(), st.sampled_from([None, "utf-8", "gbk", "latin-1", "no-such-charset"]))
def test_extract_article_never_crashes_on_mutated_bytes(data: bytes, charset: str | None) -> None:
    _check_article(extract_article(data, URL, http_charset=charset))


@PROPS
@given(st.one_of(fragments(), mutated()))
def test_extract_listing_returns_onsite_http_links(html: str | bytes) -> None:
    result = extract_listing(html, LIST_URL)
    assert isinstance(result, ExtractedListing)
    for link in [*result.article_links, *([result.next_page] if result.next_page else [])]:
        assert link.startswith("http://www.example.gov.cn/"), link
        assert "#" not in link


@PROPS
@given(st.binary(max_size=2000) | mutated(), st.sampled_from([None, "gbk", "utf-8", "bogus"]))
def test_decode_html_always_gives_text(data: bytes, charset: str | None) -> None:
    text, encoding = decode_html(data, charset)
    assert isinstance(text, str) and isinstance(encoding, str) and encoding


_WIDE_TEXT = st.text(
    alphabet=st.sampled_from("发布日期来源阅览量：（）！？，。 \u3000\xa0ＡＢ１２a1:\n\t\u2236ﬁ㍿"),
    max_size=400,
)


@PROPS
@given(_WIDE_TEXT | st.text(max_size=400))
def test_cached_nfkc_and_squash_equal_the_plain_computation(value: str) -> None:
    """The remembered forms (short texts cached, long ones not) are exactly NFKC's."""
    plain = unicodedata.normalize("NFKC", value)
    for _ in range(2):  # the second call is answered from the cache
        assert nfkc(value) == plain
        assert squash(value) == "".join(plain.split())


@PROPS
@given(_WIDE_TEXT | st.text(max_size=400))
def test_body_lines_squashed_one_by_one_equal_the_whole_text_squashed(value: str) -> None:
    """crawler.extract.bodytext squashes the body's lines one at a time to keep their offsets;
    the text it joins must be what squashing the whole block gives."""
    lines = [line for line in map(squash_line, value.split("\n")) if line]
    assert "\n".join(lines) == squash_spaces(value)


@PROPS
@given(st.text(max_size=300) | fragments())
def test_clean_text_is_one_line_and_idempotent(value: str) -> None:
    cleaned = clean_text(value)
    assert cleaned is None or (cleaned.strip() == cleaned and "\n" not in cleaned and cleaned)
    assert clean_text(cleaned) == cleaned


@PROPS
@given(st.text(max_size=500) | fragments())
def test_clean_body_text_returns_text_or_none(value: str) -> None:
    body, dropped = clean_body_text(value)
    assert body is None or (isinstance(body, str) and body.strip())
    assert dropped >= 0
    assert "\u200b" not in (body or "") and "\u3000" not in (body or "")


@PROPS
@given(fragments())
def test_sanitised_body_html_is_safe(html: str) -> None:
    cleaned = sanitise_body_html(html)
    assert cleaned is None or isinstance(cleaned, str)
    if cleaned:
        _check_safe(cleaned)
    fields = clean_article_fields(title=html, body_text=html, body_html=html)
    if fields.body_html:
        _check_safe(fields.body_html)


@PROPS
@given(fragments())
def test_sanitiser_output_is_safe_twice(html: str) -> None:
    """Whatever goes in, the sanitiser's output is safe, and so is a second pass over it (the
    cleaning pipeline sanitises the extractor's output again; on misnested markup such as
    ``<h1><table><h1>`` the second parse may nest differently, but never unsafely)."""
    once = clean_html(html, URL)
    # lxml cannot parse C0 control characters (a browser skips them; the pipeline drops them)
    for out in (once, clean_html(once, URL)):
        _check_safe(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", out))
    extracted = extract_article(f"<html><body><div>{html}</div></body></html>", URL).body_html
    if extracted:
        _check_safe(extracted)
