"""``govnews probe URL_OR_FILE``: look at a column list page and draft a site profile.

Detects the CMS family (:mod:`crawler.extract.cms`), the article links and pagination
(:mod:`crawler.extract.listing`), generalises the article URLs into a regex, and - given one
article page (``--article``) - finds CSS selectors for the fields the generic extractor located.
Prints a TOML profile to review; it always loads back through
:func:`crawler.sites.profile.parse_profile`. Fetching is one plain GET with the govnews
User-Agent (from :mod:`crawler.settings`) and a timeout; nothing else touches the network.
"""

from __future__ import annotations

import json
import re
import tomllib
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import click
from lxml import html as lxml_html

from crawler.extract.article import extract_article
from crawler.extract.cms import CMS_NAMES, detect_cms
from crawler.extract.decode import decode_html
from crawler.extract.listing import extract_listing
from crawler.extract.pagination import page_number
from crawler.extract.types import ExtractedListing
from crawler.extract.urlrules import article_regexes
from crawler.sites.profile import ProfileError, SiteProfile, parse_profile


def fetch(target: str, timeout: float) -> tuple[bytes, str | None, str]:
    """``(body, http_charset, url)`` of a file path or an http(s) URL."""
    if urlsplit(target).scheme in ("http", "https"):
        from crawler.settings import USER_AGENT

        req = urllib.request.Request(target, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.read(), resp.headers.get_content_charset(), resp.geturl()
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise click.ClickException(f"cannot fetch {target}: {reason}") from None
    if "://" in target:
        raise click.ClickException(f"{target}: only http(s) URLs or local files can be probed")
    try:
        return Path(target).read_bytes(), None, ""
    except OSError as exc:
        raise click.ClickException(f"cannot read {target}: {exc.strerror or exc}") from None


#: what each pager family (ExtractedListing.pager) means for a crawl, for the caveats line
PAGER_NOTES = {
    "link": "a next-page link",
    "onclick": "onclick/javascript: links to the page URLs",
    "script_call": "a script call stating page count and current page (stem_N.ext pages)",
    "object_literal": "a script pager configured by an object literal (stem_N.ext pages)",
    "script_vars": "script variables countPage/currentPage (stem_N.ext pages)",
    "select": "a <select> listing the pages",
    "page_text": "共N页 text; later pages continue this URL's numbering",
    "jpage": "Hanweb jpage: later entries come from its dataproxy.jsp data proxy",
    "json": "an AJAX pager: later pages come from a JSON list endpoint",
    "numbering": "none shown: the URL's next number is probed while it brings new links",
}


def pagination_note(listing: ExtractedListing, html: str) -> str:
    """One line naming the pager family found and the column's declared size (caveats)."""
    urls = [u for u in [listing.next_page, *listing.page_links] if u]
    if listing.pager is None:
        return "no pagination found: only the first page is crawled"
    note = f"pager: {PAGER_NOTES.get(listing.pager, listing.pager)}"
    if listing.pager == "script_call" and "createPageHTML" in html:
        note += ", TRS createPageHTML(total, current, name, ext)"
    elif listing.pager == "link" and any("?" in u and page_number(u) is not None for u in urls):
        note += ", by a query parameter (?page=N style)"
    elif listing.pager == "link" and any(page_number(u) is not None for u in urls):
        note += f", numbered pages (e.g. {urlsplit(urls[0]).path.rsplit('/', 1)[-1]})"
    if listing.next_page:
        note += f"; next {listing.next_page}"
    size = [
        f"{n} {what}"
        for n, what in ((listing.declared_pages, "pages"), (listing.declared_items, "items"))
        if n
    ]
    return note + (f"; the column declares {', '.join(size)}" if size else "")


def rule_coverage(regexes: list[str], links: list[str]) -> int:
    """How many of ``links`` the drafted article rule matches (all of them, by design)."""
    compiled = [re.compile(r) for r in regexes]
    return sum(any(c.search(u) for c in compiled) for u in links)


def _css_for(el: lxml_html.HtmlElement, root: lxml_html.HtmlElement) -> str | None:
    """A CSS selector that selects exactly ``el`` in ``root``, built from id or classes."""
    for node in [el, *list(el.iterancestors())[:3]]:
        if not isinstance(node.tag, str) or node.tag in ("html", "body"):
            break
        ident = node.get("id")
        classes = [c for c in (node.get("class") or "").split() if re.match(r"^[\w-]+$", c)]
        if ident and re.match(r"^[A-Za-z][\w-]*$", ident):
            base = f"#{ident}"
        elif classes:
            base = node.tag + "".join(f".{c}" for c in classes)
        else:
            continue
        sel = base if node is el else f"{base} {el.tag}"
        try:
            if root.cssselect(sel) == [el]:
                return sel
        except Exception:
            continue
    return None


def _smallest_with(root: lxml_html.HtmlElement, needle: str) -> lxml_html.HtmlElement | None:
    needle = re.sub(r"\s+", "", needle)
    best = None
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "html", "head"):
            continue
        if needle and needle in re.sub(r"\s+", "", el.text_content()):
            best = el  # iter() is document order, so later hits are deeper descendants
    return best


