"""The headline: which element is the article's title, and its text.

Candidates are headings and title-like blocks whose text equals (or nearly equals) the
government meta ``ArticleTitle``, ``og:title`` or ``<title>`` minus its site suffix. Elements in
headers/footers/nav and breadcrumbs are penalised so a site or column name never wins; when
nothing matches, the heading closest before the body is taken.
"""

from __future__ import annotations

import functools
import re

from lxml.html import HtmlElement as Element

from crawler.extract.crumbs import in_breadcrumb
from crawler.extract.layout import Layout
from crawler.extract.titlematch import TitleRefs, match_score
from textkit.normalise import squash

_TITLE_SPLIT_RE = re.compile(r"\s*(?:[_|｜]|--|—|-\s|\s-|>|::)\s*")
_CHROME_RE = re.compile(r"\b(?:header|footer|foot|top|nav|navbar|menu|logo|banner)\b", re.I)
#: a class/id naming the article's own part (article-header, news_top, detail-hd): not chrome
_ARTICLE_PART_RE = re.compile(r"arti|news|content|detail|post|title|text|main|info|wz|xw", re.I)
_TITLE_TAGS = frozenset(["td", "div", "p", "span", "font", "strong", "b"])
_TITLE_ATTR_RE = re.compile(r"title|biaoti|\bbt\b|headline|\btit\b|\bh1\b|arti_?tit", re.I)


@functools.lru_cache(maxsize=8192)
def _title_attrs(attrs: str) -> bool:
    return bool(_TITLE_ATTR_RE.search(attrs))


@functools.lru_cache(maxsize=8192)
def _chrome_attrs(attrs: str) -> bool:
    """A class or id token naming the page's header/footer/nav, not one of the article's own
    parts (``article-header``, ``news-top`` name the article's header)."""
    return any(
        _CHROME_RE.search(token) and not _ARTICLE_PART_RE.search(token) for token in attrs.split()
    )


def _title_parts(title_tag: str | None) -> list[str]:
    """``<title>`` split at site-suffix separators, in page order."""
    if not title_tag:
        return []
    return [p for p in _TITLE_SPLIT_RE.split(title_tag) if p.strip()]


def _in_chrome(el: Element) -> bool:
    """Inside a header/footer/nav block (site name and column names live there)."""
    node: Element | None = el
    depth = 0
    while node is not None and depth < 12:
        attrs = f"{node.get('id') or ''} {node.get('class') or ''}"
        if node.tag == "nav" or _chrome_attrs(attrs):
            return True
        if (
            node.tag in ("header", "footer")
            and next(node.iterancestors("article", "main"), None) is None
        ):
            return True  # a page's header; an <article>'s own <header> holds its headline
        node = node.getparent()
        depth += 1
    return False


def _lead(el: Element) -> tuple[Element, str] | None:
    """A heading's own text before its first child element, and that child."""
    if len(el) == 0 or not el.text or len(el.text.strip()) < 4:
        return None
    first = el[0]
    if not isinstance(first.tag, str):
        return None
    return first, " ".join(el.text.split())


def headline_end(layout: Layout, el: Element) -> int:
    """Where the headline's text ends in the page text: the end of the element
    :func:`find_title` returned, or, when that is the first child of a heading that opens with
    the title (``<h2>title<small>date 来源</small></h2>``), the start of that child, the info
    line."""
    start, end = layout.spans[el]
    parent = el.getparent()
    heading = parent is not None and parent.tag in ("h1", "h2", "h3", "h4")
    if heading and parent[0] is el and _lead(parent):
        return start
    return end


def _chrome_names(layout: Layout, candidates: set[str]) -> set[str]:
    """Those of ``candidates`` (squashed texts) that headers/logos/nav show (the site's name
    among them). Only elements whose text is a candidate have their ancestors looked at."""
    wanted = {c for c in candidates if 4 <= len(c) <= 40}
    names: set[str] = set()
    for el, (start, end) in layout.spans.items() if wanted else ():
        if end - start > 60:
            continue
        sq = squash(layout.text[start:end])
        if sq in wanted and sq not in names and _in_chrome(el):
            names.add(sq)
    return names


_HEADINGS = ("h1", "h2", "h3", "h4")
#: the least score an element needs to be taken as the headline
_HEADLINE_SCORE = 5.8
#: (score, element, text, squashed text) of the best headline candidate so far
_Candidate = tuple[float, Element, str, str]


def _references(
    layout: Layout, meta: dict[str, str], title_tag: str | None, parts: list[str], site: str
) -> list[tuple[str, float]]:
    """The reference titles a headline should equal, with the weight of an exact match.

    ``ArticleTitle`` and the whole ``<title>`` weigh most; of a ``<title>`` with a site suffix,
    its first part weighs nearly as much and the other parts (site, column) little.
    """
    refs: list[tuple[str, float]] = [(squash(meta.get("title")), 10.0), (squash(title_tag), 10.0)]
    if len(parts) > 1:
        refs.append((squash(parts[0]), 8.0))
        refs += [(squash(p), 2.0) for p in parts[1:]]
    refs = [(r, w) for r, w in refs if len(r) >= 4 and r != site]
    if len(parts) <= 1 and not meta.get("title"):
        # a <title> without a suffix that the header/logo also shows is the site's name
        names = _chrome_names(layout, {r for r, _ in refs})
        refs = [(r, w) for r, w in refs if r not in names]
    return refs


