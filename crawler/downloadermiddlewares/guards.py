"""Downloader middlewares that keep unattended crawls safe and patient.

- :class:`AddressGuardMiddleware` (SSRF guard, before robots.txt): only ``http``/``https`` are
  ever fetched, and a request to a host that resolves to a loopback, private, link-local
  (``169.254.169.254`` cloud metadata), reserved or otherwise non-public address is refused
  *before connecting*, unless that host and port are trusted.
- :class:`RedirectGuardMiddleware` (just before Scrapy's ``RedirectMiddleware``): a redirect to
  a non-public address, another scheme, an offsite host, back into its own chain (a loop) or one
  past ``REDIRECT_MAX_TIMES`` is refused with a reason. Scrapy would otherwise drop offsite and
  looping redirects silently (offsite filter, dupefilter), so an article would vanish unrecorded.
- :class:`BackoffRetryMiddleware` (replaces Scrapy's ``RetryMiddleware``): a 429/503 with
  ``Retry-After`` is retried after that delay (capped), other retries wait an exponential backoff.
- :class:`MetaRefreshMiddleware` (replaces Scrapy's): follows ``<meta http-equiv="refresh">`` as
  Scrapy does, but first looks for the word in the raw bytes: Scrapy decodes every HTML body
  whole to look at its first 4096 characters, ≈ 4 % of a crawl's reactor thread, and govnews
  extracts from the bytes in a worker, so the decoded text was never used again.

Trust policy (why it is sound): the operator typed the start URLs (on the command line or in a
profile they installed), so their ``host:port`` pairs are trusted and local crawls of
``127.0.0.1:8000`` work. Nothing else is trusted: a page or redirect from a trusted local host that
leads to *another* private host or port (``127.0.0.2``, ``127.0.0.1:6379``, ``10.0.0.5``,
``169.254.169.254``) is refused, exactly as from a public host. Hostnames are resolved (IP
literals and odd forms like ``2130706433`` too) and every address must be public. Known limit: a
DNS answer that changes between our lookup and Scrapy's (rebinding) is not caught.

Refusals raise :class:`Refused` (an ``IgnoreRequest``), so the request's errback runs and the
spider records a reject with ``exc.govnews_reason``.

Settings: ``GOVNEWS_SSRF_GUARD`` (default on), ``GOVNEWS_SSRF_TRUSTED_HOSTS`` (extra hostnames,
any port), ``REDIRECT_MAX_TIMES``, ``RETRY_*``, ``GOVNEWS_RETRY_AFTER_MAX`` (s, default 120),
``GOVNEWS_RETRY_BACKOFF_BASE`` (s, default 1), ``GOVNEWS_RETRY_BACKOFF_MAX`` (s, default 60).
Stats: ``govnews/guard/<reason>``, ``govnews/retry/retry_after``, ``govnews/retry/backoff``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Self
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefresh
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.settings import BaseSettings
from w3lib.url import canonicalize_url, safe_url_string

from crawler.sites import host_in_domains

SCHEMES = ("http", "https")
REDIRECT_CODES = (301, 302, 303, 307, 308)
_DEFAULT_PORTS = {"http": 80, "https": 443}


class Refused(IgnoreRequest):
    """A request the guards refused; ``govnews_reason`` becomes ``rejects.reason``."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.govnews_reason = reason


