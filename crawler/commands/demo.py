"""``govnews demo``: serve the bundled demo portal on 127.0.0.1, crawl it all, print a summary."""

from __future__ import annotations

import click

from crawler.commands.common import db_option, quiet_option, resolve_db
from crawler.commands.crawl import crawl_settings
from crawler.commands.summary import crawl_summary, print_summary
from crawler.demo.server import DemoSite
from crawler.runner import run_spider
from crawler.spiders.district import DistrictSpider


@click.command()
@db_option
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's INFO log.")
@quiet_option
def demo(db: str | None, verbose: bool, quiet: bool) -> None:
    """Crawl the bundled demo district portal end to end (no internet needed).

    Starts the demo site on a free port of 127.0.0.1, crawls every column with no site profile
    (the generic heuristics), stores into the database, stops the site and prints a summary.
    Run it twice to see re-crawl behaviour: no duplicate articles, a second view-count reading.

    \b
    Example:
        govnews demo
        govnews demo --db sqlite:///demo.db
    """
    db_url = resolve_db(db)
    with DemoSite() as site:
        if not quiet:
            click.echo(f"demo site on {site.base_url} ({len(site.start_urls)} columns)", err=True)
        settings = crawl_settings(db_url, quiet, verbose)
        # the demo server is local and ours: no politeness delay needed
        settings.update({"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False})
        outcome = run_spider(DistrictSpider, settings, start_url=list(site.start_urls))
    print_summary(f"demo crawl into {db_url} finished", crawl_summary(outcome, db_url))
