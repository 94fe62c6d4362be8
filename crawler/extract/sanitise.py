"""One definition of "safe body HTML": the extractor's sanitiser, and a cheap check for its form.

An article body is stored as HTML for display, so it must never carry script: no script/style/
frame/form/embedded elements, no event-handler or style attributes, no ``javascript:``,
``vbscript:`` or ``data:`` URLs (however obfuscated: browsers drop ASCII tab/newline and leading
control characters from a URL, so ``java&#x09;script:`` is ``javascript:``).

- :func:`sanitise_html` turns an lxml element into such HTML with an allow-list of attributes,
  making links absolute and unwrapping tags outside the content allow-list (their text stays);
  it runs in the extractor (often in a worker process).
- :func:`is_sanitised` answers, from the serialised string alone and without parsing, whether
  HTML is already in that form: every tag from an allow-list of content tags, every attribute
  from the same allow-list, every URL safe, no comments or processing instructions. The
  cleaning pipeline uses it to skip a second full sanitising pass (lxml_html_clean, about
  0.4 ms a page on the crawl's busiest thread) for HTML the extractor has already made safe,
  and still runs that pass on anything else. The check is strict on purpose: a false "no"
  costs one Cleaner run, a false "yes" would store script.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from html import unescape
from urllib.parse import urljoin

from lxml import etree
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
#: the only attributes kept (all of them in lxml_html_clean's safe attributes)
KEEP_ATTRS = frozenset(
    ["href", "src", "alt", "title", "colspan", "rowspan", "width", "height", "align"]
)
#: the usual Word/CMS attributes, removed in C before the Python walk over what is left
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
#: content elements :func:`is_sanitised` accepts; anything else sends HTML to the full pass
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
_UNSAFE_SCHEME_RE = re.compile(r"(?:javascript|vbscript|data|livescript):", re.IGNORECASE)
#: what a browser ignores in a URL before reading its scheme
_URL_IGNORED_RE = re.compile(r"[\x00-\x20\x7f]+")
#: the whole string: text without ``<``, and whole tags as lxml writes them (name, then
#: name="value" attributes); possessive, so a non-match fails fast instead of backtracking
_WELL_FORMED_RE = re.compile(
    r"""(?:[^<]++|</?[a-zA-Z][a-zA-Z0-9]*+(?:\s++[a-zA-Z][a-zA-Z0-9_-]*+(?:="[^"<>]*+")?+)*+\s*+/?>)*+"""
)
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")
_ATTR_NAME_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9_-]*)(?:=\"[^\"]*\")?")
_URL_ATTR_RE = re.compile(r"""(?:^|\s)(?:href|src)="([^"]*)\"""", re.IGNORECASE)
_VOID_TAGS = frozenset(["br", "hr", "img", "col", "wbr", "source"])
#: the name :func:`sanitise_html` gives the elements it unwraps
_UNWRAP = "govnews-unwrap"
#: characters an XML attribute cannot hold: libxml2 parses them from HTML, lxml refuses to set
#: them again (ValueError), and a browser ignores them in a URL
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _settable(value: str) -> str:
    """``value`` without the characters lxml refuses in an attribute."""
    return _NOT_XML_RE.sub("", value) if _NOT_XML_RE.search(value) else value


def is_unsafe_url(value: str) -> bool:
    """Whether a URL (attribute value, entities already decoded) would run script."""
    return bool(_UNSAFE_SCHEME_RE.match(_URL_IGNORED_RE.sub("", value)))


def sanitise_html(
    el: lxml_html.HtmlElement, base_url: str | None, *, in_place: bool = False
) -> str:
    """``el`` as body HTML without scripts, styles, frames, forms, handlers or unsafe URLs.

    Unwanted elements and comments go in C (``strip_elements``/``strip_tags``), then one walk
    keeps the allowed attributes, makes links absolute and marks tags outside
    :data:`SAFE_TAGS` for unwrapping. ``el`` itself is not changed, unless ``in_place``: a
    caller done with the tree saves copying the body (a few per cent of an extraction).
    """
    frag = el if in_place else copy.deepcopy(el)
    frag.tail = None
    etree.strip_tags(frag, etree.Comment, etree.ProcessingInstruction)
    etree.strip_elements(frag, *(DROP_TAGS - {frag.tag}), with_tail=False)
    etree.strip_attributes(frag, *_COMMON_DROP_ATTRS)
    if frag.tag in DROP_TAGS:  # the element itself: keep its text, lose the element
        frag.tag = "div"
        frag.attrib.clear()
    keep, safe = KEEP_ATTRS, SAFE_TAGS
    unwrap = False
    for node in frag.iter():
        if node.tag not in safe and isinstance(node.tag, str):
            # Word's <o:p>, CMS wrappers such as <ucapcontent>: the tags go, their content
            # stays (lxml_html_clean's remove_unknown_tags), so that the output is in the form
            # is_sanitised accepts and the cleaning pipeline need not run its full pass on it.
            # Renamed first: a parsed name may hold characters no lxml call accepts.
            node.tag = "div" if node is frag else _UNWRAP
            unwrap = True
        names = node.keys()
        if not names:
            continue
        attrib = node.attrib
        if not keep.issuperset(names):
            # clear and re-set: lxml cannot address a parsed name holding a control character
            kept = [(attr, attrib[attr]) for attr in names if attr in keep]
            attrib.clear()
            for attr, value in kept:
                attrib[attr] = _settable(value)
        for attr in ("href", "src"):
            value = attrib.get(attr)
            if value is None:
                continue
            if is_unsafe_url(value):
                del attrib[attr]
            elif base_url:
                attrib[attr] = _settable(urljoin(base_url, value.strip()))
    if unwrap:
        etree.strip_tags(frag, _UNWRAP)
    return str(lxml_html.tostring(frag, encoding="unicode"))


def is_sanitised(html: str) -> bool:
    """Whether ``html`` is already safe body HTML in :func:`sanitise_html`'s form (see module).

    Conservative: ``True`` only when every ``<`` starts a whole allowed tag with allowed,
    double-quoted attributes and safe URLs, and every element is closed; comments, doctypes,
    CDATA, processing instructions, unknown tags or attributes and anything unusual give
    ``False``.
    """
    if not _WELL_FORMED_RE.fullmatch(html):
        return False
    tags = _TAG_RE.findall(html)
    opened: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    attrs = []
    for closing, name, attr_text in tags:
        name = name.lower()
        if closing:
            if attr_text.strip():
                return False
            if name in _VOID_TAGS:
                continue  # lxml writes <wbr></wbr>: an end tag a browser ignores
            closed[name] += 1
        elif name not in _VOID_TAGS:
            opened[name] += 1
        if attr_text:
            attrs.append(attr_text)
    if opened != closed or not opened.keys() <= SAFE_TAGS:
        return False
    attr_text = " ".join(attrs)
    if not {n.lower() for n in _ATTR_NAME_RE.findall(attr_text)} <= KEEP_ATTRS:
        return False
    return not any(is_unsafe_url(unescape(url)) for url in _URL_ATTR_RE.findall(attr_text))


__all__ = ["DROP_TAGS", "KEEP_ATTRS", "SAFE_TAGS", "is_sanitised", "is_unsafe_url", "sanitise_html"]
