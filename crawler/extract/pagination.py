"""Find the next page, the other pagination pages and the declared size of a column list page.

Pure functions over a parsed (selectolax/lexbor) tree; used by :mod:`crawler.extract.listing`.
Sources in order, first hit wins for the next page (:attr:`Pagination.pager` names it):

1. ``link``/``onclick``: a link labelled 下一页 / 下页 / 后页 / > / next (or ``rel=next`` /
   ``class=next``); links whose URL sits in an ``onclick``/``javascript:`` handler count too;
2. ``script_call``/``object_literal``/``script_vars``: a pager the scripts draw from a stated
   page count and current page (:mod:`crawler.extract.scriptpager`);
3. ``select``: a ``<select>`` listing every page (:mod:`crawler.extract.pagecontrols`);
4. ``link``: the numbered links: the page numbered one more than the current URL's page
   (``index_N.html``, ``list_N.html``, ``indexN.html``, ``?page=N`` …);
5. ``page_text``: 共N页 / 第N页 text: the next number of the URL's series;
6. ``jpage``/``json``: data requests the scripts make (:mod:`crawler.extract.datapager`);
7. ``numbering``: no pager at all, but the URL follows a known numbering (``index.html`` ->
   ``index_1.html``, ``list_1`` -> ``list_2``, ``?page=2`` -> ``?page=3``): a guess the spider
   follows only while it brings new article links (:attr:`Pagination.next_is_guess`).

The declared size (共N页, 共N条, a last-page link, a script's count, totalRecord) is returned
so the crawl can measure how much of the column it reached.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode
from w3lib.url import add_or_replace_parameter

from crawler.extract.datapager import DataPage, jpage, json_endpoint
from crawler.extract.pagecontrols import page_text, select_pages, statement_text
from crawler.extract.scriptpager import script_pager

_NEXT_TEXTS = {
    "下一页",
    "下页",
    "后页",
    "下一页>",
    "下一页>>",
    "下一页»",
    "下一页 >",
    ">",
    "›",
    "next",
    "next page",
    "next>",
    "next »",
    "下一頁",
}
#: sometimes "last page" (or a mobile "load more" button), so only a same-series fallback
_WEAK_NEXT_TEXTS = {">>", "»", "››", "加载更多", "点击加载更多"}
_PAGER_TEXTS = (
    _NEXT_TEXTS
    | _WEAK_NEXT_TEXTS
    | {
        "上一页",
        "上页",
        "前页",
        "首页",
        "尾页",
        "末页",
        "最后一页",
        "第一页",
        "<",
        "<<",
        "‹",
        "«",
        "prev",
        "previous",
        "first",
        "last",
    }
)
_LAST_TEXTS = {"尾页", "末页", "最后一页", "最末页", "last"}
_NUM_RE = re.compile(r"^\[?\s*(\d{1,4})\s*\]?$")
_PAGE_QUERY_KEYS = (
    "page",
    "p",
    "pageno",
    "pagenum",
    "pageindex",
    "curpage",
    "cur",
    "pn",
    "page_no",
    "pagenumber",
    "currentpage",
    "start",
)
_FILE_PAGE_RE = re.compile(
    r"^(?P<stem>.*?)(?P<sep>[_-]?)(?P<num>\d{1,4})(?P<ext>\.[a-z]{2,6})$", re.I
)


def _norm_text(node: LexborNode) -> str:
    text = node.text(deep=True, separator="", strip=True) or ""
    if not text:
        attrs = node.attributes  # <input type="button" value="下一页" onclick=…> has no text
        text = (attrs.get("title") or attrs.get("alt") or attrs.get("value") or "").strip()
        for img in node.css("img"):
            text = text or (img.attributes.get("alt") or "").strip()
    return re.sub(r"\s+", " ", text).strip().lower()


def page_number(url: str) -> int | None:
    """The page number a URL encodes (``index_3.html`` -> 3, ``?page=3`` -> 3), if any."""
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        if key.lower() in _PAGE_QUERY_KEYS and value.isdigit():
            return int(value)
    name = parts.path.rsplit("/", 1)[-1]
    m = _FILE_PAGE_RE.match(name)
    if m and (m.group("sep") or len(m.group("stem")) > 0) and len(m.group("num")) <= 4:
        stem = m.group("stem").lower()
        if stem in ("index", "list", "default", "page", "more") or m.group("sep"):
            return int(m.group("num"))
    return None


def _same_series(a: str, b: str) -> bool:
    """True when two URLs look like pages of the same list (same directory, same file stem)."""
    pa, pb = urlsplit(a), urlsplit(b)
    if pa.netloc != pb.netloc:
        return False
    da, fa = pa.path.rsplit("/", 1) if "/" in pa.path else ("", pa.path)
    db, fb = pb.path.rsplit("/", 1) if "/" in pb.path else ("", pb.path)
    if da != db:
        return False
    if pa.query or pb.query:
        return fa == fb or not fa or not fb
    stem = re.compile(r"^([a-z]*)[_-]?\d*\.[a-z]+$|^$", re.I)
    ma, mb = stem.match(fa), stem.match(fb)
    if not (ma and mb):
        return False
    sa, sb = ma.group(1) or "index", mb.group(1) or "index"
    return sa == sb


def next_by_numbering(url: str) -> str | None:
    """The URL one step further in the URL's own numbering, if it follows a known one."""
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        if key.lower() in _PAGE_QUERY_KEYS and value.isdigit():
            return str(add_or_replace_parameter(url, key, str(int(value) + 1)))
    name = parts.path.rsplit("/", 1)[-1]
    m = _FILE_PAGE_RE.match(name)
    # list_3.html, index_3.shtml, page-3.html; t20240510_301.html is an article, not a series
    if m and page_number(url) is not None and re.fullmatch(r"[a-z]+", m["stem"], re.I):
        return urljoin(url, f"{m['stem']}{m['sep']}{int(m['num']) + 1}{m['ext']}")
    # a directory URL names no file, so it states no numbering to continue
    plain = re.match(r"^(index|list|default)(\.[a-z]{2,6})$", name, re.I)
    return urljoin(url, f"{plain.group(1)}_1{plain.group(2)}") if plain else None


