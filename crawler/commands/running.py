"""Start a crawl from the CLI: refuse overlapping runs up front, fail loudly when it cannot run.

The storage pipeline holds the real (atomic) per-site lock; this pre-check only turns a refusal
into one clear line before Scrapy starts, and a crawl that never opened into a non-zero exit.
A crawl whose items could not all be stored (``govnews/storage/errors``: a full disk, a lost
database) exits non-zero too (:func:`check_stored`), after its summary.
"""

from __future__ import annotations

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
    **spider_kwargs: Any,
) -> CrawlOutcome:
    """Run ``spidercls`` for ``site``; raise :class:`click.ClickException` when it cannot run."""
    effective = project_settings(settings)
    if effective.getbool("GOVNEWS_RUN_LOCK", True) and not effective.get("GOVNEWS_REDIS_URL"):
        try:
            ensure_site_free(db_url, site)
        except CrawlLockedError as exc:
            raise click.ClickException(str(exc)) from None
    outcome = run_spider(spidercls, settings, **spider_kwargs)
    if outcome.error:
        raise click.ClickException(f"the crawl could not run: {outcome.error}")
    if outcome.crawler.spider is None or outcome.finish_reason is None:
        raise click.ClickException("the crawl could not start (see the log above)")
    return outcome


def check_stored(outcome: CrawlOutcome) -> None:
    """Raise :class:`click.ClickException` (exit 1) when items could not be stored: a run that
    lost writes must not look like a success to cron or a scheduler."""
    failed = outcome.stat("govnews/storage/errors")
    if failed:
        raise click.ClickException(
            f"{failed} item(s) could not be stored (see the log); the run is not finished,"
            " and the next crawl tries them again once the database can write"
        )