def is_public_ip(addr: str) -> bool:
    """True for a globally routable unicast address (IPv4-mapped IPv6 judged as IPv4)."""
    try:
        ip = ipaddress.ip_address(addr.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _host_port(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        port = None
    return (parts.hostname or "").lower().rstrip("."), port


def _resolve(host: str, port: int | None) -> list[str]:
    """Every address ``host`` resolves to ([] when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, port or 80, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return [str(info[4][0]) for info in infos]


class AddressPolicy:
    """Decides whether a URL may be fetched; shared by both guards. Caches DNS answers."""

    def __init__(self, crawler: Crawler, extra_trusted: list[str]) -> None:
        self.crawler = crawler
        self.extra_trusted = {h.lower().rstrip(".") for h in extra_trusted}
        self._trusted: set[tuple[str, int | None]] | None = None
        self._cache: dict[tuple[str, int | None], list[str]] = {}

    def trusted(self, host: str, port: int | None) -> bool:
        if self._trusted is None:  # the spider (and its start URLs) exists only after init
            spider = self.crawler.spider
            urls = list(getattr(spider, "start_urls", None) or [])
            self._trusted = {_host_port(u) for u in urls if isinstance(u, str)}
        return host in self.extra_trusted or (host, port) in self._trusted

    async def check(self, url: str) -> Refused | None:
        """A :class:`Refused` for a URL that must not be fetched, else None."""
        scheme = urlsplit(url).scheme.lower()
        if scheme not in SCHEMES:
            return Refused("bad_scheme", f"{scheme or 'no'} scheme is never fetched: {url[:200]}")
        host, port = _host_port(url)
        if not host or self.trusted(host, port):
            return None
        key = (host, port)
        if key not in self._cache:
            try:
                ipaddress.ip_address(host)
                self._cache[key] = [host]
            except ValueError:
                # getaddrinfo blocks: on the loop's default thread pool, as Scrapy's own
                # resolver does, so a slow DNS server does not stall the crawl
                loop = asyncio.get_running_loop()
                self._cache[key] = await loop.run_in_executor(None, _resolve, host, port)
        bad = [a for a in self._cache[key] if not is_public_ip(a)]
        if bad:
            return Refused("private_address", f"{host} resolves to non-public {bad[0]}")
        return None  # unresolvable hosts fail later in Scrapy with a DNS error reject

    def count(self, reason: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"govnews/guard/{reason}")


def _policy(crawler: Crawler) -> AddressPolicy:
    """One policy (one DNS cache, one trust set) per crawler, shared by both guards."""
    existing = getattr(crawler, "_govnews_address_policy", None)
    if isinstance(existing, AddressPolicy):
        return existing
    policy = AddressPolicy(crawler, crawler.settings.getlist("GOVNEWS_SSRF_TRUSTED_HOSTS"))
    crawler._govnews_address_policy = policy  # type: ignore[attr-defined]
    return policy


class AddressGuardMiddleware:
    """Refuses non-http(s) schemes and non-public addresses that the operator did not type."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("GOVNEWS_SSRF_GUARD", True):
            raise NotConfigured("GOVNEWS_SSRF_GUARD is off")
        return cls(_policy(crawler))

    async def process_request(self, request: Request) -> None:
        refused = await self.policy.check(request.url)
        if refused is not None:
            self.policy.count(refused.govnews_reason)
            raise refused


class RedirectGuardMiddleware:
    """Refuses unsafe, offsite, looping and overlong redirects before they are followed."""

    def __init__(self, crawler: Crawler, policy: AddressPolicy, max_redirects: int) -> None:
        self.crawler = crawler
        self.policy = policy
        self.max_redirects = max_redirects

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("REDIRECT_ENABLED", True):
            raise NotConfigured("REDIRECT_ENABLED is off")
        return cls(crawler, _policy(crawler), crawler.settings.getint("REDIRECT_MAX_TIMES", 20))

    def _offsite(self, request: Request, host: str) -> bool:
        if request.dont_filter or request.meta.get("allow_offsite"):
            return False
        domains = list(getattr(self.crawler.spider, "allowed_domains", None) or [])
        return bool(domains) and not host_in_domains(host, domains)

    async def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if (
            response.status not in REDIRECT_CODES
            or not location
            or request.meta.get("dont_redirect")
        ):
            return response
        target = urljoin(request.url, safe_url_string(location.decode("latin-1").strip()))
        refused = await self.policy.check(target)
        if refused is None:
            host, _ = _host_port(target)
            chain = [*request.meta.get("redirect_urls", []), request.url]
            seen = {canonicalize_url(u) for u in chain}
            if self._offsite(request, host):
                refused = Refused("offsite_redirect", f"redirect to {target[:200]}")
            elif canonicalize_url(target) in seen:
                refused = Refused("redirect_loop", f"{' -> '.join(chain[-4:])} -> {target}")
            elif request.meta.get("redirect_times", 0) >= self.max_redirects:
                refused = Refused("too_many_redirects", f"{len(chain)} redirects, last {target}")
        if refused is not None:
            self.policy.count(refused.govnews_reason)
            raise refused
        return response


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date); None if absent/bad."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, but waiting: ``Retry-After`` on 429/503, else exponential backoff."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.retry_after_max = settings.getfloat("GOVNEWS_RETRY_AFTER_MAX", 120.0)
        self.backoff_base = settings.getfloat("GOVNEWS_RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("GOVNEWS_RETRY_BACKOFF_MAX", 60.0)

    def delay_for(self, request: Request, response: Response | None) -> tuple[float, str]:
        """How long to wait before retrying ``request`` and why (``retry_after``/``backoff``)."""
        if response is not None and response.status in (429, 503):
            after = retry_after_seconds(response.headers.get(b"Retry-After"))
            if after is not None:
                return min(after, self.retry_after_max), "retry_after"
        attempt = int(request.meta.get("retry_times", 0))
        return min(self.backoff_base * (2**attempt), self.backoff_max), "backoff"

    def retry_request(self, request: Request, reason: str | Exception) -> Request | None:
        """The retry copy of ``request`` (None once its retries are spent), through Scrapy's
        public :func:`~scrapy.downloadermiddlewares.retry.get_retry_request` with the same
        per-request overrides (``max_retry_times``, ``priority_adjust``, ``give_up_log_level``
        in meta) as Scrapy's own middleware honours."""
        meta = request.meta
        assert self.crawler.spider is not None
        return get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=reason,
            max_retry_times=meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=meta.get("priority_adjust", self.priority_adjust),
            give_up_log_level=meta.get("give_up_log_level", self.give_up_log_level),
        )

    async def _wait(self, seconds: float, why: str) -> None:
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value(f"govnews/retry/{why}")
        if seconds <= 0:
            return
        await asyncio.sleep(seconds)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        delay, why = self.delay_for(request, response)
        retry = self.retry_request(request, f"{response.status} response")
        if retry is None:
            return response
        await self._wait(delay, why)
        return retry

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry"):
            return None
        delay, why = self.delay_for(request, None)
        retry = self.retry_request(request, exception)
        if retry is not None:
            await self._wait(delay, why)
        return retry


#: Scrapy reads a refresh in the first 4096 characters; in UTF-8 that is at most 4 bytes each
_REFRESH_WINDOW = 4 * 4096
#: encodings in which "refresh" is not the same ASCII bytes (then Scrapy's own check runs)
_WIDE = re.compile(rb"utf-?(?:16|32)|ucs-?[24]|utf-?7", re.IGNORECASE)


class MetaRefreshMiddleware(ScrapyMetaRefresh):
    """Scrapy's meta-refresh redirects, without decoding a body that has no "refresh" in it."""

    def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        body = response.body[:_REFRESH_WINDOW]
        if (
            b"refresh" not in body.lower()
            and not body.startswith((b"\xff\xfe", b"\xfe\xff", b"+/v"))
            and not _WIDE.search(response.headers.get(b"Content-Type") or b"")
            and not _WIDE.search(body[:1024])
        ):
            return response
        return super().process_response(request, response)


__all__ = [
    "AddressGuardMiddleware",
    "BackoffRetryMiddleware",
    "MetaRefreshMiddleware",
    "RedirectGuardMiddleware",
    "Refused",
    "is_public_ip",
    "retry_after_seconds",
]
