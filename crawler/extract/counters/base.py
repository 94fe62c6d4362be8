"""The counter request type, the resolver base class and helpers shared by all resolvers.

A resolver turns an article page into one follow-up request (:meth:`Resolver.find`) and that
request's response into the count a reader saw before our visit (:meth:`Resolver.parse`). Pure:
no I/O, no clock.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit


@dataclass(frozen=True)
class CounterRequest:
    """One request that reads an article's view count, and how to interpret its answer."""

    resolver: str
    url: str
    #: True when fetching ``url`` adds a hit (then :func:`parse_counter` subtracts our own)
    self_increments: bool
    method: str = "GET"
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def key(self) -> tuple[str, str, bytes]:
        """What makes two counter requests the same request: one endpoint URL often serves
        every article, told apart only by the POST body (Epoint-style AJAX counters)."""
        return (self.method.upper(), self.url, self.body or b"")


class Resolver:
    """One CMS family: fingerprint + request builder + response reader."""

    name: ClassVar[str] = ""
    #: whether the family's endpoint adds a hit when read (the table in issue 4)
    self_increments: ClassVar[bool] = False
    #: lower-case strings of which a page must hold at least one for :meth:`find` to match
    #: (empty: no such string). :func:`crawler.extract.counters.find_counter` looks for them
    #: in the lower-cased page, one C scan each, before running the resolver's expressions:
    #: those start at every quote of a 70 kB page and cost 1-2.5 ms a page each.
    needles: ClassVar[tuple[str, ...]] = ()

    def find(self, html: str, url: str) -> CounterRequest | None:
        raise NotImplementedError

    def read(self, body: str) -> int | None:
        """The raw number in the endpoint's answer."""
        return read_number(body)

    def normalise(self, raw: int, request: CounterRequest) -> int:
        """What a reader saw before our request: our own hit taken off when it counted."""
        return raw - 1 if request.self_increments else raw

    def request(self, url: str, **kw: object) -> CounterRequest:
        self_inc = kw.pop("self_increments", self.self_increments)
        assert isinstance(self_inc, bool)
        return CounterRequest(self.name, url, self_inc, **kw)  # type: ignore[arg-type]


_WRITE_RE = re.compile(
    r"""(?:document\.write(?:ln)?|\.html|\.text|\.innerHTML\s*=|\.innerText\s*=|\.val)"""
    r"""\s*\(?\s*(?:['"]\s*)?(\d[\d,]*)"""
)
_JSON_RE = re.compile(
    r""""(?:count|views?|hits?|clicks?|click|pv|visits?|readCount|viewCount|total)"\s*:\s*"?(\d+)""",
    re.I,
)
_BARE_RE = re.compile(r"^\s*[(\['\"]*\s*(\d[\d,]*)\s*['\")\]]*\s*;?\s*$")


def to_int(text: str) -> int | None:
    digits = text.replace(",", "")
    return int(digits) if digits.isdigit() else None


def read_number(body: str) -> int | None:
    """``document.write('N')``, ``.html('N')``, JSON/JSONP ``{"count": N}`` or a bare number."""
    body = body.strip().lstrip("\ufeff")
    m = _BARE_RE.match(body)
    if m:
        return to_int(m.group(1))
    m = _JSON_RE.search(body)
    if m:
        return int(m.group(1))
    found = _WRITE_RE.findall(body)
    if found:
        return to_int(found[-1])
    return None


def absolute(page_url: str, ref: str) -> str:
    """Resolve a script/AJAX URL from a page: HTML entities, protocol-relative and relative."""
    ref = htmllib.unescape(ref).strip()
    return urljoin(page_url, ref)


def with_query(url: str, drop: tuple[str, ...] = (), add: Mapping[str, str] | None = None) -> str:
    """``url`` with some query parameters removed and others set, order otherwise kept."""
    parts = urlsplit(url)
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in drop]
    if add:
        present = {k for k, _ in pairs}
        pairs = [(k, add.get(k, v)) for k, v in pairs]
        pairs += [(k, v) for k, v in add.items() if k not in present]
    return urlunsplit(parts._replace(query=urlencode(pairs, safe="/:,")))


def query_value(url: str, *names: str) -> str | None:
    params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    for name in names:
        if params.get(name):
            return params[name]
    return None


SCRIPT_SRC_RE = re.compile(
    r"""<script\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>""", re.I
)


def script_srcs(html: str) -> list[tuple[int, str]]:
    """(position, src) of every ``<script src>`` in the page."""
    return [
        (m.start(), m.group(1) or m.group(2) or m.group(3) or "")
        for m in SCRIPT_SRC_RE.finditer(html)
    ]
