"""Pagers that a page's scripts draw in the browser, read from what the script states (pure).

A pager written by a script has no ``<a href>`` to follow, but the script states everything the
browser needs: how many pages there are, which one this is, and how page files are named. This
module reads that statement in its general shapes, not by CMS name:

- an **argument list**: a call whose arguments are a page count, the current page, a file stem
  and an extension, e.g. TRS WCM's ``createPageHTML(12, 1, "index", "html")`` or any copy of it
  under another name (numbers may be variables assigned earlier in the script);
- an **object literal** passed to a pager, e.g. ``Pager({size:15, current:0, prefix:'index',
  suffix:'html'})`` or ``{pageCount: 5, currentPage: 1}``: a count key and a current key, with
  optional stem/extension keys (parsed with chompjs, so quoting and spacing do not matter);
- **assignments**: ``var countPage = 12; var currentPage = 1`` (``pageCount``/``totalPage`` …)
  beside the current file's stem.

Pages are numbered as TRS and its copies do: page 0 is ``stem.ext``, page *n* is ``stem_n.ext``.
Reads no settings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

import chompjs

#: keys (lower-cased) that name the number of pages, the current page, the file stem, its ext
COUNT_KEYS = frozenset(
    {"size", "pagecount", "countpage", "totalpage", "totalpages", "pagetotal", "pages", "maxpage"}
)
CURRENT_KEYS = frozenset(
    {"current", "currentpage", "curpage", "cur", "pageindex", "nowpage", "pageno", "curr"}
)
_STEM_KEYS = ("prefix", "stem", "name", "filename", "pagename", "basename")
_EXT_KEYS = ("suffix", "ext", "extension", "filetype", "postfix")
#: extensions of static list pages; an argument list ending in one of them names page files
PAGE_EXTS = "s?html?|jhtml|jsp|php|aspx?"
_ARGS_RE = re.compile(
    r"\b\w+\(\s*(?:(['\"])[\w-]*\1\s*,\s*)?(\w+)\s*,\s*(\w+)\s*,\s*"
    rf"(['\"])([\w.-]+)\4\s*,\s*(['\"])\.?({PAGE_EXTS})\6",
    re.I,
)
_VAR_RE = re.compile(r"\b(\w+)\s*=\s*(?:(\d+)\b|(['\"])([^'\"\n]*)\3)")
_FILE_RE = re.compile(rf"^([a-z][\w-]*?)(?:_(\d+))?\.({PAGE_EXTS})$", re.I)
MAX_PAGES = 500
_OBJECT_START_RE = re.compile(r"[(=:,\[]\s*\{")
_MAX_OBJECTS = 200


@dataclass(frozen=True)
class ScriptPager:
    """A page series stated by a script: ``total`` pages, this page's 0-based ``index``."""

    kind: str  # "script_call" | "object_literal" | "script_vars"
    total: int
    index: int
    stem: str
    ext: str

    def url(self, base: str, n: int) -> str:
        """Page ``n`` (0-based) of the series, absolute against ``base``."""
        return urljoin(base, f"{self.stem}.{self.ext}" if n == 0 else f"{self.stem}_{n}.{self.ext}")

    def next_url(self, base: str) -> str | None:
        return self.url(base, self.index + 1) if self.index + 1 < self.total else None

    def all_urls(self, base: str) -> list[str]:
        return [self.url(base, n) for n in range(min(self.total, MAX_PAGES)) if n != self.index]


@lru_cache(maxsize=8)
def script_vars(scripts: str) -> dict[str, str]:
    """``name = 12`` / ``name = 'text'`` assignments of a script, last one winning (cached:
    each pager reader asks for the same page's scripts; callers do not mutate the dict)."""
    return {m.group(1): m.group(2) or m.group(4) for m in _VAR_RE.finditer(scripts)}


def _int(value: object, variables: dict[str, str]) -> int | None:
    text = str(variables.get(value, value)) if isinstance(value, str) else str(value)
    return int(text) if text.isdigit() else None


def _file_of(url: str) -> tuple[str, str, int] | None:
    """``(stem, ext, n)`` of a URL's file name (``index_3.html`` -> index, html, 3)."""
    name = urlsplit(url).path.rsplit("/", 1)[-1] or "index.html"
    m = _FILE_RE.match(name)
    return (m.group(1), m.group(3), int(m.group(2) or 0)) if m else None


def _series(kind: str, url: str, total: int, current: int, stem: str, ext: str) -> ScriptPager:
    """The series, with this page's index read from its URL when it is a file of the series
    (scripts count from 0 or from 1; the file name says which page this is)."""
    here = _file_of(url)
    if here is not None and here[0].lower() == stem.lower():
        current = here[2]
    return ScriptPager(kind, total, current, stem, ext)


