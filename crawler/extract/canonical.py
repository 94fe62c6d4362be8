"""One URL per article: the canonical form of a link, and when a page's own canonical wins.

:func:`clean_url` is what the spider requests and stores: w3lib's ``canonicalize_url`` (Scrapy's
own: lower-case host, sorted query, normalised percent-escapes, no fragment) after dropping what
never names a different page: ``;jsessionid=`` path parameters, repeated slashes in the path, and
share/tracking query parameters (``utm_*``, ``from``, ``spm`` …). The list of parameters is ours
and short on purpose: courlan's tracker pattern also drops ``cid``/``source``, which Chinese
CMSs use to name the column or the article.

:func:`preferred_url` lets a page's ``<link rel=canonical>`` name the article when it is on the
same host and the same path (up to a ``.htm``/``.html`` alias or repeated slashes) with a subset
of the fetched URL's query: templates that point every page at the home page, the column, or a
query-less ``show.php`` would otherwise fold a whole column into one row. Anything else that is
the same article under another URL is caught by its content hash at storage.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from w3lib.url import canonicalize_url, url_query_cleaner

#: query parameters added by sharing and campaign links (WeChat ``from=singlemessage``, …)
SHARE_PARAMS = frozenset(
    {"from", "spm", "isappinstalled", "scene", "clicktime", "enterid", "share_token", "wxfrom"}
)
_SHARE_PREFIXES = ("utm_",)
_SESSION_PARAM = re.compile(r";(?:jsessionid|phpsessid|sid)=[^/?#;]*", re.IGNORECASE)
_SLASHES = re.compile(r"/{2,}")


def clean_url(url: str) -> str:
    """The canonical form of an http(s) ``url``; other URLs are returned as they are."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return url
    path = _SLASHES.sub("/", _SESSION_PARAM.sub("", parts.path))
    url = parts._replace(path=path).geturl()
    names = {name for name, _ in parse_qsl(parts.query, keep_blank_values=True)}
    drop = [n for n in names if n.lower() in SHARE_PARAMS or n.lower().startswith(_SHARE_PREFIXES)]
    if drop:
        url = url_query_cleaner(url, drop, remove=True, unique=False, keep_fragments=True)
    return canonicalize_url(url)


def _path_key(path: str) -> str:
    path = _SLASHES.sub("/", path)
    return path[:-1] if path.lower().endswith(".html") else path


def preferred_url(fetched: str, canonical: str | None) -> str:
    """The page's canonical URL (cleaned) when it names the same page as ``fetched``, else
    ``fetched`` cleaned."""
    fetched = clean_url(fetched)
    if not canonical:
        return fetched
    candidate = clean_url(canonical)
    got, want = urlsplit(fetched), urlsplit(candidate)
    if want.scheme not in ("http", "https") or want.netloc != got.netloc:
        return fetched
    if _path_key(want.path) != _path_key(got.path):
        return fetched
    want_query = set(parse_qsl(want.query, keep_blank_values=True))
    got_query = set(parse_qsl(got.query, keep_blank_values=True))
    if not want_query <= got_query or (got_query and not want_query):
        return fetched
    return candidate


def article_urls(
    fetched: str, redirects: list[str], canonical: str | None
) -> tuple[str, list[str]]:
    """The URL to store an article under, and its other URLs: the page's canonical link when
    :func:`preferred_url` believes it, else ``fetched``, cleaned; the aliases are the cleaned
    URLs that led there (a redirect's hops, the fetched URL) other than that one."""
    url = preferred_url(fetched, canonical)
    seen = dict.fromkeys(clean_url(u) for u in [*redirects, fetched])
    return url, [u for u in seen if u != url]
