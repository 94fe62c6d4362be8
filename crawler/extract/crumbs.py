"""Breadcrumbs ("您当前的位置：首页 > 部门动态 > 工作动态"): how to recognise one.

One place for the signs, because three readers need them: the column is read from the
breadcrumb (:func:`crawler.extract.fields.fill_column`), a breadcrumb line at the top of the
body block is not body text (:mod:`crawler.extract.bodytext`), and the last crumb, which often
equals the first part of ``<title>`` on CMSs that title article pages "column_site", is never
the headline (:func:`crawler.extract.title.find_title`).
"""

from __future__ import annotations

import functools
import re

from lxml.html import HtmlElement as Element

from crawler.extract.layout import Layout

#: ids and classes of breadcrumb blocks
_CRUMB_ATTR_RE = re.compile(
    r"crumb|position|location|weizhi|\bwz\b|dqwz|\bpath\b|curpos|"
    r"current|\blocal\b|\bmbx\b|site-?nav",
    re.I,
)
#: the separators between crumbs
CRUMB_SEP_RE = re.compile(r"[>»＞›]")
#: the label a breadcrumb starts with (match at an offset of the page text: no slicing)
CRUMB_TEXT_RE = re.compile(r"\s*(?:当前位置|您的位置|你的位置|您当前的位置|所在位置|当前的位置)")
#: a breadcrumb is a line, not a block
_MAX_CHARS = 150


@functools.lru_cache(maxsize=8192)
def crumb_attrs(attrs: str) -> bool:
    """Whether an element's ``"id class"`` names a breadcrumb block."""
    return bool(_CRUMB_ATTR_RE.search(attrs))


def in_breadcrumb(el: Element, layout: Layout, levels: int = 3) -> bool:
    """Whether ``el`` is (inside) a breadcrumb: it or one of its ``levels`` nearest ancestors
    is a short block that starts with a location label (当前位置 …), or is named like a
    breadcrumb and holds a crumb separator."""
    node: Element | None = el
    for _ in range(levels + 1):
        if node is None or node.tag in ("body", "html"):
            return False
        span = layout.spans.get(node)
        if span is not None:
            start, end = span
            text = layout.text[start:end] if end - start <= _MAX_CHARS * 4 else ""
            if not text or len("".join(text.split())) > _MAX_CHARS:
                return False  # more than a line: a container, and the walk ends here
            if CRUMB_TEXT_RE.match(layout.text, start):
                return True
            attrs = f"{node.get('id') or ''} {node.get('class') or ''}"
            if crumb_attrs(attrs) and CRUMB_SEP_RE.search(layout.text, start, end):
                return True
        node = node.getparent()
    return False