def field_selectors(body: bytes, url: str | None, charset: str | None) -> dict[str, str]:
    """CSS selectors for the fields the generic extractor found in one article page."""
    result = extract_article(body, url, http_charset=charset)
    text, _ = decode_html(body, charset)
    root = lxml_html.fromstring(re.sub(r"</(?:html|body)\s*>", "", text, flags=re.I) or "<p/>")
    found: dict[str, str] = {}
    needles = {
        "title": result.title,
        "published": result.published_raw,
        "views": result.views_raw,
        "source": result.source,
        "body": (result.body_text or "")[:40],
    }
    for name, needle in needles.items():
        if not needle:
            continue
        el = _smallest_with(root, needle)
        if name == "body" and el is not None and result.body_text:
            tail = re.sub(r"\s+", "", result.body_text[-30:])
            while el is not None and tail not in re.sub(r"\s+", "", el.text_content()):
                el = el.getparent()
        if el is not None and (sel := _css_for(el, root)):
            found[name] = sel
    return found


def name_for_url(url: str) -> str:
    """A profile name from the host (www.shili.gov.cn -> shili)."""
    host = (urlsplit(url).hostname or "site").lower().removeprefix("www.")
    host = re.sub(r"\.(gov|com|org|net|edu)?\.?cn$|\.(com|org|net)$", "", host)
    return re.sub(r"[^a-z0-9]+", "_", host).strip("_") or "site"


_SECOND_LEVEL = {"com", "net", "org", "gov", "edu", "ac"}


def site_domain(url: str) -> str:
    """The site's registrable domain (``news.163.com`` -> ``163.com``, ``www.x.gov.cn`` ->
    ``x.gov.cn``): a column often lists articles on a sister host of the same site."""
    host = (urlsplit(url).hostname or "").lower()
    if re.fullmatch(r"[\d.]+|[0-9a-f:]+", host):
        return host  # an IP address has no parent domain (127.0.0.1 is not "0.1")
    labels = host.removeprefix("www.").split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def render_profile(
    url: str,
    name: str,
    cms: str | None,
    regexes: list[str],
    note: str,
    next_xpath: str | None,
    fields: dict[str, str],
    n_links: int,
    matched: int | None = None,
) -> str:
    """The TOML text of a draft profile."""
    host = urlsplit(url).hostname or ""
    family = CMS_NAMES.get(cms, cms) if cms else "unknown"
    lines = [
        f"# Draft written by `govnews probe` from {url}: review before use.",
        f"# CMS family: {family}; {n_links} article links found on the page.",
        f"# The article rule matches {n_links if matched is None else matched}/{n_links} "
        "article links on the page.",
        f"name = {_q(name)}",
        f"title = {_q(host)}",
        f"description = {_q(f'News column of {host} (CMS: {family}).')}",
        f"caveats = {_q(note)}",
        f"allowed_domains = [{_q(site_domain(url))}]",
        f"start_urls = [{_q(url)}]",
        "",
        "[links]",
        "article = [" + ", ".join(f"'{r}'" for r in regexes) + "]",
    ]
    if next_xpath:
        lines.append(f"next_page_xpath = {_q(next_xpath)}")
    lines.append("max_pages = 50")
    for fname, sel in fields.items():
        lines += ["", f"[fields.{fname}]", f"css = [{_q(sel)}]"]
    return "\n".join(lines) + "\n"


