"""The next page of an article that its CMS split over several pages (pure; no I/O).

A long report or a photo story is cut into pages that carry the same headline, each with a part
of the body and a pager under it: ``123.html`` → ``123_2.html`` (DedeCMS, EmpireCMS),
``t20240612_456.html`` → ``t20240612_456_1.html`` (TRS: its second page is ``_1``),
``show-12-345-1.html`` → ``show-12-345-2.html`` (PHPCMS). What tells such a page from the next
*article* (``124.html``) is its address: the same directory and extension, and a file name that is
the current one with a page number added (``_N``/``-N``), or with its last number raised where
the first page's is a 1 after a separator and another number (the page number of a PHPCMS
address).
The link must read as a pager's: a number, or 下一页 and its variants; or the pager is drawn by
a script from its arguments, with the article's own file name among them (TRS's
``createPageHTML(3, 0, "t20240612_456", "html")``).

:func:`next_part` returns the first page after the current one (the link reading 下一页, else
the lowest page number above the current one). A regular expression over the raw page finds
candidate addresses first, so the ordinary article (most of them) is never parsed twice.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from crawler.extract.html import parse_html
from crawler.extract.scriptpager import script_pager

#: how a pager link to the next part reads
_NEXT_TEXT_RE = re.compile(r"^(?:下一?页|下页|后一?页|下一頁|next|›|»|>)$", re.IGNORECASE)
_NUMBER_TEXT_RE = re.compile(r"^\[?\d{1,3}\]?$")
#: a file name: stem and extension
_FILE_RE = re.compile(r"^(?P<stem>[^/]+?)(?P<ext>\.[A-Za-z]{2,5})?$")
#: a stem whose last number may be a page number: another number, a separator, a number; it is
#: one only where the first page's is 1 (``show-12-345-1``), not a document id (``t20240612_456``)
_PAGED_STEM_RE = re.compile(r"^(?P<head>.*\d[_-])(?P<page>\d{1,3})$")
#: the most parts followed for one article
MAX_PARTS = 50


def _split(url: str) -> tuple[str, str, str] | None:
    """(directory, stem, extension) of ``url``'s path, query and fragment dropped."""
    path = urlsplit(url).path
    directory, _, name = path.rpartition("/")
    m = _FILE_RE.match(name)
    if m is None:
        return None
    return directory, m.group("stem"), m.group("ext") or ""


def _part_number(base: tuple[str, str, str], url: str) -> int | None:
    """The page number of ``url`` as a part of the article at ``base``, or None if it is not
    one: ``stem_N``/``stem-N`` (N ≥ 1), or a paged stem with another page number."""
    split = _split(url)
    if split is None or split[0] != base[0] or split[2] != base[2]:
        return None
    stem, other = base[1], split[1]
    m = re.fullmatch(re.escape(stem) + r"[_-](\d{1,3})", other)
    if m is not None:
        return int(m.group(1))
    mine, theirs = _PAGED_STEM_RE.match(stem), _PAGED_STEM_RE.match(other)
    if mine and theirs and mine.group("page") == "1" and mine.group("head") == theirs.group("head"):
        return int(theirs.group("page"))
    return None


def _current_number(base: tuple[str, str, str], first: tuple[str, str, str] | None) -> int:
    """This page's own number in the series: 0 for the first page (``stem``), else its N."""
    if first is None or first == base:
        paged = _PAGED_STEM_RE.match(base[1])
        return 1 if paged and paged.group("page") == "1" else 0
    number = _part_number(first, f"{base[0]}/{base[1]}{base[2]}")
    return number if number is not None else 0


def _screen(first: tuple[str, str, str]) -> re.Pattern[str]:
    """What a page linking to a later part of the article at ``first`` must contain: the file
    name with a page number added, or (a PHPCMS first page) with its page number changed."""
    ext = re.escape(first[2])
    # literal-led, so that the search skips along the page: the name of a later page, or the
    # file name as a script's argument (a string before a comma)
    forms = [re.escape(first[1]) + r"(?:[_-]\d{1,3}" + ext + "|[\"']\\s*,)"]
    paged = _PAGED_STEM_RE.match(first[1])
    if paged and paged.group("page") == "1":
        forms.append(re.escape(paged.group("head")) + r"\d{1,3}" + ext)
    return re.compile("|".join(forms))


def _script_drawn(root: Any, url: str, first: tuple[str, str, str]) -> str | None:
    """The next page of a pager that a script draws from its arguments, naming the article's
    own file (TRS: ``createPageHTML(3, 0, "t20240612_456", "html")``), if the page has one."""
    scripts = "\n".join(el.text or "" for el in root.iter("script"))
    pager = script_pager(scripts, url)
    if pager is None or pager.kind != "script_call" or pager.stem != first[1]:
        return None
    return pager.next_url(url)


def next_part(html: str, url: str, first_url: str | None = None) -> str | None:
    """The address of the next page of the article ``url`` (a later part of the article first
    read at ``first_url``), or None when it has no next page."""
    first = _split(first_url or url)
    here = _split(url)
    if first is None or here is None:
        return None
    if not _screen(first).search(html):
        return None
    current = _current_number(here, first)
    best: tuple[int, int, str] | None = None  # (not 下一页, number, url)
    root = parse_html(html)
    drawn = _script_drawn(root, url, first)
    if (
        drawn is not None
        and (number := _part_number(first, drawn)) is not None
        and number > current
    ):
        best = (0, number, drawn)
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        text = "".join(a.itertext()).strip()
        is_next = bool(_NEXT_TEXT_RE.match(text))
        if not href or not (is_next or _NUMBER_TEXT_RE.match(text)):
            continue
        target = urljoin(url, href)
        number = _part_number(first, target)
        if number is None or number <= current:
            continue
        rank = (0 if is_next else 1, number, target.split("#")[0])
        best = rank if best is None or rank < best else best
    return best[2] if best else None


__all__ = ["MAX_PARTS", "next_part"]
