"""Extract one article page into an :class:`ExtractedArticle`, recording each field's method.

Cascade (a site profile's field selectors, when given, win over all of it):
- body: the tightest high-scoring text block (:mod:`crawler.extract.body`);
- title: the headline element matching ``<title>``/``ArticleTitle``/``og:title``, else meta;
- published/views/source/author: labelled values in the info area between the headline and the
  body, then just after the body, then meta tags, then the URL (dates);
- column: the breadcrumb, else ``ColumnName``.
Pure: text or bytes in, fields out; no I/O and no clock.
"""

from __future__ import annotations

import copy
import re
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

from crawler.extract import fields as F
from crawler.extract.body import pick_body
from crawler.extract.bodytext import body_text
from crawler.extract.decode import decode_html
from crawler.extract.html import parse_html
from crawler.extract.layout import build_layout
from crawler.extract.meta import page_title, read_meta
from crawler.extract.profile_rules import apply_profile
from crawler.extract.title import find_title, headline_near
from crawler.extract.types import ExtractedArticle
from crawler.sites.profile import SiteProfile

_DROP_TAGS = frozenset(
    [
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "form",
        "input",
        "button",
        "select",
        "textarea",
        "link",
        "meta",
        "noscript",
        "template",
        "svg",
        "base",
    ]
)
_KEEP_ATTRS = frozenset(
    [
        "href",
        "src",
        "alt",
        "title",
        "colspan",
        "rowspan",
        "width",
        "height",
        "align",
    ]
)
_COMMON_DROP_ATTRS = (
    "style",
    "class",
    "id",
    "lang",
    "face",
    "size",
    "color",
    "name",
    "target",
    "border",
    "cellspacing",
    "cellpadding",
    "valign",
    "onclick",
)
_UNSAFE_URL_RE = re.compile(r"^\s*(?:javascript|vbscript|data):", re.IGNORECASE)


def sanitise_html(el: lxml_html.HtmlElement, base_url: str | None) -> str:
    """Body HTML without scripts, styles, frames, forms, event handlers or javascript: URLs.

    A fast allow-list pass (the cleaning pipeline runs lxml_html_clean over it again): unwanted
    elements and comments go in C (``strip_elements``/``strip_tags``), then one walk keeps the
    allowed attributes and makes links absolute.
    """
    frag = copy.deepcopy(el)
    frag.tail = None
    etree.strip_tags(frag, etree.Comment, etree.ProcessingInstruction)
    etree.strip_elements(frag, *(_DROP_TAGS - {frag.tag}), with_tail=False)
    etree.strip_attributes(frag, *_COMMON_DROP_ATTRS)  # the bulk of Word/CMS markup, in C
    keep, unsafe = _KEEP_ATTRS, _UNSAFE_URL_RE.match
    for node in frag.iter():
        names = node.keys()
        if not names:
            continue
        attrib = node.attrib
        for attr in names:
            if attr not in keep:
                del attrib[attr]
        for attr in ("href", "src"):
            value = attrib.get(attr)
            if value is None:
                continue
            if unsafe(value):
                del attrib[attr]
            elif base_url:
                attrib[attr] = urljoin(base_url, value.strip())
    return str(lxml_html.tostring(frag, encoding="unicode"))


def extract_article(
    html: str | bytes,
    url: str | None = None,
    *,
    profile: SiteProfile | None = None,
    http_charset: str | None = None,
) -> ExtractedArticle:
    """Fields of one article page; missing fields are None, never ``""``."""
    if isinstance(html, bytes):
        html, _ = decode_html(html, http_charset, profile.encoding if profile else None)
    root = parse_html(html)
    result = ExtractedArticle()
    meta = read_meta(root)
    base = url or meta.get("url") or meta.get("canonical")
    if meta.get("canonical") and url:
        result.canonical_url = urljoin(url, meta["canonical"])
    elif meta.get("canonical", "").startswith("http"):
        result.canonical_url = meta["canonical"]
    layout = build_layout(root)
    title_tag = page_title(root)

    title_el, title, title_method = find_title(root, layout, meta, title_tag)
    result.title, result.methods["title"] = title, title_method
    body_el = pick_body(layout, title_el)
    if title_el is None and title_method != "meta":
        near = headline_near(layout, body_el, meta)
        if near is not None:
            title_el, title = near
            result.title, result.methods["title"] = title, "heading-before-body"
    info = F.info_area(layout, title_el, body_el)
    after = F.after_body(layout, body_el)

    if body_el is not None:
        text, method = body_text(body_el, title, layout)
        if text:
            result.body_text = text
            result.body_html = sanitise_html(body_el, base)
            result.methods["body"] = method
    F.fill_date(result, info, after, layout, meta, url, F.before_title(layout, title_el))
    F.fill_views(result, info, after)
    F.fill_source_author(result, info, after, meta)
    F.fill_column(result, root, layout, meta, title)
    if body_el is not None:
        result.attachments = F.attachments(body_el, base, layout)
    if profile is not None and profile.fields:
        apply_profile(result, root, profile, base)
    return result


__all__ = ["extract_article", "sanitise_html"]