@dataclass
class Pagination:
    """How a list page paginates: its next page, other pages, pager family, declared size."""

    next_page: str | None = None
    page_links: list[str] = field(default_factory=list)
    pager: str | None = None
    declared_pages: int | None = None
    declared_items: int | None = None
    next_is_guess: bool = False


def _link_pager(
    links: list[tuple[LexborNode, str]], current: str, scripted: frozenset[int]
) -> tuple[str | None, str | None, list[str], str | None, str | None]:
    """``(next, weak next, page links, kind of next, last-page link)`` from the links."""
    nxt = weak = kind = last = None
    pages: list[str] = []
    for node, href in links:
        if href == current:
            continue
        text = _norm_text(node)
        attrs = node.attributes
        classes = (attrs.get("class") or "").lower().split()
        is_next = (
            text in _NEXT_TEXTS
            or (attrs.get("rel") or "").lower() == "next"
            or ("next" in classes and len(text) < 8)
        )
        if is_next and nxt is None:
            nxt, kind = href, "onclick" if node.mem_id in scripted else "link"
        elif text in _WEAK_NEXT_TEXTS and weak is None:
            weak = href
        if text in _LAST_TEXTS and last is None and _same_series(href, current):
            last = href
        num = _NUM_RE.match(text)
        if ((num or is_next or text in _PAGER_TEXTS) and _same_series(href, current)) or (
            num and page_number(href) is not None
        ):
            pages.append(href)
    return nxt, weak, pages, kind, last


def _pages_to(last: str, links: list[tuple[LexborNode, str]]) -> int | None:
    """The page count a last-page link states: its number, shifted as the numbered links show
    (``index_1.html`` labelled 2 means the series counts from 0)."""
    n = page_number(last)
    if n is None:
        return None
    for node, href in links:
        num = _NUM_RE.match(_norm_text(node))
        if num and (k := page_number(href)) is not None:
            return n + int(num.group(1)) - k
    return n


