"""Start a crawl from the CLI: refuse overlapping runs up front, fail loudly when it cannot run,
and end with the exit status the run deserves.

The storage pipeline holds the real (atomic) per-site lock; this pre-check only turns a refusal
into one clear line before Scrapy starts, and a crawl that never opened into a non-zero exit.
After the crawl: exit 130 when Ctrl-C stopped it (SIGTERM, a deliberate stop by a service
manager, exits 0; both record the run as ``interrupted``), 1 when items could not be stored
(``govnews/storage/errors``: a full disk, a lost database; :func:`check_stored`) or when it
stored nothing because pages failed (every start URL unreachable, every article rejected),
else 0.
"""

from __future__ import annotations

import signal
from collections.abc import Sequence
from typing import Any

import click
from scrapy import Spider

from crawler.commands.summary import crawl_summary, failed_pages, print_summary
from crawler.runtime.interrupt import EXIT_INTERRUPTED
from crawler.runtime.runner import CrawlOutcome, project_settings, run_spider
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


def finish_command(outcome: CrawlOutcome, db_url: str, what: str) -> None:
    """Print the summary of a crawl run by ``govnews crawl``/``demo`` and exit as it deserves."""
    row = crawl_summary(outcome, db_url)
    if outcome.interrupted:
        print_summary(f"{what} interrupted", row)
        _exit_interrupted(outcome)
        return
    print_summary(f"{what} finished", row)
    check_stored(outcome)
    if int(row.get("articles", 0)):
        return
    failed, errors = failed_pages(outcome, db_url), outcome.stat("log_count/ERROR")
    if failed or errors:
        raise click.ClickException(
            f"{what} stored no article: {failed} pages could not be read, {errors} errors"
            " (see the rejects table: govnews health)"
        )


def exit_if_interrupted(outcome: CrawlOutcome) -> None:
    """Exit 130 when Ctrl-C or SIGTERM stopped the run (for commands without a summary)."""
    if outcome.interrupted:
        click.echo("interrupted", err=True)
        _exit_interrupted(outcome)


def _exit_interrupted(outcome: CrawlOutcome) -> None:
    if outcome.stopped_by == signal.SIGINT:
        raise click.exceptions.Exit(EXIT_INTERRUPTED)


def check_stored(outcome: CrawlOutcome) -> None:
    """Raise :class:`click.ClickException` (exit 1) when items could not be stored: a run that
    lost writes must not look like a success to cron or a scheduler."""
    failed = outcome.stat("govnews/storage/errors")
    if failed:
        raise click.ClickException(
            f"{failed} item(s) could not be stored (see the log); the run is not finished,"
            " and the next crawl tries them again once the database can write"
        )
