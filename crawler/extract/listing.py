"""Find the article links and the pagination of a column list page (pure; no I/O).

Without a site profile the main list is found generically: every link on the page is grouped by
the shape of its position in the DOM (the tag path from ``<body>``, keeping the class/id of
container elements but not of item elements, so ``li.odd``/``li.even`` rows stay one list).
Each group is scored by how much its links look like a dated article list - long titles, a date
in the row or in the URL, article-like URLs - and the best group wins; navigation, sidebar and
footer links are short, undated and lose; a block beside the pager scores higher, one under a
sidebar title (热点排行, 最新信息 …) lower (:mod:`crawler.extract.listblocks`). Hanweb JCMS pages
whose list only exists as CDATA records of a ``<script type="text/xml">`` datastore have those
records parsed as the list (:mod:`crawler.extract.datastore`). A profile's ``links`` rules
(CSS/XPath selectors, article URL regexes, deny regexes, next-page selectors) override the
heuristics.

The page is parsed with selectolax's lexbor backend, an HTML5 parser, so a stray ``</html>``
mid-page does not drop the rest of the document as libxml2 would. Profile XPath rules run on
lxml after such stray end tags are removed. Only links on the start URL's host (or the
profile's ``allowed_domains``) are returned, absolute and without fragments.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from urllib.parse import urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawler.extract.datapager import json_listing, proxy_next
from crawler.extract.datastore import (
    bare_datastore_fragments,
    datastore_fragments,
    is_bare_datastore,
    record_count,
)
from crawler.extract.dates import date_from_url, parse_date
from crawler.extract.decode import decode_html
from crawler.extract.listblocks import (
    ITEM_TAGS,
    ancestors,
    container,
    pager_depth,
    sidebar_headed,
)
from crawler.extract.pagination import find_pagination, page_number
from crawler.extract.scriptpager import script_href
from crawler.extract.types import ExtractedListing
from crawler.sites.profile import SiteProfile, host_in_domains

_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "#")
_DATE_RE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|(?<!\d)\d{1,2}[-/月]\d{1,2}(?:日|(?!\d))"
)
_URL_DATE_RE = re.compile(
    r"(?:19|20)\d{2}(?:[-/_]?(?:0[1-9]|1[0-2])[-/_]?(?:[0-3]\d)|/\d{1,2}/\d{1,2}|[-/_]\d{1,2}/)"
    r"|/t(?:19|20)\d{6}_"
)
_INDEX_NAME_RE = re.compile(r"^(?:index|default|list|main)(?:[_-]?\d+)?\.\w+$|^$", re.I)
_STRAY_END_RE = re.compile(r"</(?:html|body)\s*>", re.I)
_PAGER_SCRIPT_RE = re.compile(
    r"createPageHTML|\bcountPage\b|\bpageCount\b|\bPager\(|\bjpage\(|totalRecord", re.I
)
_NUMERIC_TEXT_RE = re.compile(r"^[\W\d_]{0,6}$")
#: a lone link must look like a full list entry (long title, dated, article-like URL)
_SINGLE_MIN_VALUE = 1.3


def _clean_url(href: str, base: str) -> str | None:
    href = href.strip()
    if not href or href.lower().startswith(_SKIP_SCHEMES):
        return None
    absolute = urljoin(base, href)
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def _host_filter(url: str, profile: SiteProfile | None) -> tuple[str, ...]:
    if profile is not None and profile.allowed_domains:
        return tuple(d.lower() for d in profile.allowed_domains)
    host = (urlsplit(url).hostname or "").lower()
    return (host,) if host else ()


def _on_site(url: str, domains: tuple[str, ...]) -> bool:
    return host_in_domains(urlsplit(url).hostname or "", domains)


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
    """Text of the smallest ancestor (≤ 3 levels) holding more than the link itself."""
    cur: LexborNode | None = node
    for _ in range(3):
        cur = cur.parent if cur is not None else None
        if cur is None or cur.tag in ("body", "html"):
            break
        text = cur.text(deep=True, separator=" ", strip=True) or ""
        if len(text) > 400 or len(cur.css("a")) > 3:
            break
        if len(text) > len(title) + 4:
            return text
    return ""


def _link_title(node: LexborNode) -> str:
    text = re.sub(r"\s+", " ", node.text(deep=True, separator=" ", strip=True) or "").strip()
    title = (node.attributes.get("title") or "").strip()
    return title if len(title) > len(text) else text


class _LinkMemo:
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


def _link_value(node: LexborNode, url: str, memo: _LinkMemo) -> float:
    """How much one link looks like an entry of a dated article list (0.1 … 1.8)."""
    title = memo.title(node)
    if _NUMERIC_TEXT_RE.match(title):
        return 0.0  # calendar days and page numbers are never article titles
    value = 0.1
    if len(title) >= 8:
        value += 0.4 if len(title) >= 12 else 0.25
    if _DATE_RE.search(memo.row(node)) or _DATE_RE.search(title):
        value += 0.6
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1]
    if _URL_DATE_RE.search(path):
        value += 0.3
    if name and not _INDEX_NAME_RE.match(name) and re.search(r"\d{3,}", name):
        value += 0.4
    elif path.endswith("/") or _INDEX_NAME_RE.match(name):
        value -= 0.1
    return max(value, 0.0)


def _anchors(
    tree: LexborHTMLParser, url: str, scripted: set[int] | None = None
) -> list[tuple[LexborNode, str]]:
    """Every link of the page: ``href``s, and the page URL an ``onclick`` or ``javascript:``
    handler navigates to (``<a href="#" onclick="location.href='index_2.html'">``), whose
    nodes' ``mem_id`` go into ``scripted``."""
    base = url
    base_node = tree.css_first("base[href]")
    if base_node is not None and base_node.attributes.get("href"):
        base = urljoin(url, base_node.attributes.get("href") or "")
    out: list[tuple[LexborNode, str]] = []
    for node in tree.css("a[href], area[href], [onclick]"):
        href = node.attributes.get("href") or ""
        clean = _clean_url(href, base)
        if clean is None:
            code = node.attributes.get("onclick") or ""
            if href.strip().lower().startswith("javascript:"):
                code = f"{href} {code}"
            target = script_href(code) if code else None
            clean = _clean_url(target, base) if target else None
            if clean is not None and scripted is not None:
                scripted.add(node.mem_id)
        if clean is not None:
            out.append((node, clean))
    return out


