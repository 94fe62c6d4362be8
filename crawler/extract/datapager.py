"""Pagers whose later pages are data requests, not HTML pages (pure; no I/O).

Two general shapes, both read from the page's own scripts:

- a **data proxy with records**: Hanweb JCMS ``jpage`` columns ship the first group of entries
  as ``<record>``s of a ``<script type="text/xml"><datastore>`` and a config object
  (``perPage``, ``totalRecord``, ``proxyUrl``, ``groupSize``); the browser fetches the rest
  from the proxy with ``startrecord``/``endrecord``/``perpage`` plus the parameters of the
  datastore's ``<nextgroup>`` link (``columnid``, ``unitid`` …). The next "page" is that proxy
  URL, and the proxy's answer is another datastore (:mod:`crawler.extract.datastore`).
- a **JSON list endpoint**: the page calls ``$.ajax({url, data: {pageNo: 1 …}})``,
  ``$.getJSON('/api/list?page=1')``, ``fetch(…)``; the next page is the endpoint with its page
  parameter, and its answer is read by :func:`json_listing` (the largest array of objects whose
  ``url``/``link``/``href`` fields are the article links; ``total``/``pages`` fields give the
  size).

Parameters go in the query string of a GET: the servlets and PHP scripts behind these pagers
read request parameters from the query as well as from a form body. Reads no settings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import chompjs
from w3lib.url import add_or_replace_parameters

from crawler.extract.scriptpager import script_vars, walk_objects

PAGE_KEYS = frozenset(
    {"page", "p", "pageno", "pagenum", "pageindex", "curpage", "currentpage", "pn", "page_no"}
)
_ITEM_KEYS = frozenset(
    {"total", "totalcount", "totalrecord", "totalrecords", "totalelements", "recordcount"}
)
_PAGES_KEYS = frozenset({"pages", "totalpage", "totalpages", "pagecount", "pagetotal"})
_NEXTGROUP_RE = re.compile(r"<nextgroup>\s*<!\[CDATA\[.*?href=['\"]([^'\"]+)", re.S | re.I)
_TOTAL_TAG_RE = re.compile(r"<totalrecord>\s*(\d+)", re.I)
_CALL_RE = re.compile(
    r"(?:getJSON|fetch|\$\.get|\$\.post|axios\.(?:get|post))\s*\(\s*(['\"])([^'\"]+)\1"
)
_URL_KEY_RE = re.compile(r"url|link|href|path", re.I)
#: the record's own page, before any other URL field it carries (an image, an attachment)
_PAGE_KEYS = ("url", "link", "href", "linkurl", "detailurl", "articleurl", "pageurl", "docpuburl")
_MEDIA_KEY_RE = re.compile(r"img|pic|image|thumb|icon|cover|logo|photo|video|file|attach", re.I)
_URL_VALUE_RE = re.compile(r"^(?:https?://|/|\./|\.\./)|\.(?:s?html?|jhtml|jsp|php|aspx?)(?:\?|$)")


@dataclass(frozen=True)
class DataPage:
    """The next data request of a column and the size the page declares."""

    kind: str  # "jpage" | "json"
    next_page: str | None
    declared_pages: int | None = None
    declared_items: int | None = None
    #: articles of a data answer (JSON records); empty for HTML pages
    articles: list[str] = field(default_factory=list)
    guess: bool = False


def _lower(obj: dict[str, Any]) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in obj.items()}


def _num(value: object) -> int | None:
    return value if isinstance(value, int) and value >= 0 else None


def jpage(scripts: str, records: int, url: str) -> DataPage | None:
    """The proxy request for the records after the ``records`` a jpage page ships.

    Without a config object (``totalRecord`` unknown) the datastore's ``<nextgroup>`` link is
    still the proxy: the next group is requested as a guess, one group as large as the page's.
    """
    config = next(
        (o for o in map(_lower, walk_objects(scripts)) if "totalrecord" in o and "perpage" in o),
        {},
    )
    link = _NEXTGROUP_RE.search(scripts)
    if not config and (link is None or not records):
        return None
    total, per = _num(config.get("totalrecord")), _num(config.get("perpage"))
    if config and (total is None or not per):
        return None
    per = per or records
    group = per * (_num(config.get("groupsize")) or (3 if config else 1))
    proxy = config.get("proxyurl") or (link.group(1) if link else None)
    declared = -(-total // per) if total is not None else None
    if not isinstance(proxy, str) or (total is not None and records >= total):
        return DataPage("jpage", None, declared, total)
    params = dict(parse_qsl(urlsplit(link.group(1)).query)) if link else {}
    params.pop("page", None)
    params.update(
        {"startrecord": str(records + 1), "endrecord": str(records + group), "perpage": str(per)}
    )
    target = add_or_replace_parameters(urljoin(url, proxy.split("?")[0]), params)
    return DataPage("jpage", target, declared, total, guess=total is None)


def proxy_next(raw: str, records: int, url: str) -> DataPage | None:
    """The next proxy request after a proxy answer (``startrecord``/``endrecord`` in ``url``)."""
    query = {k.lower(): v for k, v in parse_qsl(urlsplit(url).query)}
    if not (query.get("startrecord", "").isdigit() and query.get("endrecord", "").isdigit()):
        return None
    start, end = int(query["startrecord"]), int(query["endrecord"])
    size = end - start + 1
    total = _TOTAL_TAG_RE.search(raw)
    last = int(total.group(1)) if total else None
    if records < size or (last is not None and end >= last):
        return DataPage("jpage", None, declared_items=last)
    params = {"startrecord": str(end + 1), "endrecord": str(end + size)}
    return DataPage("jpage", add_or_replace_parameters(url, params), declared_items=last)


def _resolve(value: object, variables: dict[str, str]) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return variables.get(value, value) if re.fullmatch(r"[\w./:-]*", value) else None
    return None


def json_endpoint(scripts: str, url: str) -> DataPage | None:
    """The first page of a JSON list endpoint that the page's scripts call, if any."""
    variables = script_vars(scripts)
    calls: list[tuple[str, dict[str, Any]]] = [(m.group(2), {}) for m in _CALL_RE.finditer(scripts)]
    for obj in walk_objects(scripts):
        data = obj.get("data")
        if isinstance(obj.get("url"), str):
            calls.append((obj["url"], data if isinstance(data, dict) else {}))
    for target, data in calls:
        params = {str(k): v for k, v in parse_qsl(urlsplit(target).query)}
        for key, value in data.items():
            if (resolved := _resolve(value, variables)) is not None:
                params[str(key)] = resolved
        page_key = next((k for k in params if k.lower() in PAGE_KEYS), None)
        if page_key is None or target.lower().split("?")[0].endswith((".js", ".css")):
            continue
        if not params[page_key].isdigit():
            params[page_key] = "1"
        endpoint = add_or_replace_parameters(urljoin(url, target.split("?")[0]), params)
        return DataPage("json", endpoint, guess=True)
    return None


