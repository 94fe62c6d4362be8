"""Where a block of links sits on a list page: its container, its box title, its pager distance.

Helpers of :mod:`crawler.extract.listing` (pure, over selectolax/lexbor nodes). The main list of
a column page sits beside its pager and under the column's own title; sidebars of other dated
links (热点排行, 最新信息, 相关阅读 …) sit elsewhere under titles of their own. Reads no settings.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

ITEM_TAGS = {
    "li",
    "tr",
    "td",
    "th",
    "dd",
    "dt",
    "p",
    "span",
    "em",
    "strong",
    "b",
    "i",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
}

#: box titles of sidebars that list other columns' dated links (热点排行, 最新信息, 相关阅读 …)
SIDEBAR_HEAD_RE = re.compile(r"排行|热点|热门|最新|推荐|相关|阅读|点击|精彩|专题|链接")


def ancestors(node: LexborNode) -> list[int]:
    out: list[int] = []
    cur: LexborNode | None = node.parent
    while cur is not None and cur.tag not in ("html", "-document"):
        out.append(cur.mem_id)
        cur = cur.parent
    return out


def container(node: LexborNode) -> LexborNode | None:
    """The nearest ancestor that is not a list-item element (the ``ul``/``table``/``div``)."""
    cur = node.parent
    while cur is not None and cur.tag in ITEM_TAGS:
        cur = cur.parent
    return cur


def sidebar_headed(node: LexborNode) -> bool:
    """True when the box around the link is titled like a sidebar (热点排行, 最新信息 …)."""
    cur = container(node)
    for _ in range(3):
        if cur is None or cur.tag in ("body", "html"):
            return False
        sib = cur.prev
        while sib is not None and sib.tag in ("-text", "_text", "-comment", "_comment"):
            sib = sib.prev
        if sib is not None:
            head = (sib.text(deep=True, strip=True) or "").strip()
            if 0 < len(head) <= 8 and not sib.css("a"):
                return bool(SIDEBAR_HEAD_RE.search(head))
        cur = cur.parent
    return False


def pager_depth(node: LexborNode, pager: list[set[int]]) -> int:
    """Depth of the deepest ancestor the link shares with a pagination element (0: none)."""
    chain = ancestors(node)
    best = 0
    for anc in pager:
        for i, mem in enumerate(chain):
            if mem in anc:
                best = max(best, len(chain) - i)
                break
    return best


__all__ = ["ITEM_TAGS", "ancestors", "container", "pager_depth", "sidebar_headed"]
