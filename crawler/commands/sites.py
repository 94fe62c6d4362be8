"""``govnews sites``: list and check the declarative site profiles.

``sites check`` also reads the profile's start pages (fetched, or a saved ``--page``) and warns
when its article rule misses links that the generic list heuristic finds there: a rule drafted
from one page often loses the articles of another URL shape.
"""

from __future__ import annotations

import click

from crawler.sites import ProfileError, SiteProfile, available_profiles, load_profile


@click.group()
def sites() -> None:
    """Site profiles (crawler/sites/*.toml and folders in GOVNEWS_SITES_DIR).

    \b
    Example:
        govnews sites list
        govnews sites check my_site.toml
    """


@sites.command("list")
def list_sites() -> None:
    """List the known site profiles.

    \b
    Example:
        govnews sites list
    """
    from crawler.settings import GOVNEWS_SITES_DIRS

    try:
        profiles = available_profiles(GOVNEWS_SITES_DIRS)
    except ProfileError as exc:
        raise click.ClickException(str(exc)) from None
    if not profiles:
        click.echo("no site profiles found")
        return
    width = max(len(n) for n in profiles)
    for name, profile in sorted(profiles.items()):
        click.echo(f"{name:<{width}}  {profile.title or '-'}  {', '.join(profile.start_urls)}")


def rule_misses(
    profile: SiteProfile, body: bytes, url: str, charset: str | None
) -> tuple[list[str], int]:
    """Article links the generic heuristic finds on the page that the profile's rule misses,
    and how many it finds."""
    from crawler.extract.listing import extract_listing

    domains = profile.allowed_domains
    generic = SiteProfile(name=profile.name, allowed_domains=domains, start_urls=(url,))
    found = extract_listing(body, url, profile=generic, http_charset=charset).article_links
    ruled = set(extract_listing(body, url, profile=profile, http_charset=charset).article_links)
    return [u for u in found if u not in ruled], len(found)


@sites.command("check")
@click.argument("path")
@click.option(
    "--page",
    metavar="FILE",
    help="A saved copy of the first start page, checked instead of fetching it.",
)
@click.option(
    "--fetch/--no-fetch",
    default=True,
    show_default=True,
    help="Fetch the start pages to check the article rule against them.",
)
@click.option("--timeout", default=20.0, show_default=True, help="Seconds per HTTP request.")
def check_site(path: str, page: str | None, fetch: bool, timeout: float) -> None:
    """Validate a profile file (or a site name), print what it says, and check its article rule.

    The rule is checked on each start page (or the saved --page): a warning lists the article
    links that the generic list heuristic finds there and the profile's rule misses.

    \b
    Example:
        govnews sites check crawler/sites/tangshan_gxq.toml
        govnews sites check my_site.toml --page saved_list.html
    """
    from crawler.commands.probe import fetch as fetch_page
    from crawler.settings import GOVNEWS_SITES_DIRS

    try:
        profile = load_profile(path, GOVNEWS_SITES_DIRS)
    except ProfileError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"ok: {profile.name} ({len(profile.start_urls)} start URLs, "
        f"domains {', '.join(profile.allowed_domains)})"
    )
    targets = [(page, profile.start_urls[0])] if page and profile.start_urls else []
    if fetch and not page:
        targets = [(u, u) for u in profile.start_urls]
    for target, url in targets:
        try:
            body, charset, _ = fetch_page(target, timeout)
        except click.ClickException as exc:
            click.echo(f"note: {url} not checked: {exc.message}", err=True)
            continue
        missed, found = rule_misses(profile, body, url, charset)
        if missed:
            click.echo(
                f"warning: the article rule misses {len(missed)} of {found} links the generic "
                f"heuristic finds on {url}, e.g. {', '.join(missed[:3])}"
            )
        else:
            click.echo(f"ok: the article rule covers the links found on {url}")