def walk_objects(scripts: str) -> Iterator[dict[str, Any]]:
    """Every object literal of the scripts that chompjs can read, nested ones included.

    Each ``{`` that opens a value (after ``(``, ``=``, ``:``, ``,`` or ``[``) is tried on its
    own, so a function body that is not an object (``ready(function(){ … })``) does not hide
    the config objects inside it.
    """
    for m in list(_OBJECT_START_RE.finditer(scripts))[:_MAX_OBJECTS]:
        try:
            obj: object = chompjs.parse_js_object(scripts[m.end() - 1 :])
        except (ValueError, TypeError):
            continue
        stack: list[object] = [obj]
        while stack:
            node = stack.pop(0)
            if isinstance(node, dict):
                yield node
                stack.extend(v for v in node.values() if isinstance(v, dict))


def _from_call(scripts: str, url: str) -> ScriptPager | None:
    m = _ARGS_RE.search(scripts)
    if m is None:
        return None
    variables = script_vars(scripts[: m.start()])
    total, current = _int(m.group(2), variables), _int(m.group(3), variables)
    if total is None or current is None:
        return None
    return _series("script_call", url, total, current, m.group(5), m.group(7))


def _from_object(scripts: str, url: str) -> ScriptPager | None:
    variables = script_vars(scripts)
    own = _file_of(url) or ("index", "html", 0)
    for obj in walk_objects(scripts):
        keys = {str(k).lower(): v for k, v in obj.items()}
        count = next((_int(keys[k], variables) for k in COUNT_KEYS if k in keys), None)
        current = next((_int(keys[k], variables) for k in CURRENT_KEYS if k in keys), None)
        if count is None or current is None:
            continue
        if not any(k in keys for k in _STEM_KEYS) and (
            not any(k in keys for k in COUNT_KEYS - {"size", "pages"})
            or any(isinstance(v, str) and "/" in v for v in keys.values())
        ):
            # without a file stem, only an unmistakable page count (not a carousel's
            # size/pages), and no request URL of its own (an AJAX pager, not numbered files)
            continue
        stem = next((str(keys[k]) for k in _STEM_KEYS if isinstance(keys.get(k), str)), own[0])
        ext = next((str(keys[k]) for k in _EXT_KEYS if isinstance(keys.get(k), str)), own[1])
        if re.fullmatch(r"[\w-]+", stem) and re.fullmatch(rf"\.?({PAGE_EXTS})", ext, re.I):
            return _series("object_literal", url, count, current, stem, ext.lstrip("."))
    return None


def _from_vars(scripts: str, url: str) -> ScriptPager | None:
    variables = {k.lower(): v for k, v in script_vars(scripts).items()}
    # a bare ``size``/``pages``/``cur`` variable is too common to mean a pager by itself
    counts = sorted(COUNT_KEYS - {"size", "pages"})
    currents = sorted(CURRENT_KEYS - {"cur", "curr", "current"})
    count = next((_int(variables[k], {}) for k in counts if k in variables), None)
    current = next((_int(variables[k], {}) for k in currents if k in variables), None)
    if count is None or current is None:
        return None
    stem, ext, _ = _file_of(url) or ("index", "html", 0)
    return _series("script_vars", url, count, current, stem, ext)


def script_pager(scripts: str, url: str) -> ScriptPager | None:
    """The page series the inline scripts state, if any (argument list, object, assignments)."""
    if not scripts.strip():
        return None
    for reader in (_from_call, _from_object, _from_vars):
        found = reader(scripts, url)
        if found is not None and found.total > 0:
            return found
    return None


#: navigation code of an onclick / javascript: link: the URL literal it sends the browser to
_NAV_RE = re.compile(
    r"(?:location(?:\.href)?\s*=|location\.(?:assign|replace)\s*\(|window\.open\s*\(|"
    r"\w+\s*\()\s*(?:encodeURI(?:Component)?\s*\(\s*)?(['\"])([^'\"\s]+)\1"
)
_URLISH_RE = re.compile(rf"[/?]|\.(?:{PAGE_EXTS})(?:[?#]|$)", re.I)


def script_href(code: str) -> str | None:
    """The page URL that an ``onclick`` or ``javascript:`` handler navigates to, if literal.

    ``location.href=encodeURI('index_2.jhtml')``, ``window.open('list_3.html')``,
    ``goPage('?page=3')``: a string literal that looks like a URL (a path, a query, or a page
    file name). Numbers-only calls (``goPage(3)``) say nothing about the URL and give None.
    """
    for m in _NAV_RE.finditer(code):
        value = m.group(2)
        if _URLISH_RE.search(value) and not value.lower().startswith(("javascript:", "#")):
            return value
    return None


__all__ = ["ScriptPager", "script_href", "script_pager", "script_vars", "walk_objects"]
