"""Which links of a page form its article list: links grouped by DOM position and scored (pure).

Every link is grouped by the shape of its position in the DOM (the tag path from ``<body>``,
keeping the class/id of container elements but not of item elements, so ``li.odd``/``li.even``
rows stay one list). Each group is scored by how much its links look like a dated article list
- long titles, a date in the row or in the URL, article-like URLs - and the best group wins;
navigation, sidebar and footer links are short, undated and lose; a block beside the pager
scores higher, one under a sidebar title lower (:mod:`crawler.extract.listblocks`). Used by
:mod:`crawler.extract.listing`; reads no settings.
"""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import urlsplit

from selectolax.lexbor import LexborNode

from crawler.extract.listblocks import (
    ITEM_TAGS,
    ancestors,
    container,
    pager_depth,
    sidebar_headed,
)

DATE_RE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|(?<!\d)\d{1,2}[-/月]\d{1,2}(?:日|(?!\d))"
)
URL_DATE_RE = re.compile(
    r"(?:19|20)\d{2}(?:[-/_]?(?:0[1-9]|1[0-2])[-/_]?(?:[0-3]\d)|/\d{1,2}/\d{1,2}|[-/_]\d{1,2}/)"
    r"|/t(?:19|20)\d{6}_"
)
_INDEX_NAME_RE = re.compile(r"^(?:index|default|list|main)(?:[_-]?\d+)?\.\w+$|^$", re.I)
_NUMERIC_TEXT_RE = re.compile(r"^[\W\d_]{0,6}$")
#: a lone link must look like a full list entry (long title, dated, article-like URL)
_SINGLE_MIN_VALUE = 1.3


def _signature(node: LexborNode) -> str:
    parts: list[str] = []
    cur: LexborNode | None = node.parent
    while cur is not None and cur.tag not in ("body", "html", "-document"):
        tag = cur.tag or ""
        if tag in ITEM_TAGS:
            parts.append(tag)
        else:
            attrs = cur.attributes
            key = (
                (attrs.get("id") or "") + "." + ".".join(sorted((attrs.get("class") or "").split()))
            )
            parts.append(f"{tag}#{key}" if key != "." else tag)
        cur = cur.parent
    # the link's own class separates e.g. "[社会]" category links from titles in the same row
    own = ".".join(sorted((node.attributes.get("class") or "").split()))
    return "/".join(reversed(parts)) + ("/a." + own if own else "/a")


def _row_text(node: LexborNode, title: str) -> str:
    """Text of the smallest ancestor (≤ 3 levels) holding more than the link itself; a
    definition list's row is its ``<dt>`` with the ``<dd>``s after it (``<dt><a>…</a></dt>
    <dd>2024-06-12</dd>``), which no single ancestor holds alone."""
    cur: LexborNode | None = node
    for _ in range(3):
        cur = cur.parent if cur is not None else None
        if cur is None or cur.tag in ("body", "html"):
            break
        text = cur.text(deep=True, separator=" ", strip=True) or ""
        if cur.tag == "dt" and any(defs := _definitions(cur)):
            return " ".join([text, *defs])
        if len(text) > 400 or len(cur.css("a")) > 3:
            break
        if len(text) > len(title) + 4:
            return text
    return ""


def _definitions(term: LexborNode) -> list[str]:
    """The texts of the ``<dd>``s that follow a ``<dt>``, up to the next ``<dt>``."""
    out: list[str] = []
    sibling = term.next
    while sibling is not None and sibling.tag != "dt":
        if sibling.tag == "dd":
            out.append(sibling.text(deep=True, separator=" ", strip=True) or "")
        sibling = sibling.next
    return out


def _link_title(node: LexborNode) -> str:
    text = re.sub(r"\s+", " ", node.text(deep=True, separator=" ", strip=True) or "").strip()
    title = (node.attributes.get("title") or "").strip()
    return title if len(title) > len(text) else text


