"""Apply a site profile's per-field selectors (CSS or XPath, in fallback order) over the
generic cascade: a profile that names a selector for a field always wins when it matches.
"""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlElement as Element

from crawler.extract.dates import parse_date
from crawler.extract.text import element_text, inline_text
from crawler.extract.types import ExtractedArticle
from crawler.extract.views import find_views, parse_views
from crawler.sites.profile import FieldRule, SiteProfile
from textkit.sanitise import sanitise_html


def _select(root: Element, rule: FieldRule) -> list[Element | str]:
    for css in rule.css:
        try:
            found = root.cssselect(css)
        except Exception:
            continue
        if found:
            return list(found)
    for xpath in rule.xpath:
        try:
            res = root.xpath(xpath)
        except etree.XPathError:
            continue
        if isinstance(res, list) and res:
            return [r if isinstance(r, Element) else str(r) for r in res]
        if isinstance(res, str) and res.strip():
            return [res]
    return []


def _text(node: Element | str, block: bool = False) -> str:
    if isinstance(node, str):
        return " ".join(node.split())
    return element_text(node) if block else inline_text(node)


def apply_profile(
    result: ExtractedArticle, root: Element, profile: SiteProfile, base: str | None
) -> None:
    """Overwrite fields that the profile's selectors find; record ``profile:<field>``."""
    for name, rule in profile.fields.items():
        nodes = _select(root, rule)
        if not nodes:
            continue
        method = f"profile:{'css' if rule.css else 'xpath'}"
        if name == "body":
            text = "\n".join(_text(n, block=True) for n in nodes).strip()
            if text:
                result.body_text = text
                first = nodes[0]
                if isinstance(first, Element):
                    result.body_html = sanitise_html(first, base)
                result.methods["body"] = method
            continue
        text = " ".join(_text(n) for n in nodes).strip()
        if not text:
            continue
        if name == "title":
            result.title = text
        elif name == "published":
            value = parse_date(text)
            if value is None:
                continue
            result.published_at, result.published_raw = value, text
        elif name == "views":
            views = parse_views(text)
            if views is None:
                result.views_dynamic = bool(find_views(text)) or result.views_dynamic
                continue
            result.views, result.views_raw = views, text
        elif name == "source":
            result.source = text
        elif name == "author":
            result.author = text
        elif name == "column":
            result.column_name = text
        else:
            continue
        result.methods[name] = method