def next_page_xpath(listing: ExtractedListing, html: str) -> str | None:
    """An XPath for the 下一页 link of a list page whose pager is a plain link, else None."""
    # only a real link: a script pager's 下一页 (href="#", onclick) is followed generically
    for label in ("下一页", "下页", "后页") if listing.pager == "link" else ():
        if re.search(rf">\s*{label}\s*<", html):
            return f"//a[normalize-space()='{label}']"
    return None


def probe_profile(
    body: bytes,
    url: str,
    *,
    charset: str | None = None,
    name: str | None = None,
    article: tuple[bytes, str | None, str | None] | None = None,
) -> str:
    """Everything ``govnews probe`` prints, as a string (validated by parse_profile)."""
    text, _ = decode_html(body, charset)
    cms = detect_cms(text)
    site = SiteProfile(name="probe", allowed_domains=(site_domain(url),), start_urls=(url,))
    listing = extract_listing(text, url, profile=site)
    if not listing.article_links:
        raise click.ClickException(f"{url}: no list of article links found on this page")
    regexes = article_regexes(listing.article_links, cms)
    next_xpath = next_page_xpath(listing, text)
    note = pagination_note(listing, text)
    fields = field_selectors(*article) if article else {}
    toml = render_profile(
        url,
        name or name_for_url(url),
        cms,
        regexes,
        note,
        next_xpath,
        fields,
        len(listing.article_links),
        rule_coverage(regexes, listing.article_links),
    )
    try:
        parse_profile(tomllib.loads(toml), "<probe>")
    except (ProfileError, tomllib.TOMLDecodeError) as exc:  # a bug here, not the user's
        raise click.ClickException(f"the drafted profile does not validate: {exc}") from None
    return toml


@click.command("probe")
@click.argument("target", metavar="URL_OR_FILE")
@click.option("--url", "page_url", metavar="URL", help="The list page's URL when TARGET is a file.")
@click.option("--article", metavar="FILE_OR_URL", help="One article page, to locate the fields.")
@click.option("--article-url", metavar="URL", help="The article's URL when --article is a file.")
@click.option("--name", metavar="NAME", help="Profile name (pinyin, a-z0-9_); default from host.")
@click.option("--timeout", default=20.0, show_default=True, help="Seconds per HTTP request.")
def probe(
    target: str,
    page_url: str | None,
    article: str | None,
    article_url: str | None,
    name: str | None,
    timeout: float,
) -> None:
    """Look at a column list page and print a draft site profile (TOML) to review.

    Detects the CMS family, the article-link rule, the pagination and, with --article, CSS
    selectors for the fields. Save the output under crawler/sites/ or GOVNEWS_SITES_DIR.

    \b
    Example:
        govnews probe http://www.example.gov.cn/xwzx/gzdt/ > example.toml
        govnews probe list.html --url http://www.example.gov.cn/xwzx/gzdt/ --article a.html
    """
    body, charset, fetched = fetch(target, timeout)
    url = page_url or fetched
    if not url:
        raise click.ClickException("TARGET is a file: give its address with --url URL")
    if urlsplit(url).scheme not in ("http", "https"):
        raise click.ClickException(f"--url {url!r} is not an http(s) URL")
    if name is not None and not re.match(r"^[a-z0-9_]+$", name):
        raise click.ClickException(f"--name {name!r}: use lower-case pinyin, digits and '_'")
    art = None
    if article:
        a_body, a_charset, a_url = fetch(article, timeout)
        art = (a_body, article_url or a_url or None, a_charset)
    toml = probe_profile(body, url, charset=charset, name=name, article=art)
    click.echo(toml, nl=False)
