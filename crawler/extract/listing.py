"""Find the article links and the pagination of a column list page (pure; no I/O).

Without a site profile the main list is found generically: the page's links are grouped by DOM
position and the group that looks most like a dated article list wins
(:mod:`crawler.extract.linkgroups`). Links include the page URLs that ``onclick`` and
``javascript:`` handlers navigate to. Hanweb JCMS pages whose list only exists as CDATA records of
a ``<script type="text/xml">`` datastore have those records parsed as the list
(:mod:`crawler.extract.datastore`). The answers of data requests that pagers make (a JSON list
endpoint, a jpage data proxy) are listings too. Pagination and the column's declared size come
from :mod:`crawler.extract.pagination`. A profile's ``links`` rules (CSS/XPath selectors, article
URL regexes, deny regexes, next-page selectors) override the heuristics.

The page is parsed with selectolax's lexbor backend, an HTML5 parser, so a stray ``</html>``
mid-page does not drop the rest of the document as libxml2 would. Profile XPath rules run on
lxml after such stray end tags are removed. Only links on the start URL's host (or the
profile's ``allowed_domains``) are returned, absolute and without fragments.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import NamedTuple
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
from crawler.extract.fields import ATTACH_EXT_RE
from crawler.extract.linkgroups import DATE_RE, LinkMemo, generic_articles
from crawler.extract.pagination import Pagination, find_pagination, page_number
from crawler.extract.scriptpager import script_href
from crawler.extract.types import ExtractedListing
from crawler.sites.profile import SiteProfile, host_in_domains

_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "#")
_STRAY_END_RE = re.compile(r"</(?:html|body)\s*>", re.I)
_PAGER_SCRIPT_RE = re.compile(
    r"createPageHTML|\bcountPage\b|\bpageCount\b|\bPager\(|\bjpage\(|totalRecord", re.I
)


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
    links: list[tuple[LexborNode, str]], wanted: list[str], memo: LinkMemo
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
            match = DATE_RE.search(text) if text else None
            if match and (found := parse_date(match.group(0))) is not None:
                break
        found = found or date_from_url(href)
        if found is not None:
            out[href] = found.date()
    return out


def _documents(
    links: list[tuple[LexborNode, str]], wanted: list[str], memo: LinkMemo
) -> dict[str, str]:
    """Article links to a file (PDF, Office, archive) with their link text, for the rows whose
    link has a text (a file with no title is no article to make)."""
    files = {u for u in wanted if ATTACH_EXT_RE.search(u)}
    out: dict[str, str] = {}
    for node, href in links:
        if href in files and href not in out and (title := memo.title(node).strip()):
            out[href] = title
    return out


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


class _Page(NamedTuple):
    """One parsed list page and what every step of :func:`extract_listing` asks of it."""

    tree: LexborHTMLParser
    html: str
    url: str
    #: the page's own URL without a fragment
    current: str
    #: on-site links, in page order
    links: list[tuple[LexborNode, str]]
    domains: tuple[str, ...]
    profile: SiteProfile | None

    def keep(self, u: str) -> bool:
        return _on_site(u, self.domains)


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
    if (answer := _data_answer(html, current, lambda u: _on_site(u, domains))) is not None:
        return answer
    tree = LexborHTMLParser(html)
    scripted: set[int] = set()
    links = [(n, h) for n, h in _anchors(tree, url, scripted) if _on_site(h, domains)]
    page = _Page(tree, html, url, current, links, domains, profile)
    found = find_pagination(
        tree,
        current,
        links,
        page.keep,
        html=html,
        scripted=frozenset(scripted),
        records=record_count(html),
    )
    if profile is not None and (profile.next_page_css or profile.next_page_xpath):
        _profile_next_page(page, found)
    memo = LinkMemo()
    pager = set(found.page_links) | {current}
    articles, data_links = _article_links(page, pager, memo)
    # explicit selectors are trusted; heuristics and patterns never return pagination pages
    exclude = {current} if profile and (profile.article_css or profile.article_xpath) else pager
    articles = [u for u in dict.fromkeys(articles) if page.keep(u) and u not in exclude]
    return ExtractedListing(
        article_links=articles,
        next_page=found.next_page,
        page_links=found.page_links,
        link_dates=_link_dates(links + data_links, articles, memo),
        documents=_documents(links + data_links, articles, memo),
        pager=found.pager,
        declared_pages=found.declared_pages,
        declared_items=found.declared_items,
        next_is_guess=found.next_is_guess,
    )


def _profile_next_page(page: _Page, found: Pagination) -> None:
    """A profile's next-page selector overrides the heuristics' next page (in ``found``)."""
    profile = page.profile
    assert profile is not None
    chosen = (
        _css_links(page.tree, page.url, profile.next_page_css)
        if profile.next_page_css
        else _xpath_links(page.html, page.url, profile.next_page_xpath or "")
    )
    chosen = [u for u in chosen if page.keep(u) and u != page.current]
    found.next_page = chosen[0] if chosen else None
    found.pager, found.next_is_guess = "profile", False
    if found.next_page and found.next_page not in found.page_links:
        found.page_links.insert(0, found.next_page)


def _article_links(
    page: _Page, pager: set[str], memo: LinkMemo
) -> tuple[list[str], list[tuple[LexborNode, str]]]:
    """The page's article links (a profile's selectors or patterns, else the heuristics), and
    the links found in datastore records (their rows give the links' dates)."""
    profile, url = page.profile, page.url
    fragments = datastore_fragments(page.tree) if profile is None or not profile.article_css else []
    data_links: list[tuple[LexborNode, str]] = []
    if profile is not None and profile.article_css:
        articles = _css_links(page.tree, url, profile.article_css)
    elif profile is not None and profile.article_xpath:
        articles = _xpath_links(page.html, url, profile.article_xpath)
    elif profile is not None and profile.article_patterns:
        # the best-looking block among the links the patterns accept (a sidebar of other
        # columns' articles matches the patterns too, but loses to the main list)
        pats = [re.compile(p) for p in profile.article_patterns]
        articles = []
        for fragment in fragments:  # a Hanweb list in datastore records, as below
            rows = [(n, h) for n, h in _anchors(fragment, url) if page.keep(h)]
            rows = [(n, h) for n, h in rows if any(p.search(h) for p in pats)]
            data_links.extend(rows)
            articles = articles or generic_articles(rows, pager, memo, min_mean=0.0)
        if not articles:
            matching = [(n, h) for n, h in page.links if any(p.search(h) for p in pats)]
            articles = generic_articles(matching, pager, memo, min_mean=0.0)
    else:
        articles = []
        # Hanweb-style pages carry their list in <script type="text/xml"> records
        for fragment in fragments:
            rows = [(n, h) for n, h in _anchors(fragment, url) if page.keep(h)]
            data_links.extend(rows)
            articles = articles or generic_articles(rows, pager, memo)
        if not articles:
            pager_nodes = [n for n, h in page.links if h in pager and h != page.current]
            pager_nodes += [
                n for n in page.tree.css("script") if _PAGER_SCRIPT_RE.search(n.text() or "")
            ]
            articles = generic_articles(page.links, pager, memo, pager_nodes=pager_nodes)
    if profile is not None and profile.article_patterns:
        pats = [re.compile(p) for p in profile.article_patterns]
        articles = [u for u in articles if any(p.search(u) for p in pats)]
    if profile is not None and profile.deny_patterns:
        deny = [re.compile(p) for p in profile.deny_patterns]
        articles = [u for u in articles if not any(p.search(u) for p in deny)]
    return articles, data_links


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
        memo = LinkMemo()
        rows = [(n, h) for f in bare_datastore_fragments(html) for n, h in _anchors(f, url)]
        articles = [u for u in generic_articles(rows, {url}, memo, min_mean=0.0) if keep(u)]
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
