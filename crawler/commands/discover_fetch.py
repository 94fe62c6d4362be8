"""Where ``govnews discover`` reads a portal's pages: politely over HTTP, or a saved copy.

:class:`PortalFetcher` reads one host only (the home page's, after a redirect), obeys its
robots.txt (read once, for the govnews User-Agent of :mod:`crawler.settings`, Crawl-delay
included), waits ``delay`` seconds between requests and stops at a request budget, so
discovering a portal costs it a few dozen page views at most.
:class:`SavedPortal` answers from a folder of saved pages laid out like the site's paths
(``wget -m`` layout, with or without the host folder), so discovery works with no network.
Both raise :class:`Unavailable` with a short reason for a page they cannot give.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

#: file names a saved folder may hold for a directory URL (/qndt/ -> qndt/index.html)
INDEX_FILES = ("index.html", "index.htm", "index.shtml", "default.html", "default.htm")


class Unavailable(Exception):
    """A page that cannot be read (robots.txt, another host, HTTP error, not saved …)."""


class NotRead(Unavailable):
    """A page left unread (not in the saved copy, the request budget spent): nothing is known
    against it, so ``discover --unchecked`` may still keep it as a column."""


class Redirected(Unavailable):
    """The page redirects to another host; ``url`` is where."""

    def __init__(self, url: str) -> None:
        super().__init__(f"redirects to another host ({url})")
        self.url = url


@dataclass(frozen=True)
class Page:
    body: bytes
    charset: str | None
    #: the address after redirects
    url: str


class Fetcher(Protocol):
    def get(self, url: str) -> Page: ...


class PortalFetcher:
    """GETs on one host, within robots.txt, ``delay`` seconds apart, at most ``budget``."""

    def __init__(self, *, delay: float, timeout: float, budget: int, user_agent: str) -> None:
        self.host = ""
        self.delay = delay
        self.timeout = timeout
        self.budget = budget
        self.user_agent = user_agent
        self.requests = 0
        self._last = 0.0
        self._robots: urllib.robotparser.RobotFileParser | None = None

    def _open(self, url: str) -> tuple[bytes, str | None, str]:
        if self.requests >= self.budget:
            raise NotRead(f"request budget of {self.budget} spent")
        wait = self._last + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.requests += 1
        req = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.read(), resp.headers.get_content_charset(), resp.geturl()
        except urllib.error.HTTPError as exc:
            raise Unavailable(f"HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise Unavailable(str(getattr(exc, "reason", exc))) from None
        finally:
            self._last = time.monotonic()

    def _robots_for(self, url: str) -> urllib.robotparser.RobotFileParser:
        if self._robots is None:
            parts = urlsplit(url)
            robots = urllib.robotparser.RobotFileParser()
            try:
                body, charset, _ = self._open(f"{parts.scheme}://{parts.netloc}/robots.txt")
                robots.parse(body.decode(charset or "utf-8", "replace").splitlines())
            except Unavailable:
                robots.parse([])  # no robots.txt (or none readable): nothing is disallowed
            asked = robots.crawl_delay(self.user_agent)
            self.delay = max(self.delay, float(asked or 0))  # a Crawl-delay is honoured too
            self._robots = robots
        return self._robots

    def get_home(self, url: str) -> Page:
        """The home page; a redirect to another host (x.gov.cn -> www.x.gov.cn) makes that
        host the portal's one host."""
        self.host = (urlsplit(url).hostname or "").lower()
        try:
            return self.get(url)
        except Redirected as moved:
            self.host, self._robots = (urlsplit(moved.url).hostname or "").lower(), None
            return self.get(moved.url)

    def get(self, url: str) -> Page:
        if (urlsplit(url).hostname or "").lower() != self.host:
            raise Unavailable("on another host")
        if not self._robots_for(url).can_fetch(self.user_agent, url):
            raise Unavailable("disallowed by robots.txt")
        body, charset, final = self._open(url)
        if (urlsplit(final).hostname or "").lower() != self.host:
            raise Redirected(final)
        return Page(body, charset, final)


class SavedPortal:
    """Pages of a saved copy of the portal: ``root/<path>`` (or ``root/<host>/<path>``)."""

    def __init__(self, root: Path, home_url: str) -> None:
        self.host = (urlsplit(home_url).hostname or "").lower()
        host_dir = root / self.host
        self.root = host_dir if self.host and host_dir.is_dir() else root

    def get(self, url: str) -> Page:
        parts = urlsplit(url)
        if (parts.hostname or "").lower() != self.host:
            raise Unavailable("on another host")
        rel = unquote(parts.path).lstrip("/")
        if parts.query or ".." in rel.split("/"):
            raise NotRead("not in the saved copy")
        base = self.root / rel
        for file in [base, *(base / name for name in INDEX_FILES)]:
            if file.is_file():
                return Page(file.read_bytes(), None, url)
        raise NotRead("not in the saved copy")


def home_file(folder: Path) -> Path | None:
    """The home page of a saved folder: its index file, if any."""
    return next((folder / n for n in INDEX_FILES if (folder / n).is_file()), None)
