"""``govnews sites``: list and check the declarative site profiles."""

from __future__ import annotations

import click

from crawler.sites import ProfileError, available_profiles, load_profile


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


@sites.command("check")
@click.argument("path")
def check_site(path: str) -> None:
    """Validate a profile file (or a site name) and print what it says.

    \b
    Example:
        govnews sites check crawler/sites/tangshan_gxq.toml
    """
    from crawler.settings import GOVNEWS_SITES_DIRS

    try:
        profile = load_profile(path, GOVNEWS_SITES_DIRS)
    except ProfileError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"ok: {profile.name} ({len(profile.start_urls)} start URLs, "
        f"domains {', '.join(profile.allowed_domains)})"
    )