def _records(doc: object) -> list[dict[str, Any]]:
    """The largest array of objects anywhere in a JSON document."""
    best: list[dict[str, Any]] = []
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            dicts = [n for n in node if isinstance(n, dict)]
            if len(dicts) > len(best):
                best = dicts
            stack.extend(node)
    return best


def _declared(doc: object, keys: frozenset[str]) -> int | None:
    stack = [doc]
    while stack:
        node = stack.pop(0)
        if isinstance(node, dict):
            for k, v in node.items():
                if str(k).lower() in keys and (n := _num(v)) is not None:
                    return n
            stack.extend(v for v in node.values() if isinstance(v, dict))
    return None


def _record_link(record: dict[str, Any]) -> str | None:
    """The URL of the page a JSON record stands for, if it carries one."""
    fields = {str(k).lower(): v for k, v in record.items() if isinstance(v, str)}
    keys = [k for k in _PAGE_KEYS if k in fields] + [
        k for k in fields if _URL_KEY_RE.search(k) and not _MEDIA_KEY_RE.search(k)
    ]
    for key in keys:
        if _URL_VALUE_RE.search(fields[key].strip()):
            return fields[key].strip()
    return None


def json_listing(text: str, url: str) -> DataPage | None:
    """Article links, size and next page of a JSON (or JSONP) list endpoint's answer."""
    try:
        doc = json.loads(text)
    except ValueError:
        try:
            doc = chompjs.parse_js_object(text)
        except ValueError:
            return None
    articles = [urljoin(url, link) for r in _records(doc) if (link := _record_link(r))]
    items, pages = _declared(doc, _ITEM_KEYS), _declared(doc, _PAGES_KEYS)
    query = dict(parse_qsl(urlsplit(url).query))
    page_key = next((k for k in query if k.lower() in PAGE_KEYS and query[k].isdigit()), None)
    nxt = None
    if page_key is not None and articles:
        page = int(query[page_key])
        size = len(_records(doc))
        more = pages is None or page < pages
        if items is not None:
            more = more and page * size < items
        nxt = add_or_replace_parameters(url, {page_key: str(page + 1)}) if more else None
    guess = pages is None and items is None
    return DataPage("json", nxt, pages, items, list(dict.fromkeys(articles)), guess)


__all__ = ["DataPage", "jpage", "json_endpoint", "json_listing", "proxy_next"]
