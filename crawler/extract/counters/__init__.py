"""View-count counters: turn an article page into one counter request, and its answer into a count.

Most government pages fill the view count in with a script, and most counter endpoints add a hit
when fetched. :func:`find_counter` picks one resolver by fingerprint (CMS families in
:mod:`.families`, else a counter ``<script src>`` next to a view label, see :mod:`.generic`, else
an inline AJAX call that fills the label's placeholder, see :mod:`.ajax`), or
the one a site profile names; it prefers read-only endpoints and never returns an endpoint that
records visits (Hanweb ``visit.jsp``). :func:`parse_counter` returns the normalised count: what a
reader saw before our request (our own hit subtracted when the request counted one; EmpireCMS's
read-only answer minus one). Pure: no I/O, no clock. The spider requests each counter at most once
per crawl.
"""

from __future__ import annotations

import functools

from crawler.extract.counters.ajax import ScriptAjaxResolver
from crawler.extract.counters.base import CounterRequest, Resolver, read_number
from crawler.extract.counters.families import FAMILIES
from crawler.extract.counters.generic import NEVER, GenericResolver, ProfileResolver
from crawler.sites.profile import SiteProfile

__all__ = ["FAMILY_RESOLVERS", "RESOLVERS", "CounterRequest", "find_counter", "parse_counter"]

#: after the CMS families: a counter script next to the label, then an inline AJAX call
FALLBACKS: tuple[Resolver, ...] = (GenericResolver(), ScriptAjaxResolver())
#: every resolver by name (the names stored as ``views_method``)
RESOLVERS: dict[str, Resolver] = {r.name: r for r in (*FAMILIES, *FALLBACKS)}
#: names of the CMS-family resolvers (fingerprinted, known endpoints), as opposed to guesses
FAMILY_RESOLVERS = frozenset(r.name for r in FAMILIES)
#: values of a profile's ``views.resolver`` that switch counters off for the site
DISABLED = ("none", "off", "static")


def _ordered(profile: SiteProfile | None) -> list[Resolver]:
    order: list[Resolver] = []
    if profile is not None and profile.view_url_template:
        order.append(
            ProfileResolver(
                profile.view_url_template, profile.view_pattern, profile.view_self_increments
            )
        )
    named = profile.view_resolver if profile is not None else None
    if named and named in RESOLVERS:
        order.append(RESOLVERS[named])
    order += [r for r in (*FAMILIES, *FALLBACKS) if r not in order]
    return order


@functools.lru_cache(maxsize=64)
def _needle_bytes(needles: tuple[str, ...]) -> tuple[bytes, ...]:
    return tuple(needle.lower().encode("ascii") for needle in needles)


def find_counter(html: str, url: str, profile: SiteProfile | None = None) -> CounterRequest | None:
    """The request that reads this article's view count, or None when the page shows none."""
    if profile is not None and profile.view_resolver in DISABLED:
        return None
    # one lower-cased copy for every resolver's needles (Resolver.needles, ASCII): the page's
    # UTF-8 bytes with A-Z folded, four times cheaper than str.lower() on Chinese text (which
    # maps every character). Only ASCII letters are folded: the needles are URL fragments,
    # and the Kelvin sign or a dotted İ never spell one
    lowered: bytes | None = None
    for resolver in _ordered(profile):
        if resolver.needles:
            if lowered is None:
                lowered = html.encode("utf-8", "surrogatepass").lower()
            if not any(needle in lowered for needle in _needle_bytes(resolver.needles)):
                continue
        request = resolver.find(html, url)
        if request is None or NEVER.search(request.url):
            continue
        if profile is not None and profile.view_self_increments is not None:
            request = CounterRequest(
                request.resolver,
                request.url,
                profile.view_self_increments,
                request.method,
                request.body,
                request.headers,
            )
        return request
    return None


def parse_counter(request: CounterRequest, body: str) -> int | None:
    """The count a reader saw before our request, from the counter's answer; None if unreadable."""
    resolver = RESOLVERS.get(request.resolver)
    if resolver is None:  # "profile" or a name from a newer version: generic reading
        raw = read_number(body)
        if raw is None:
            return None
        return max(0, raw - 1) if request.self_increments else raw
    raw = resolver.read(body)
    if raw is None:
        return None
    return max(0, resolver.normalise(raw, request))
