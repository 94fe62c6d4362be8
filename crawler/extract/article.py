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

from urllib.parse import urljoin

from crawler.extract import fields as F
from crawler.extract.body import pick_body
from crawler.extract.bodychoice import choose_body
from crawler.extract.bodytext import trim_body_html
from crawler.extract.decode import decode_html
from crawler.extract.html import parse_html
from crawler.extract.layout import build_layout
from crawler.extract.media import frames_as_links, media_urls
from crawler.extract.meta import page_title, read_meta
from crawler.extract.profile_rules import apply_profile
from crawler.extract.quality import quality_flags
from crawler.extract.title import find_title, headline_near
from crawler.extract.types import ExtractedArticle
from crawler.items import PLAYER_KINDS
from crawler.sites.profile import SiteProfile
from textkit.sanitise import sanitise_html


def extract_article(
    html: str | bytes,
    url: str | None = None,
    *,
    profile: SiteProfile | None = None,
    http_charset: str | None = None,
) -> ExtractedArticle:
    """Fields of one article page; missing fields are None, never ``""``."""
    encoding = None
    if isinstance(html, bytes):
        html, encoding = decode_html(html, http_charset, profile.encoding if profile else None)
    root = parse_html(html)
    result = ExtractedArticle()
    if encoding is not None:
        result.methods["encoding"] = encoding
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
    body_el, prose_chars = pick_body(layout, title_el)
    if title_el is None and title_method != "meta":
        near = headline_near(layout, body_el, meta)
        if near is not None:
            title_el, title = near
            result.title, result.methods["title"] = title, "heading-before-body"
    choice = choose_body(html, layout, title_el, title, body_el, prose_chars)
    body_el, body, result.body_kind = choice.element, choice.body, choice.kind
    # the element body_html is made of, made last (see below)
    html_from = body_el if choice.kind != "text" or (body and body.text) else None
    if body is not None and (body.text or choice.kind != "text"):
        result.body_text, result.methods["body"] = body.text, body.method
    info = F.info_area(layout, title_el, body_el)
    after_text = F.after_body(layout, body_el)
    F.fill_date(result, info, after_text, layout, meta, url, F.before_title(layout, title_el))
    F.fill_views(result, info, after_text)
    F.fill_source_author(result, info, after_text, meta)
    F.fill_column(result, root, layout, meta, title)
    if body_el is not None:
        result.attachments = F.attachments(body_el, base, layout)
        if result.body_kind in PLAYER_KINDS:  # frames and plugins do not survive sanitising
            result.attachments = F.add_attachments(result.attachments, media_urls(body_el, base))
    if profile is not None and profile.fields:
        apply_profile(result, root, profile, base)
    result.quality = quality_flags(result, prose_chars, choice.confirmed)
    if html_from is not None and result.body_html is None:  # a profile's body rule wins
        # last, so that nothing reads the tree after it is trimmed in place
        if body is not None:
            trim_body_html(html_from, layout, body)
        if result.body_kind in PLAYER_KINDS:
            frames_as_links(html_from)
        result.body_html = sanitise_html(html_from, base)
    return result


__all__ = ["extract_article"]