def _may_be_headline(el: Element) -> bool:
    """A heading, a title-like block, or an element whose class/id names a title."""
    tag = el.tag
    return (
        tag in _HEADINGS
        or tag in _TITLE_TAGS
        or _title_attrs(f"{el.get('id') or ''} {el.get('class') or ''}")
    )


def _placement(score: float, el: Element, is_h: bool, layout: Layout) -> float:
    """``score`` raised for a heading or a title class, lowered for a link and for page
    chrome: site names and column names live in headers/footers/nav and breadcrumbs (where a
    "column_site" <title>'s first part names the last crumb)."""
    attrs = f"{el.get('id') or ''} {el.get('class') or ''}"
    score += 1.5 if is_h else 0.0
    score += 1.0 if _title_attrs(attrs) else 0.0
    if el.tag == "a" or (el.getparent() is not None and el.getparent().tag == "a"):
        score -= 4
    if _in_chrome(el) or in_breadcrumb(el, layout):
        score -= 6
    return score


def _candidate(
    el: Element, known: tuple[str, str, float], refs: TitleRefs, layout: Layout
) -> _Candidate | None:
    """The element (or a heading's leading text) as a headline candidate, if it matches."""
    text, sq, score = known
    is_h = el.tag in _HEADINGS
    if score < 0 or (not score and not is_h):
        return None  # no match (only a heading may still match by its leading text)
    if score < 8 and is_h:
        lead = _lead(el)
        if lead is not None and match_score(squash(lead[1]), refs.refs) > score:
            # <h1>title<br><span>date 来源 …</span></h1>: the info line sits in the heading;
            # its first child marks where the headline ends
            el, text = lead
            sq = squash(text)
            score = match_score(sq, refs.refs)
    if not score:
        return None
    return _placement(score, el, is_h, layout), el, text, sq


def _best_headline(layout: Layout, refs: TitleRefs) -> _Candidate | None:
    """The highest-scoring candidate (the longer text on a tie)."""
    best: _Candidate | None = None
    # wrappers (td > div > h1) repeat the same text: score each distinct text once
    seen: dict[str, tuple[str, str, float]] = {}
    for el, (start, end) in layout.spans.items():
        if not 4 <= end - start <= refs.raw_limit or not _may_be_headline(el):
            continue  # never a headline: skip its text (most elements of a page)
        raw = layout.text[start:end]
        known = seen.get(raw)
        if known is None:
            known = seen[raw] = refs.score(raw)
        found = _candidate(el, known, refs, layout)
        if found is None:
            continue
        if (
            best is None
            or found[0] > best[0]
            or (found[0] == best[0] and len(found[3]) > len(best[3]))
        ):
            best = found
    return best


def find_title(
    root: Element, layout: Layout, meta: dict[str, str], title_tag: str | None
) -> tuple[Element | None, str | None, str]:
    """(headline element, title, method).

    The headline element when one matches the references well enough; else the meta title,
    else the first part of ``<title>``.
    """
    parts = _title_parts(title_tag)
    site = squash(meta.get("site"))
    refs = _references(layout, meta, title_tag, parts, site)
    best = _best_headline(layout, TitleRefs.of(refs, site)) if refs else None
    if best is not None and best[0] >= _HEADLINE_SCORE:
        return best[1], best[2], "headline"
    if meta.get("title"):
        return None, meta["title"], "meta"
    if parts:
        return None, parts[0], "title-tag"
    return None, None, "none"


def headline_near(
    layout: Layout, body_el: Element | None, meta: dict[str, str]
) -> tuple[Element, str] | None:
    """The heading closest before the body (when neither <title> nor meta names the title)."""
    if body_el is None or body_el not in layout.spans:
        return None
    body_start = layout.spans[body_el][0]
    site = squash(meta.get("site"))
    found: list[tuple[int, Element, str]] = []
    for el, (start, end) in layout.spans.items():
        if end > body_start + 200 or body_start - end > 1500 or end - start > 1500:
            continue
        attrs = f"{el.get('id') or ''} {el.get('class') or ''}"
        if el.tag not in ("h1", "h2", "h3", "h4") and not _title_attrs(attrs):
            continue
        text = " ".join(layout.text[start:end].split())
        sq = squash(text)
        if not 4 <= len(sq) <= 100 or sq == site or _in_chrome(el):
            continue
        found.append((abs(body_start - end), el, text))
    # a title block (div.title > h1 + the date line) ends nearer the body than its headline:
    # a candidate that opens with a candidate inside it is that headline's container
    best: tuple[int, Element, str] | None = None
    for distance, el, text in found:
        if any(text.startswith(t) and any(a is el for a in e.iterancestors()) for _, e, t in found):
            continue
        if best is None or distance < best[0]:
            best = (distance, el, text)
    return (best[1], best[2]) if best else None
