"""Find the next page, the other pagination pages and the declared size of a column list page.

Pure functions over a parsed (selectolax/lexbor) tree; used by :mod:`crawler.extract.listing`;
the page numbers that URLs encode live in :mod:`crawler.extract.pagenumbers`.
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

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawler.extract.datapager import DataPage, jpage, json_endpoint
from crawler.extract.pagecontrols import page_text, select_pages, statement_text
from crawler.extract.pagenumbers import next_by_numbering, page_number, same_series
from crawler.extract.scriptpager import script_pager

__all__ = ["Pagination", "find_pagination", "next_by_numbering", "page_number"]

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


def _norm_text(node: LexborNode) -> str:
    text = node.text(deep=True, separator="", strip=True) or ""
    if not text:
        attrs = node.attributes  # <input type="button" value="下一页" onclick=…> has no text
        text = (attrs.get("title") or attrs.get("alt") or attrs.get("value") or "").strip()
        for img in node.css("img"):
            text = text or (img.attributes.get("alt") or "").strip()
    return re.sub(r"\s+", " ", text).strip().lower()


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
        if text in _LAST_TEXTS and last is None and same_series(href, current):
            last = href
        num = _NUM_RE.match(text)
        if ((num or is_next or text in _PAGER_TEXTS) and same_series(href, current)) or (
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


@dataclass
class _Search:
    """The pagination being assembled from one source after another: the first source to
    name a next page wins, later ones only add pages and the declared size."""

    current: str
    keep: Callable[[str], bool]
    pages: list[str]
    nxt: str | None
    #: the pager family of the next page
    kind: str | None
    #: the pager family seen, even on the last page (which has no next page)
    family: str | None
    found: Pagination = field(default_factory=Pagination)


def _add_script_pager(s: _Search, scripts: str) -> None:
    """A pager the scripts draw: its pages, its page count, and its next page."""
    series = script_pager(scripts, s.current)
    if series is None:
        return
    s.pages.extend(u for u in series.all_urls(s.current) if s.keep(u))
    s.found.declared_pages, s.family = series.total, s.family or series.kind
    if s.nxt is None and (script_next := series.next_url(s.current)) and s.keep(script_next):
        s.nxt, s.kind = script_next, series.kind


def _add_select(s: _Search, tree: LexborHTMLParser) -> None:
    """A ``<select>`` listing every page: the pages, their count, the one after the current."""
    dropdown = select_pages(tree, s.current)
    if dropdown is None:
        return
    urls, here = dropdown
    s.pages.extend(u for u in urls if s.keep(u))
    s.found.declared_pages = s.found.declared_pages or len(urls)
    s.family = s.family or "select"
    if s.nxt is None and here is not None and here + 1 < len(urls) and s.keep(urls[here + 1]):
        s.nxt, s.kind = urls[here + 1], "select"


def _next_numbered(s: _Search) -> None:
    """The smallest page number above the current one (the first page often has none, and
    its successor is index_1.html on TRS sites but index_2.html on others)."""
    here_n = page_number(s.current) or 0
    numbered = [
        (n, c)
        for c in s.pages
        if (n := page_number(c)) is not None and n > here_n and same_series(c, s.current)
    ]
    if numbered:
        s.nxt, s.kind = min(numbered)[1], "link"


def _add_statement(s: _Search, html: str) -> None:
    """共N页 / 共N条 / 第N页 text: the declared size, and the next page of a numbered URL."""
    stated = page_text(statement_text(html))
    if stated is None:
        return
    s.found.declared_pages = stated.pages or s.found.declared_pages
    s.found.declared_items = stated.items
    # the text says more pages exist; their URLs continue this page's numbering only when
    # this page is numbered itself (a first page's links may be an AJAX pager's)
    more = stated.pages and stated.current and stated.current < stated.pages
    if s.nxt is None and more and page_number(s.current) is not None:
        s.nxt, s.kind = next_by_numbering(s.current), "page_text"


def _add_data_pager(s: _Search, scripts: str, records: int) -> None:
    """The data requests the scripts make (jpage's proxy, a JSON endpoint) as the pager."""
    data: DataPage | None = jpage(scripts, records, s.current) or json_endpoint(scripts, s.current)
    if data is None:
        return
    s.nxt, s.kind, s.found.next_is_guess = data.next_page, data.kind, data.guess
    s.family = data.kind
    s.found.declared_pages = s.found.declared_pages or data.declared_pages
    s.found.declared_items = s.found.declared_items or data.declared_items


def _finish(s: _Search) -> Pagination:
    """The next page kept on the site and listed first among the pages; the pager named."""
    found = s.found
    if s.nxt is not None and not s.keep(s.nxt):
        s.nxt = None
    if s.nxt is not None and s.nxt not in s.pages and not found.next_is_guess:
        s.pages.insert(0, s.nxt)
    found.next_page = s.nxt
    found.pager = s.kind if s.nxt is not None else s.family
    if found.pager is None and found.declared_pages:
        found.pager = "page_text"
    found.page_links = list(dict.fromkeys(p for p in s.pages if p != s.current))
    return found


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
    ``records`` counts the entries of its ``<datastore>`` blocks (jpage). The sources are asked
    in the order the module docstring gives.
    """
    current = url.split("#", 1)[0]
    nxt, weak, pages, kind, last = _link_pager(links, current, scripted)
    s = _Search(current, keep, pages, nxt, kind, family=kind or ("link" if pages else None))
    scripts = "\n".join(n.text(deep=True) or "" for n in tree.css("script"))
    _add_script_pager(s, scripts)
    _add_select(s, tree)
    if s.nxt is None:
        _next_numbered(s)
    if s.nxt is None and weak and same_series(weak, current):
        s.nxt, s.kind = weak, "link"
    if html:
        _add_statement(s, html)
    if s.found.declared_pages is None and last is not None:
        s.found.declared_pages = _pages_to(last, links)
    if s.nxt is None and not s.pages:
        _add_data_pager(s, scripts, records)
    # a page shipping data records pages through its data source, not numbered files
    no_pager = not s.pages and s.found.declared_pages is None and s.kind is None and not records
    if s.nxt is None and no_pager and (guess := next_by_numbering(current)) is not None:
        s.nxt, s.kind, s.found.next_is_guess = guess, "numbering", True
    return _finish(s)