def find_pagination(
    tree: LexborHTMLParser,
    url: str,
    links: list[tuple[LexborNode, str]],
    keep: Callable[[str], bool],
    *,
    html: str = "",
    scripted: frozenset[int] = frozenset(),
    records: int = 0,
) -> Pagination:
    """How the list page at ``url`` paginates.

    ``links`` are the page's ``(node, absolute URL)`` pairs already filtered to the site (nodes
    in ``scripted`` got their URL from an ``onclick``/``javascript:`` handler); ``keep`` is the
    same host filter, applied to script-computed URLs; ``html`` is the page's text (for 共N页);
    ``records`` counts the entries of its ``<datastore>`` blocks (jpage).
    """
    current = url.split("#", 1)[0]
    nxt, weak, pages, kind, last = _link_pager(links, current, scripted)
    found = Pagination()
    family = kind or ("link" if pages else None)  # the pager seen, even on the last page
    scripts = "\n".join(s.text(deep=True) or "" for s in tree.css("script"))
    series = script_pager(scripts, current)
    if series is not None:
        pages.extend(u for u in series.all_urls(current) if keep(u))
        found.declared_pages, family = series.total, family or series.kind
        if nxt is None and (script_next := series.next_url(current)) and keep(script_next):
            nxt, kind = script_next, series.kind
    dropdown = select_pages(tree, current)
    if dropdown is not None:
        urls, here = dropdown
        pages.extend(u for u in urls if keep(u))
        found.declared_pages = found.declared_pages or len(urls)
        family = family or "select"
        if nxt is None and here is not None and here + 1 < len(urls) and keep(urls[here + 1]):
            nxt, kind = urls[here + 1], "select"
    if nxt is None:
        # the smallest page number above the current one (the first page often has none, and
        # its successor is index_1.html on TRS sites but index_2.html on others)
        here_n = page_number(current) or 0
        numbered = [
            (n, c)
            for c in pages
            if (n := page_number(c)) is not None and n > here_n and _same_series(c, current)
        ]
        if numbered:
            nxt, kind = min(numbered)[1], "link"
    if nxt is None and weak and _same_series(weak, current):
        nxt, kind = weak, "link"
    stated = page_text(statement_text(html)) if html else None
    if stated is not None:
        found.declared_pages = stated.pages or found.declared_pages
        found.declared_items = stated.items
        # the text says more pages exist; their URLs continue this page's numbering only when
        # this page is numbered itself (a first page's links may be an AJAX pager's)
        more = stated.pages and stated.current and stated.current < stated.pages
        if nxt is None and more and page_number(current) is not None:
            nxt, kind = next_by_numbering(current), "page_text"
    if found.declared_pages is None and last is not None:
        found.declared_pages = _pages_to(last, links)
    if nxt is None and not pages:
        data: DataPage | None = jpage(scripts, records, current) or json_endpoint(scripts, current)
        if data is not None:
            nxt, kind, found.next_is_guess = data.next_page, data.kind, data.guess
            family = data.kind
            found.declared_pages = found.declared_pages or data.declared_pages
            found.declared_items = found.declared_items or data.declared_items
    # a page shipping data records pages through its data source, not numbered files
    no_pager = not pages and found.declared_pages is None and kind is None and not records
    if nxt is None and no_pager and (guess := next_by_numbering(current)) is not None:
        nxt, kind, found.next_is_guess = guess, "numbering", True
    if nxt is not None and not keep(nxt):
        nxt = None
    if nxt is not None and nxt not in pages and not found.next_is_guess:
        pages.insert(0, nxt)
    found.next_page = nxt
    found.pager = kind if nxt is not None else family
    if found.pager is None and found.declared_pages:
        found.pager = "page_text"
    found.page_links = list(dict.fromkeys(p for p in pages if p != current))
    return found