def _link_dates(
    links: list[tuple[LexborNode, str]], wanted: list[str], memo: _LinkMemo
) -> dict[str, date]:
    """The date listed beside each article link (row text, else title, else URL), when any."""
    want = set(wanted)
    out: dict[str, date] = {}
    for node, href in links:
        if href not in want or href in out:
            continue
        title = memo.title(node)
        found = None
        for text in (memo.row(node), title):
            match = _DATE_RE.search(text) if text else None
            if match and (found := parse_date(match.group(0))) is not None:
                break
        found = found or date_from_url(href)
        if found is not None:
            out[href] = found.date()
    return out


def _trim(members: list[tuple[LexborNode, str]], memo: _LinkMemo) -> list[tuple[LexborNode, str]]:
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


def _generic_articles(
    links: list[tuple[LexborNode, str]],
    exclude: set[str],
    memo: _LinkMemo,
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


def _xpath_links(html: str, url: str, xpath: str) -> list[str]:
    import lxml.html

    doc = lxml.html.fromstring(_STRAY_END_RE.sub("", html) or "<html/>", base_url=url)
    out: list[str] = []
    for hit in doc.xpath(xpath):
        href = hit if isinstance(hit, str) else hit.get("href")
        if isinstance(href, str) and (clean := _clean_url(href, url)) is not None:
            out.append(clean)
    return out


def _css_links(tree: LexborHTMLParser, url: str, css: str) -> list[str]:
    out: list[str] = []
    for node in tree.css(css):
        targets = [node] if node.tag == "a" else node.css("a[href]")
        for a in targets:
            clean = _clean_url(a.attributes.get("href") or "", url)
            if clean is not None:
                out.append(clean)
    return out


def extract_listing(
    html: str | bytes,
    url: str,
    *,
    profile: SiteProfile | None = None,
    http_charset: str | None = None,
) -> ExtractedListing:
    """Article links, the next page and further pagination pages of the list page at ``url``."""
    if isinstance(html, bytes):
        html, _ = decode_html(html, http_charset, profile.encoding if profile else None)
    current = url.split("#", 1)[0]
    domains = _host_filter(url, profile)

    def keep(u: str) -> bool:
        return _on_site(u, domains)

    if (answer := _data_answer(html, current, keep)) is not None:
        return answer
    tree = LexborHTMLParser(html)
    scripted: set[int] = set()
    links = [(n, h) for n, h in _anchors(tree, url, scripted) if _on_site(h, domains)]
    found = find_pagination(
        tree,
        current,
        links,
        keep,
        html=html,
        scripted=frozenset(scripted),
        records=record_count(html),
    )
    next_page, page_links = found.next_page, found.page_links
    if profile is not None and (profile.next_page_css or profile.next_page_xpath):
        chosen = (
            _css_links(tree, url, profile.next_page_css)
            if profile.next_page_css
            else _xpath_links(html, url, profile.next_page_xpath or "")
        )
        chosen = [u for u in chosen if keep(u) and u != current]
        next_page = chosen[0] if chosen else None
        found.pager, found.next_is_guess = "profile", False
        if next_page and next_page not in page_links:
            page_links.insert(0, next_page)

    pager = set(page_links) | {current}
    memo = _LinkMemo()
    fragments = datastore_fragments(tree) if profile is None or not profile.article_css else []
    data_links: list[tuple[LexborNode, str]] = []
    if profile is not None and profile.article_css:
        articles = _css_links(tree, url, profile.article_css)
    elif profile is not None and profile.article_xpath:
        articles = _xpath_links(html, url, profile.article_xpath)
    elif profile is not None and profile.article_patterns:
        # the best-looking block among the links the patterns accept (a sidebar of other
        # columns' articles matches the patterns too, but loses to the main list)
        pats = [re.compile(p) for p in profile.article_patterns]
        matching = [(n, h) for n, h in links if any(p.search(h) for p in pats)]
        articles = _generic_articles(matching, pager, memo, min_mean=0.0)
    else:
        articles = []
        # Hanweb-style pages carry their list in <script type="text/xml"> records
        for fragment in fragments:
            rows = [(n, h) for n, h in _anchors(fragment, url) if _on_site(h, domains)]
            data_links.extend(rows)
            articles = articles or _generic_articles(rows, pager, memo)
        if not articles:
            pager_nodes = [n for n, h in links if h in pager and h != current]
            pager_nodes += [
                n for n in tree.css("script") if _PAGER_SCRIPT_RE.search(n.text() or "")
            ]
            articles = _generic_articles(links, pager, memo, pager_nodes=pager_nodes)
    if profile is not None and profile.article_patterns:
        pats = [re.compile(p) for p in profile.article_patterns]
        articles = [u for u in articles if any(p.search(u) for p in pats)]
    if profile is not None and profile.deny_patterns:
        deny = [re.compile(p) for p in profile.deny_patterns]
        articles = [u for u in articles if not any(p.search(u) for p in deny)]
    # explicit selectors are trusted; heuristics and patterns never return pagination pages
    exclude = {current} if profile and (profile.article_css or profile.article_xpath) else pager
    articles = [u for u in dict.fromkeys(articles) if keep(u) and u not in exclude]
    return ExtractedListing(
        article_links=articles,
        next_page=next_page,
        page_links=page_links,
        link_dates=_link_dates(links + data_links, articles, memo),
        pager=found.pager,
        declared_pages=found.declared_pages,
        declared_items=found.declared_items,
        next_is_guess=found.next_is_guess,
    )


def _data_answer(html: str, url: str, keep: Callable[[str], bool]) -> ExtractedListing | None:
    """The listing of a data request's answer (a JSON list endpoint, a jpage data proxy), or
    None for an HTML page. Their next requests come from :mod:`crawler.extract.datapager`."""
    head = html.lstrip()[:1]
    if head in ("{", "[") or (head and re.match(r"^[\w.$]+\(\s*[\[{]", html.lstrip()[:80])):
        data = json_listing(html, url)
        if data is None:
            return None
        articles = [u for u in data.articles if keep(u)]
    elif is_bare_datastore(html):
        memo = _LinkMemo()
        rows = [(n, h) for f in bare_datastore_fragments(html) for n, h in _anchors(f, url)]
        articles = [u for u in _generic_articles(rows, {url}, memo, min_mean=0.0) if keep(u)]
        data = proxy_next(html, record_count(html), url)
        if data is None:
            return None
    else:
        return None
    nxt = data.next_page if data.next_page and keep(data.next_page) else None
    return ExtractedListing(
        article_links=articles,
        next_page=nxt,
        page_links=[nxt] if nxt else [],
        pager=data.kind,
        declared_pages=data.declared_pages,
        declared_items=data.declared_items,
        next_is_guess=data.guess,
    )


__all__ = ["extract_listing", "page_number"]
