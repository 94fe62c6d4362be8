"""Text of lxml elements as a reader sees it: paragraph breaks at block elements, tables as rows.

Hidden elements (``display:none``, ``hidden``), scripts and styles contribute nothing.
"""

from __future__ import annotations

import functools
import re

from lxml import html as lxml_html

from textkit.normalise import squash_spaces

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
        "br",
        "caption",
    ]
)
SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "select",
        "option",
        "textarea",
        "button",
        "svg",
        "canvas",
        "video",
        "audio",
        "map",
        "head",
        "title",
    ]
)
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def is_hidden(el: lxml_html.HtmlElement) -> bool:
    """Hidden by inline style or the ``hidden`` attribute (what a reader never sees)."""
    names = el.keys()  # one C call; most elements have neither attribute
    if not names:
        return False
    if "hidden" in names:
        return True
    if "style" not in names:
        return False
    return _style_hides(el.get("style") or "")


@functools.lru_cache(maxsize=4096)
def _style_hides(style: str) -> bool:
    """``display:none`` / ``visibility:hidden`` in an inline style (styles repeat: cached)."""
    style = style.lower()
    if "none" not in style and "hidden" not in style:
        return False
    return bool(_HIDDEN_STYLE_RE.search(style))


def _walk(el: lxml_html.HtmlElement, out: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag and tag not in SKIP_TAGS and not is_hidden(el):
        block = tag in BLOCK_TAGS or tag in ("td", "th")
        if block:
            out.append("\n" if tag not in ("td", "th") else "\t")
        if el.text:
            out.append(el.text)
        for child in el:
            _walk(child, out)
        if block and tag not in ("td", "th", "br"):
            out.append("\n")
    if el.tail:
        out.append(el.tail)


#: what keeps Chinese text from being NFKC: full-width ASCII, the ideographic space, no-break
#: and other compatibility spaces; each with its NFKD form
def element_text(el: lxml_html.HtmlElement) -> str:
    """Visible text of ``el`` with one line per block (paragraph, row, list item)."""
    out: list[str] = []
    tail, el.tail = el.tail, None
    try:
        _walk(el, out)
    finally:
        el.tail = tail
    return squash_spaces("".join(out))


def inline_text(el: lxml_html.HtmlElement) -> str:
    """Visible text of ``el`` on one line (for titles, labels)."""
    return " ".join(element_text(el).split())
