"""Find the next page and the other pagination pages of a column list page.

Pure functions over a parsed (selectolax/lexbor) tree; used by :mod:`crawler.extract.listing`.
Three sources, first hit wins for the next page:

1. a link labelled 下一页 / 下页 / 后页 / > / next (or ``rel=next`` / ``class=next``);
2. pagination scripts that build the pager in the browser, such as TRS WCM's
   ``createPageHTML(total, current, "index", "html")`` (page 0 is ``index.html``, page *n* is
   ``index_n.html``): the next URL is computed from the call;
3. the numbered links: the page numbered one more than the current URL's page
   (``index_N.html``, ``list_N.html``, ``indexN.html``, ``?page=N`` …).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

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
_CREATE_PAGE_RE = re.compile(
    r"createPageHTML\(\s*(?:(['\"])[\w-]*\1\s*,\s*)?(\w+)\s*,\s*(\w+)\s*,\s*"
    r"(['\"])([\w.-]+)\4\s*,\s*(['\"])(\w+)\6"
)
_MAX_SCRIPT_PAGES = 500


def _norm_text(node: LexborNode) -> str:
    text = node.text(deep=True, separator="", strip=True) or ""
    if not text:
        text = (node.attributes.get("title") or node.attributes.get("alt") or "").strip()
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


def _script_vars(scripts: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r"\b(\w+)\s*=\s*(\d+)\b", scripts)}


def script_pages(tree: LexborHTMLParser, url: str) -> tuple[str | None, list[str]]:
    """Next page and all pages from a TRS-style ``createPageHTML(...)`` call, if present."""
    scripts = "\n".join(s.text(deep=True) or "" for s in tree.css("script"))
    m = _CREATE_PAGE_RE.search(scripts)
    if not m:
        return _counter_pages(scripts, url)
    variables = _script_vars(scripts[: m.start()])
    try:
        total = int(variables.get(m.group(2), m.group(2)))
        current = int(variables.get(m.group(3), m.group(3)))
    except ValueError:
        return None, []
    name, ext = m.group(5), m.group(7)

    def page(n: int) -> str:
        return urljoin(url, f"{name}.{ext}" if n == 0 else f"{name}_{n}.{ext}")

    pages = [page(n) for n in range(min(total, _MAX_SCRIPT_PAGES)) if n != current]
    return (page(current + 1) if current + 1 < total else None), pages


def _counter_pages(scripts: str, url: str) -> tuple[str | None, list[str]]:
    """TRS pagers written by inline ``document.write`` from ``var countPage`` / ``currentPage``.

    Pages are 0-based like ``createPageHTML``: page 0 is the current file's stem (``index``),
    page *n* is ``stem_n``; a directory URL means ``index.html``.
    """
    variables = _script_vars(scripts)
    if "countPage" not in variables or "currentPage" not in variables:
        return None, []
    total, current = int(variables["countPage"]), int(variables["currentPage"])
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    m = re.match(r"^([a-z]+)(?:_\d+)?\.([a-z]{2,6})$", name, re.I)
    stem, ext = (m.group(1), m.group(2)) if m else ("index", "html")

    def page(n: int) -> str:
        return urljoin(url, f"{stem}.{ext}" if n == 0 else f"{stem}_{n}.{ext}")

    pages = [page(n) for n in range(min(total, _MAX_SCRIPT_PAGES)) if n != current]
    return (page(current + 1) if current + 1 < total else None), pages


def find_pagination(
    tree: LexborHTMLParser,
    url: str,
    links: list[tuple[LexborNode, str]],
    keep: Callable[[str], bool],
) -> tuple[str | None, list[str]]:
    """``(next_page, page_links)`` for a list page at ``url``.

    ``links`` are the page's ``(anchor, absolute URL)`` pairs already filtered to the site;
    ``keep`` is the same host filter, applied to script-computed URLs.
    """
    current = url.split("#", 1)[0]
    nxt: str | None = None
    weak: str | None = None
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
            nxt = href
        elif text in _WEAK_NEXT_TEXTS and weak is None:
            weak = href
        num = _NUM_RE.match(text)
        if ((num or is_next or text in _PAGER_TEXTS) and _same_series(href, current)) or (
            num and page_number(href) is not None
        ):
            pages.append(href)
    script_next, script_all = script_pages(tree, current)
    if script_all:
        pages.extend(u for u in script_all if keep(u))
        if nxt is None and script_next and keep(script_next):
            nxt = script_next
    if nxt is None:
        # the smallest page number above the current one (the first page often has none, and
        # its successor is index_1.html on TRS sites but index_2.html on others)
        here = page_number(current) or 0
        numbered = [
            (n, c)
            for c in pages
            if (n := page_number(c)) is not None and n > here and _same_series(c, current)
        ]
        if numbered:
            nxt = min(numbered)[1]
    if nxt is None and weak and _same_series(weak, current):
        nxt = weak
    if nxt is not None and nxt not in pages:
        pages.insert(0, nxt)
    return nxt, list(dict.fromkeys(p for p in pages if p != current))
