"""Government ``<meta>`` tags (ArticleTitle, PubDate, ContentSource, ColumnName …) and Open Graph.

Chinese government CMSs (following the 政府网站发展指引) emit a standard set of meta names. They
are a hint, not the truth: templates often fill PubDate with the generation time, so the visible
date next to the headline wins when both exist.
"""

from __future__ import annotations

from lxml import html as lxml_html

#: our key -> meta names/properties carrying it, most specific first (compared lower-case)
META_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("articletitle", "og:title", "twitter:title", "title"),
    "published": (
        "pubdate",
        "publishdate",
        "article:published_time",
        "og:release_date",
        "publish_time",
        "firstpublishedtime",
        "releasedate",
    ),
    "source": ("contentsource", "source", "og:source"),
    "author": ("author", "article:author"),
    "column": ("columnname", "column", "catalogname"),
    "site": ("sitename", "og:site_name", "site_name"),
    "url": ("url", "og:url"),
    "keywords": ("keywords",),
    "description": ("description", "og:description"),
}


def read_meta(root: lxml_html.HtmlElement) -> dict[str, str]:
    """Our key -> the first non-empty value among the meta names mapped to it."""
    raw: dict[str, str] = {}
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip()
        content = (meta.get("content") or "").strip()
        if name and content:
            raw.setdefault(name.lower(), " ".join(content.split()))
    found: dict[str, str] = {}
    for key, names in META_KEYS.items():
        for name in names:
            if raw.get(name):
                found[key] = raw[name]
                break
    for link in root.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            found.setdefault("canonical", link.get("href", "").strip())
    return found


def page_title(root: lxml_html.HtmlElement) -> str | None:
    """Text of ``<title>`` (whitespace collapsed), or None."""
    for el in root.iter("title"):
        text = " ".join((el.text_content() or "").split())
        if text:
            return text
    return None
