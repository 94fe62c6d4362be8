"""``govnews discover PORTAL_URL_OR_FILE``: find a portal's news columns and write a profile.

Onboarding a county portal used to mean hunting its columns by hand and probing each. Discover
reads the home page's navigation (:mod:`crawler.extract.columns_nav`: menus in markup or built
by scripts), follows hubs such as 政务公开 one level further (``--depth 2``), and checks every
candidate column on its first list page with the list extraction the spider uses
(:func:`crawler.extract.listing.extract_listing`): a column must show at least
:data:`MIN_DATED` dated article links. The verified columns become one profile, with
``govnews probe``'s article rule and pager notes, validated by the profile loader before it is
written. Pages come from the portal itself, politely (one host, robots.txt, a delay, a request
budget; :mod:`crawler.commands.discover_fetch`), or from a saved page or folder.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import click

from crawler.commands.discover_fetch import (
    Fetcher,
    NotRead,
    Page,
    PortalFetcher,
    SavedPortal,
    Unavailable,
    home_file,
)
from crawler.commands.output import emit, format_option
from crawler.commands.probe import name_for_url, next_page_xpath, pagination_note, site_domain
from crawler.extract.cms import detect_cms
from crawler.extract.columns_nav import column_key, nav_links
from crawler.extract.decode import decode_html
from crawler.extract.listing import extract_listing
from crawler.extract.types import ExtractedListing
from crawler.extract.urlrules import article_regexes
from crawler.sites.profile import ProfileError, SiteProfile, parse_profile

#: dated article links a first list page must show to count as a column
MIN_DATED = 3
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)


@dataclass
class Candidate:
    """A link discovery looked at: a column (``kind`` news/notices/policy) or a hub."""

    name: str
    url: str
    kind: str
    depth: int
    #: "column", "hub", "not a list", or why the page could not be read
    status: str = "pending"
    dated: int = 0
    #: its page was left unread (not saved, budget spent): a column name nobody checked
    unread: bool = False
    listing: ExtractedListing | None = field(default=None, repr=False)
    html: str = field(default="", repr=False)

    @property
    def is_column(self) -> bool:
        return self.status == "column"


def discover_columns(
    fetcher: Fetcher, home: Page, depth: int, progress: Callable[[str], None]
) -> list[Candidate]:
    """Every column and hub reachable from ``home`` within ``depth`` navigation levels."""
    html, _ = decode_html(home.body, home.charset)
    site = SiteProfile(name="discover", allowed_domains=(site_domain(home.url),))
    seen = {column_key(home.url)}
    queue: deque[Candidate] = deque()

    def explore(html: str, url: str, level: int, articles: set[str]) -> None:
        if level >= depth:
            return
        for link in nav_links(html, url):
            key = column_key(link.url)
            if key not in seen and link.url not in articles:
                seen.add(key)
                queue.append(Candidate(link.name, link.url, link.kind or "hub", level + 1))

    explore(html, home.url, 0, set())
    found: list[Candidate] = []
    while queue:
        cand = queue.popleft()
        found.append(cand)
        todo = len(found) + len(queue)
        progress(f"discover: page {len(found)}/{todo} (level {cand.depth}) {cand.name} {cand.url}")
        try:
            page = fetcher.get(cand.url)
        except Unavailable as exc:
            cand.status, cand.unread = str(exc), isinstance(exc, NotRead)
            continue
        if page.url != cand.url and column_key(page.url) in seen:
            cand.status = f"same as {page.url}"
            continue
        seen.add(column_key(page.url))
        cand.url = page.url
        cand.html, _ = decode_html(page.body, page.charset)
        cand.listing = extract_listing(cand.html, page.url, profile=site)
        links = cand.listing.article_links
        cand.dated = sum(1 for u in links if u in cand.listing.link_dates)
        if cand.kind == "hub":
            cand.status = "hub"
        else:
            cand.status = "column" if cand.dated >= MIN_DATED else "not a list"
        explore(cand.html, page.url, cand.depth, set(links))
    return found


def _portal_title(html: str, host: str) -> str:
    match = _TITLE_RE.search(html)
    parts = re.split(r"\s*[-|_—–]+\s*", match.group(1).strip()) if match else []
    parts = [p for p in parts if p and p not in ("首页", "网站首页", "主页")]
    return max(parts, key=len) if parts else host


def render_discovered(home: Page, name: str, columns: list[Candidate], delay: float) -> str:
    """The TOML profile of the columns (verified ones, and unchecked ones the user kept),
    validated by the profile loader."""
    html, _ = decode_html(home.body, home.charset)
    host = urlsplit(home.url).hostname or ""
    links = [u for c in columns for u in (c.listing.article_links if c.listing else [])]
    cms = Counter(detect_cms(c.html) for c in columns).most_common(1)[0][0]
    regexes = article_regexes(links, cms) if links else []
    pagers = {next_page_xpath(c.listing, c.html) for c in columns if c.listing}
    # a profile's next-page XPath replaces the generic pager of every column: only when all agree
    next_xpath = pagers.pop() if len(pagers) == 1 else None
    notes = [
        f"{c.name}: {pagination_note(c.listing, c.html) if c.listing else 'not checked'}"
        for c in columns
    ]
    rows = [
        f"  {_q(c.url)},  # {c.name} ({c.kind}; "
        + (f"{c.dated} dated links)" if c.is_column else f"not checked: {c.status})")
        for c in columns
    ]
    verified = sum(c.is_column for c in columns)
    lines = [
        f"# Written by `govnews discover` from {home.url}: review before use.",
        f"# {verified} of {len(columns)} columns verified on their first list page.",
        f"name = {_q(name)}",
        f"title = {_q(_portal_title(html, host))}",
        f"description = {_q('Columns: ' + ', '.join(f'{c.name} ({c.kind})' for c in columns))}",
        f"caveats = {_q('; '.join(notes))}",
        f"allowed_domains = [{_q(site_domain(home.url))}]",
        "start_urls = [",
        *rows,
        "]",
        "",
        "[links]",
        *(["article = [" + ", ".join(f"'{r}'" for r in regexes) + "]"] if regexes else []),
        *([f"next_page_xpath = {_q(next_xpath)}"] if next_xpath else []),
        "max_pages = 50",
    ]
    if delay > 0:
        lines += ["", "[politeness]", f"download_delay = {delay:g}"]
    toml = "\n".join(lines) + "\n"
    try:
        parse_profile(tomllib.loads(toml), "<discover>")
    except (ProfileError, tomllib.TOMLDecodeError) as exc:  # a bug here, not the user's
        raise click.ClickException(f"the drafted profile does not validate: {exc}") from None
    return toml


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _open_target(
    target: str, url: str | None, delay: float, timeout: float, budget: int
) -> tuple[Fetcher, Page]:
    """The fetcher for TARGET (a portal URL, a saved page or a saved folder) and its home page."""
    if urlsplit(target).scheme in ("http", "https"):
        from crawler.settings import USER_AGENT

        fetcher = PortalFetcher(delay=delay, timeout=timeout, budget=budget, user_agent=USER_AGENT)
        try:
            return fetcher, fetcher.get_home(target)
        except Unavailable as exc:
            raise click.ClickException(f"cannot fetch {target}: {exc}") from None
    if "://" in target:
        raise click.ClickException(f"{target}: give an http(s) URL or a saved page or folder")
    path = Path(target)
    if not path.exists():
        raise click.ClickException(f"cannot read {target}: no such file or folder")
    if not url or urlsplit(url).scheme not in ("http", "https"):
        what = f"--url {url!r} is not an http(s) URL" if url else "give its address with --url"
        raise click.ClickException(f"{target} is a saved copy: {what}")
    saved = SavedPortal(path if path.is_dir() else path.parent, url)
    home = home_file(saved.root) if path.is_dir() else path
    if home is None:
        raise click.ClickException(f"{target}: no index.html home page in this folder")
    return saved, Page(home.read_bytes(), None, url)


def _output_path(output: str | None, name: str, force: bool) -> Path:
    path = Path(output) if output else Path(f"{name}.toml")
    if path.is_dir() or path.suffix != ".toml":  # a folder, made if need be
        path = path / f"{name}.toml"
    if path.parent.exists() and not path.parent.is_dir():
        raise click.ClickException(f"--output {output!r}: {path.parent} is not a folder")
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists: use --force to overwrite it")
    return path


@click.command("discover")
@click.argument("target", metavar="PORTAL_URL_OR_FILE")
@click.option("--url", "home_url", metavar="URL", help="The portal's address when TARGET is saved.")
@click.option("--depth", type=click.IntRange(1, 2), default=2, show_default=True,
              help="Navigation levels to follow from the home page.")  # fmt: skip
@click.option("--delay", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Seconds between requests to the portal.")  # fmt: skip
@click.option("--max-requests", type=click.IntRange(min=1), default=80, show_default=True,
              help="Requests to the portal at most (robots.txt included).")  # fmt: skip
@click.option("--name", metavar="NAME", help="Profile name (pinyin, a-z0-9_); default from host.")
@click.option("-o", "--output", metavar="PATH", help="Profile file or folder [default: NAME.toml].")
@click.option("--force", is_flag=True, help="Overwrite an existing profile file.")
@click.option("--unchecked", is_flag=True,
              help="Also keep columns whose page was not read (a lone saved page).")  # fmt: skip
@click.option("--timeout", default=20.0, show_default=True, help="Seconds per HTTP request.")
@format_option(choices=("table", "json", "jsonl", "csv"))
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
def discover(
    target: str,
    home_url: str | None,
    depth: int,
    delay: float,
    max_requests: int,
    name: str | None,
    output: str | None,
    force: bool,
    unchecked: bool,
    timeout: float,
    fmt: str,
    quiet: bool,
) -> None:
    """Find a portal's news, notice and policy columns and write a site profile for them.

    Reads the home page's navigation (menus in HTML or built by scripts), follows hubs such
    as 政务公开 (--depth), checks each column on its first list page (several dated article
    links), prints what it found and writes a profile with one start URL per column. Only the
    portal's host is read, within robots.txt, --delay seconds apart. PORTAL_URL_OR_FILE may
    also be a saved home page or a folder of saved pages (give --url); --unchecked keeps the
    columns whose page was not saved. Exits 1 when no column is found.

    \b
    Example:
        govnews discover http://www.example.gov.cn/ -o sites/
        GOVNEWS_SITES_DIR=sites govnews crawl example
        govnews discover saved_portal/ --url http://www.example.gov.cn/ --name example
    """
    if name is not None and not re.match(r"^[a-z0-9_]+$", name):
        raise click.ClickException(f"--name {name!r}: use lower-case pinyin, digits and '_'")
    fetcher, home = _open_target(target, home_url, delay, timeout, max_requests)
    name = name or name_for_url(home.url)
    path = _output_path(output, name, force)

    def progress(line: str) -> None:
        if not quiet:
            click.echo(line, err=True)

    found = discover_columns(fetcher, home, depth, progress)
    rows = [
        {"kind": c.kind, "name": c.name, "status": c.status, "dated": c.dated, "url": c.url}
        for c in found
    ]
    emit(rows, fmt, ["kind", "name", "status", "dated", "url"], max_width=60)
    columns = [c for c in found if c.is_column or (unchecked and c.unread and c.kind != "hub")]
    if not columns:
        unread = sum(c.unread for c in found)
        hint = f", {unread} not read: try --unchecked" if unread else ""
        raise click.ClickException(
            f"no news column found from {home.url} ({len(found)} navigation links checked{hint})"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_discovered(home, name, columns, delay), encoding="utf-8")
    progress(
        f"wrote {path} ({len(columns)} columns); crawl it with: "
        f"GOVNEWS_SITES_DIR={path.parent} govnews crawl {name}"
    )
