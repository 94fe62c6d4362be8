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


def _match(sq: str, refs: list[tuple[str, float]]) -> float:
    """How well a candidate's squashed text matches the reference titles (0 = not at all)."""
    score = 0.0
    for ref, weight in refs:
        if sq == ref:
            score = max(score, weight)
        elif weight >= 8 and sq in ref and len(sq) >= 0.4 * len(ref):
            score = max(score, 6.0 * len(sq) / len(ref) + 2)
        elif weight >= 8 and ref in sq and len(ref) >= 0.6 * len(sq):
            score = max(score, 5.0)
    return score


#: CJK ideographs: NFKC leaves them alone, so raw text can be compared with squashed refs
_CJK_RE = re.compile(r"[\u3400-\u9fff]")


def _may_match(text: str, ref_chars: set[str] | None, ref_cjk: list[str]) -> bool:
    """Cheap necessary condition for :func:`_match`: a candidate inside a reference has its
    first ideograph among the reference's characters; a reference inside the candidate has its
    first ideograph in the candidate."""
    if ref_chars is None:
        return True  # a reference without ideographs: no cheap test applies
    m = _CJK_RE.search(text)
    if m is None or m.group() in ref_chars:
        return True
    return any(c in text for c in ref_cjk)


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


def find_title(
    root: Element, layout: Layout, meta: dict[str, str], title_tag: str | None
) -> tuple[Element | None, str | None, str]:
    """(headline element, title, method)."""
    parts = _title_parts(title_tag)
    site = squash(meta.get("site"))
    # (reference, weight when an element equals it)
    refs: list[tuple[str, float]] = [(squash(meta.get("title")), 10.0), (squash(title_tag), 10.0)]
    if len(parts) > 1:
        refs.append((squash(parts[0]), 8.0))
        refs += [(squash(p), 2.0) for p in parts[1:]]
    refs = [(r, w) for r, w in refs if len(r) >= 4 and r != site]
    if len(parts) <= 1 and not meta.get("title"):
        # a <title> without a suffix that the header/logo also shows is the site's name
        names = _chrome_names(layout, {r for r, _ in refs})
        refs = [(r, w) for r, w in refs if r not in names]
    best: tuple[float, Element, str, str] | None = None
    max_len = max((len(r) for r, _ in refs), default=0) * 2 + 4
    # wrappers (td > div > h1) repeat the same text: score each distinct text once
    seen: dict[str, tuple[str, str, float]] = {}
    # lengths a match can have (see _match), widened for NFKC changing a few characters
    lo = min(len(r) * (0.4 if w >= 8 else 1.0) for r, w in refs) * 0.7 - 2 if refs else 0.0
    hi = max(len(r) / (0.6 if w >= 8 else 1.0) for r, w in refs) * 1.25 + 2 if refs else 0.0
    ref_cjk = [m.group() for m in map(_CJK_RE.search, (r for r, _ in refs)) if m]
    ref_chars = set("".join(r for r, _ in refs)) if len(ref_cjk) == len(refs) else None
    # raw spans keep the template's indentation; a headline is never 6x whitespace, so longer
    # spans (containers) are skipped without slicing them
    raw_limit = min(1500, 6 * (max_len + 80))
    for el, (start, end) in layout.spans.items() if refs else ():
        if not 4 <= end - start <= raw_limit:
            continue
        tag = el.tag
        is_h = tag in ("h1", "h2", "h3", "h4")
        if not (is_h or tag in _TITLE_TAGS) and not _title_attrs(
            f"{el.get('id') or ''} {el.get('class') or ''}"
        ):
            continue  # never a headline: skip its text (most elements of a page)
        raw = layout.text[start:end]
        known = seen.get(raw)
        if known is None:
            words = raw.split()
            text = " ".join(words)
            n = len(text) - len(words) + 1
            if not 4 <= n <= max_len + 80:
                known = seen[raw] = (text, "", -1.0)
            elif not lo <= n <= hi or not _may_match(text, ref_chars, ref_cjk):
                known = seen[raw] = (text, "", 0.0)  # cannot match: skip NFKC (hot loop)
            else:
                sq = squash(text)
                ok = 4 <= len(sq) <= 240 and sq != site
                known = seen[raw] = (text, sq, _match(sq, refs) if ok else -1.0)
        text, sq, score = known
        if score < 0 or (not score and not is_h):
            continue  # no match (only a heading may still match by its leading text)
        if score < 8 and is_h:
            lead = _lead(el)
            if lead is not None and _match(squash(lead[1]), refs) > score:
                # <h1>title<br><span>date 来源 …</span></h1>: the info line sits in the heading;
                # its first child marks where the headline ends
                el, text = lead
                sq = squash(text)
                score = _match(sq, refs)
        if not score:
            continue
        attrs = f"{el.get('id') or ''} {el.get('class') or ''}"
        score += 1.5 if is_h else 0.0
        score += 1.0 if _title_attrs(attrs) else 0.0
        if el.tag == "a" or (el.getparent() is not None and el.getparent().tag == "a"):
            score -= 4
        if _in_chrome(el) or in_breadcrumb(el, layout):
            # site names and column names live in headers/footers/nav and breadcrumbs (where
            # a "column_site" <title>'s first part names the last crumb)
            score -= 6
        if best is None or score > best[0] or (score == best[0] and len(sq) > len(best[3])):
            best = (score, el, text, sq)
    if best is not None and best[0] >= 5.8:
        return best[1], best[2], "headline"
    for key, method in (("title", "meta"),):
        if meta.get(key):
            return None, meta[key], method
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
