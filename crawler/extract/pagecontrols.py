"""Pager controls that are not links: ``<select>`` page lists and 共N页 / 第N页 text (pure).

Many column templates offer a drop-down of every page beside (or instead of) their links, and
most print the column's size: ``共12页 当前第1页``, ``1/12页``, ``页次：1/12``,
``共173条 每页15条``.
The drop-down is a page list when its options are page numbers and each option leads to a URL:
its value is a URL, or the ``onchange`` handler builds one around ``this.value``
(``location.href='index_'+this.value+'.html'``). The printed size tells how many pages a
complete crawl of the column reaches (:mod:`crawler.spiders.district` records it) and where the
last page is. Reads no settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser
from w3lib.html import remove_tags, remove_tags_with_content, replace_entities

from crawler.extract.scriptpager import script_href

_PAGES_RE = re.compile(
    r"共\s*(?P<pages>\d{1,5})\s*页|(?P<cur>\d{1,5})\s*/\s*(?P<of>\d{1,5})\s*页"
    r"|页次\s*[:：]?\s*(?P<cur2>\d{1,5})\s*/\s*(?P<of2>\d{1,5})"
)
_CURRENT_RE = re.compile(r"(?:当前)?第\s*(\d{1,5})\s*页|当前页?\s*[:：]?\s*(\d{1,5})(?!\s*条)")
_ITEMS_RE = re.compile(r"(?:共|总共|共有|总计)\s*(\d{1,7})\s*条")
_PER_PAGE_RE = re.compile(r"每页\s*(?:显示)?\s*(\d{1,4})\s*条")
_OPTION_TEXT_RE = re.compile(r"^\D{0,2}\d{1,5}\D{0,2}$")
_VALUE_TEMPLATE_RE = re.compile(
    r"(['\"])([^'\"]*)\1\s*\+\s*this(?:\.options\[\s*this\.selectedIndex\s*\])?\.value"
    r"(?:\s*\+\s*(['\"])([^'\"]*)\3)?"
)


@dataclass(frozen=True)
class PageText:
    """What the page prints about its column's size (None where it prints nothing)."""

    current: int | None = None  # 1-based
    pages: int | None = None
    items: int | None = None


def statement_text(html: str, window: int = 100, most: int = 40) -> str:
    """The visible text before each 页/条 of the page, where it would state its size: far
    cheaper than the whole page's text on long pages (``str.find``, not a regex scan)."""
    spans: list[tuple[int, int]] = []
    for char in "页条":
        at = html.find(char)
        while at != -1 and len(spans) < most:
            spans.append((max(at - window, 0), at + 1))
            at = html.find(char, at + 1)
    return " ".join(visible_text(html[a:b]) for a, b in sorted(spans))


def visible_text(html: str) -> str:
    """The text without scripts, styles and tags (w3lib), entities decoded."""
    text = remove_tags_with_content(html, which_ones=("script", "style", "textarea"))
    return re.sub(r"\s+", " ", replace_entities(remove_tags(text)))


def page_text(text: str) -> PageText:
    """共N页 / N/M页 / 页次 / 第N页 / 共N条 (每页M条) read from the visible text."""
    pages = current = items = None
    m = _PAGES_RE.search(text)
    if m is not None:
        pages = int(m.group("pages") or m.group("of") or m.group("of2"))
        if m.group("cur") or m.group("cur2"):
            current = int(m.group("cur") or m.group("cur2"))
    if current is None and (c := _CURRENT_RE.search(text)) is not None:
        current = int(c.group(1) or c.group(2))
    if (i := _ITEMS_RE.search(text)) is not None:
        items = int(i.group(1))
        per = _PER_PAGE_RE.search(text)
        if pages is None and per is not None and int(per.group(1)) > 0:
            pages = -(-items // int(per.group(1)))
    if pages is not None and (pages == 0 or (current is not None and current > pages)):
        pages = current = None  # not a pager's statement
    return PageText(current, pages, items)


def select_pages(tree: LexborHTMLParser, base: str) -> tuple[list[str], int | None] | None:
    """``(page URLs in order, index of this page)`` of a ``<select>`` listing the pages."""
    for select in tree.css("select"):
        options = select.css("option")
        if len(options) < 2:
            continue
        handler = select.attributes.get("onchange") or ""
        template = _VALUE_TEMPLATE_RE.search(handler)
        urls: list[str] = []
        selected: int | None = None
        for i, option in enumerate(options):
            text = (option.text(deep=True, strip=True) or "").strip()
            value = (option.attributes.get("value") or text).strip()
            if not _OPTION_TEXT_RE.match(text):
                break
            if template is not None:
                value = template.group(2) + value + (template.group(4) or "")
            elif script_href(f"location.href='{value}'") is None:
                break
            urls.append(urljoin(base, value))
            if "selected" in option.attributes:
                selected = i
        else:
            # page numbers 1..n, not years or other choices that also lead to URLs
            numbers = [int(re.sub(r"\D", "", o.text(deep=True) or "")) for o in options]
            if numbers != list(range(1, len(numbers) + 1)):
                continue
            here = urls.index(base) if base in urls else None
            return urls, selected if selected is not None else here
    return None


__all__ = ["PageText", "page_text", "select_pages", "statement_text", "visible_text"]
