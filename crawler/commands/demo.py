"""``govnews demo``: serve the bundled demo portal on 127.0.0.1, crawl it all, print a summary."""

from __future__ import annotations

from dataclasses import replace

import click

from crawler.commands.common import db_option, quiet_option, resolve_db
from crawler.commands.crawl import crawl_settings
from crawler.commands.running import finish_command, run_checked
from crawler.sites import SiteProfile
from crawler.spiders.district import DistrictSpider
from demoportal.server import DEFAULT_PORT, DemoSite


@click.command()
@db_option
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port of the demo site on 127.0.0.1. Keep it the same between runs: article "
    "URLs include it (0 picks a free port).",
)
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's INFO log.")
@quiet_option
def demo(db: str | None, port: int, verbose: bool, quiet: bool) -> None:
    """Crawl the bundled demo district portal end to end (no internet needed).

    Starts the demo site on 127.0.0.1 (--port), crawls every column with no site profile
    (the generic heuristics), stores into the database, stops the site and prints a summary.
    It always re-reads every article (a full crawl): run it twice to see re-crawl behaviour,
    no duplicate articles and a second view-count reading.

    \b
    Example:
        govnews demo
        govnews demo --db sqlite:///demo.db
    """
    db_url = resolve_db(db)
    site = DemoSite(port=port)
    try:
        site.start()
    except OSError as exc:
        raise click.ClickException(
            f"cannot serve the demo site on 127.0.0.1:{port} ({exc.strerror}); try --port"
        ) from None
    try:
        if not quiet:
            click.echo(f"demo site on {site.base_url} ({len(site.start_urls)} columns)", err=True)
        settings = crawl_settings(db_url, quiet, verbose)
        # the demo server is local and ours: no politeness delay needed
        settings.update({"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False})
        profile = replace(SiteProfile.generic(site.start_urls), name="demo", title="示例区 (demo)")
        outcome = run_checked(
            DistrictSpider,
            settings,
            site=profile.name,
            db_url=db_url,
            start_urls=profile.start_urls,
            profile=profile,
            full=True,
        )
    finally:
        site.stop()
    finish_command(outcome, db_url, f"demo crawl into {db_url}")