class LinkMemo:
    """What the list scorers read from each link node, read once per page.

    A link of the winning group is valued twice (with its group, then by :func:`_trim`) and its
    title and row are read a third time for its listed date; each read walks up to three
    ancestors' text. List pages are the crawl's critical path (each leads to the next).
    """

    def __init__(self) -> None:
        self.titles: dict[int, str] = {}
        self.rows: dict[int, str] = {}
        self.values: dict[tuple[int, str], float] = {}

    def title(self, node: LexborNode) -> str:
        key = node.mem_id
        found = self.titles.get(key)
        if found is None:
            found = self.titles[key] = _link_title(node)
        return found

    def row(self, node: LexborNode) -> str:
        key = node.mem_id
        found = self.rows.get(key)
        if found is None:
            found = self.rows[key] = _row_text(node, self.title(node))
        return found

    def value(self, node: LexborNode, url: str) -> float:
        key = (node.mem_id, url)
        found = self.values.get(key)
        if found is None:
            found = self.values[key] = _link_value(node, url, self)
        return found


def _link_value(node: LexborNode, url: str, memo: LinkMemo) -> float:
    """How much one link looks like an entry of a dated article list (0.1 … 1.8)."""
    title = memo.title(node)
    if _NUMERIC_TEXT_RE.match(title):
        return 0.0  # calendar days and page numbers are never article titles
    value = 0.1
    if len(title) >= 8:
        value += 0.4 if len(title) >= 12 else 0.25
    if DATE_RE.search(memo.row(node)) or DATE_RE.search(title):
        value += 0.6
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1]
    if URL_DATE_RE.search(path):
        value += 0.3
    if name and not _INDEX_NAME_RE.match(name) and re.search(r"\d{3,}", name):
        value += 0.4
    elif path.endswith("/") or _INDEX_NAME_RE.match(name):
        value -= 0.1
    return max(value, 0.0)


def _trim(members: list[tuple[LexborNode, str]], memo: LinkMemo) -> list[tuple[LexborNode, str]]:
    """Drop blocks of a winning group that look much poorer than its best block.

    Tables nested alike (a list table beside a link table in the sidebar) share a signature; the
    main list's own container holds the dated links, the others hold short undated ones.
    """
    blocks: dict[int, list[float]] = defaultdict(list)
    keys: list[int] = []
    for n, h in members:
        box = container(n)
        key = box.mem_id if box is not None else 0
        blocks[key].append(memo.value(n, h))
        keys.append(key)
    if len(blocks) < 2:
        return members
    means = {k: sum(v) / len(v) for k, v in blocks.items()}
    top = max(means.values())
    return [m for m, k in zip(members, keys, strict=True) if means[k] >= top * 0.5]


def generic_articles(
    links: list[tuple[LexborNode, str]],
    exclude: set[str],
    memo: LinkMemo,
    min_mean: float = 0.5,
    pager_nodes: list[LexborNode] | None = None,
) -> list[str]:
    groups: dict[str, list[tuple[LexborNode, str]]] = defaultdict(list)
    for node, href in links:
        if href in exclude:
            continue
        groups[_signature(node)].append((node, href))
    pager = [set(ancestors(n)) for n in pager_nodes or []]
    depths = {k: pager_depth(m[0][0], pager) for k, m in groups.items()} if pager else {}
    deepest = max(depths.values(), default=0)
    best: list[tuple[LexborNode, str]] = []
    best_score = 0.0
    single: list[tuple[LexborNode, str]] = []
    single_value = _SINGLE_MIN_VALUE
    for key, members in groups.items():
        distinct = {h for _, h in members}
        values = [memo.value(n, h) for n, h in members]
        mean = sum(values) / len(values)
        if len(distinct) < 2 and min_mean > 0:
            # the last page of a column may hold one article: keep the best such link in
            # reserve, used only when no real list exists on the page
            if mean >= single_value:
                single, single_value = members, mean
            continue
        score = mean * mean * len(distinct)
        # the main list sits beside its pager; sidebars are titled 热点排行/最新信息 …
        if deepest and depths.get(key) == deepest:
            score *= 1.5
        if sidebar_headed(members[0][0]):
            score *= 0.5
        if mean >= min_mean and score > best_score:
            best, best_score = members, score
    return list(dict.fromkeys(h for _, h in (_trim(best, memo) if best else single)))


__all__ = ["DATE_RE", "LinkMemo", "generic_articles"]
