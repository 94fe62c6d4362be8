"""The page numbers list URLs encode: ``index_3.html``, ``list_3.shtml``, ``?page=3``.

Which page a URL names, whether two URLs are pages of one list, and the URL one step further in
a URL's own numbering: the URL side of :mod:`crawler.extract.pagination`.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urljoin, urlsplit

from w3lib.url import add_or_replace_parameter

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


def same_series(a: str, b: str) -> bool:
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


#: a column's plain first page (``index.html``), or the guess at its page 2 (``index_1.html``)
_PLAIN_PAGE_RE = re.compile(
    r"^(?P<stem>index|list|default)(?P<first>_1)?(?P<ext>\.[a-z]{2,6})$", re.I
)


def other_second_page(url: str) -> str | None:
    """The other common name of a column's second page, when ``url`` is the guess
    :func:`next_by_numbering` makes for a plain first page: CMSs number page 2 ``index_1.html``
    (TRS) or ``index_2.html`` (most others), and a page with no pager shown does not say
    which. None for any other URL."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    plain = _PLAIN_PAGE_RE.match(name)
    return urljoin(url, f"{plain['stem']}_2{plain['ext']}") if plain and plain["first"] else None


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
    plain = _PLAIN_PAGE_RE.match(name)
    return (
        urljoin(url, f"{plain['stem']}_1{plain['ext']}") if plain and not plain["first"] else None
    )
