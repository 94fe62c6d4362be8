"""Start a crawl from the CLI: refuse overlapping runs up front, fail loudly when it cannot run.

The storage pipeline holds the real (atomic) per-site lock; this pre-check only turns a refusal
into one clear line before Scrapy starts, and a crawl that never opened into a non-zero exit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click
from scrapy import Spider

from crawler.runner import CrawlOutcome, project_settings, run_spider
from pipelines.db.runs import CrawlLockedError, ensure_site_free


def run_checked(
    spidercls: type[Spider],
    settings: dict[str, Any],
    *,
    site: str,
    db_url: str,
    start_urls: Sequence[str] | None = None,
    **spider_kwargs: Any,
) -> CrawlOutcome:
    """Run ``spidercls`` for ``site``; raise :class:`click.ClickException` when it cannot run.

    ``start_urls`` are the columns the crawl reads: the lock is per start-URL set, so a run of
    another column of the same site does not block it (None: any run of the site does)."""
    effective = project_settings(settings)
    if effective.getbool("GOVNEWS_RUN_LOCK", True) and not effective.get("GOVNEWS_REDIS_URL"):
        try:
            ensure_site_free(db_url, site, start_urls=start_urls)
        except CrawlLockedError as exc:
            raise click.ClickException(str(exc)) from None
    outcome = run_spider(spidercls, settings, **spider_kwargs)
    if outcome.error:
        raise click.ClickException(f"the crawl could not run: {outcome.error}")
    if outcome.crawler.spider is None or outcome.finish_reason is None:
        raise click.ClickException("the crawl could not start (see the log above)")
    return outcome
