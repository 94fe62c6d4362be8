"""One definition of "safe body HTML", made by nh3 (the Rust ammonia sanitiser).

An article body is stored as HTML for display, so it must never carry script: no script/style/
frame/form/embedded elements, no event-handler or style attributes, no ``javascript:``,
``vbscript:`` or ``data:`` URLs (however obfuscated). nh3 parses like a browser (html5ever), keeps
only :data:`SAFE_TAGS` with :data:`KEEP_ATTRS` and http(s)/mailto/ftp/tel URLs, drops
:data:`DROP_TAGS` with their content and unwraps any other tag (Word's ``<o:p>``, CMS wrappers:
their text stays). Links and images are made absolute against the page URL on the way.

- :func:`sanitise_html` serialises an lxml element (the extractor's body block) and cleans it;
- :func:`clean_html` cleans a string (the cleaning pipeline runs it on every body again: nh3 is
  fast enough that no "is it already clean?" shortcut is worth keeping).
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urljoin

import nh3
from lxml import html as lxml_html

#: elements dropped with their content
DROP_TAGS = frozenset(
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
        "math",
        "base",
    ]
)
#: the only attributes kept
KEEP_ATTRS = frozenset(
    ["href", "src", "alt", "title", "colspan", "rowspan", "width", "height", "align"]
)
#: content elements kept; any other tag is unwrapped (its content stays)
# fmt: off
SAFE_TAGS = frozenset([
    "a", "abbr", "address", "article", "aside", "audio", "b", "bdi", "bdo", "big", "blockquote",
    "br", "canvas", "caption", "center", "cite", "code", "col", "colgroup", "dd", "del", "dfn",
    "div", "dl", "dt", "em", "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hr", "i", "img", "ins", "kbd", "li", "mark", "nav", "ol", "p", "pre",
    "q", "s", "samp", "section", "small", "source", "span", "strike", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var", "video",
    "wbr",
])
# fmt: on

#: URL schemes a stored link or image may use (relative URLs are made absolute first)
URL_SCHEMES = frozenset(["http", "https", "mailto", "ftp", "tel"])
_ATTRIBUTES = {"*": set(KEEP_ATTRS)}
#: a scheme other than the allowed ones, and what a browser ignores in front of or inside it
_SCHEME_RE = re.compile(r"(?!(?:https?|mailto|ftp|tel):)[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_URL_IGNORED_RE = re.compile(r"[\x00-\x20\x7f]+")
_TAGS = set(SAFE_TAGS)
_DROP = set(DROP_TAGS)


def clean_html(html: str, base_url: str | None = None) -> str:
    """``html`` as safe body HTML (see the module), links absolute against ``base_url``."""

    def absolute(tag: str, attr: str, value: str) -> str | None:
        if attr not in ("href", "src"):
            return value
        if _SCHEME_RE.match(_URL_IGNORED_RE.sub("", value)):
            # a browser drops tabs, newlines and control characters before reading the scheme
            # (java&#9;script:); judged here, before urljoin could make it a harmless-looking path
            return None
        return urljoin(base_url, value.strip()) if base_url else value

    return nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags=_DROP,
        attributes=_ATTRIBUTES,
        attribute_filter=absolute,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )


def sanitise_html(el: lxml_html.HtmlElement, base_url: str | None) -> str:
    """``el`` (without its tail) as safe body HTML. An element that is itself of a dropped kind
    (a ``<form>`` wrapping a whole article) keeps its content in a ``<div>``. The tree is not
    changed."""
    if el.tag in DROP_TAGS:
        inner = "".join(lxml_html.tostring(c, encoding="unicode") for c in el)
        return clean_html(f"<div>{escape(el.text or '')}{inner}</div>", base_url)
    return clean_html(str(lxml_html.tostring(el, encoding="unicode", with_tail=False)), base_url)


__all__ = ["DROP_TAGS", "KEEP_ATTRS", "SAFE_TAGS", "URL_SCHEMES", "clean_html", "sanitise_html"]
