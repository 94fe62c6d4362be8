"""``govnews revisit``: fresh view-count readings for known articles, on a decaying schedule.

View counts grow fastest just after publication, so an article is due for a new reading daily
during its first week (counted from ``first_seen_at``), weekly until it is three months old and
monthly after that; ``--older-than`` replaces the schedule with "last reading older than D".
Only articles that had a count are revisited. The readings are appended to ``view_counts`` by
the storage pipeline (``articles.views`` follows the latest) as one ``crawl_runs`` row; an
article page read on the way records an edit (``article_revisions``) or a removal
(``articles.removed_at``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import click
from sqlalchemy import func, inspect, select

from crawler.commands.common import db_option, quiet_option, resolve_db, settings_option
from crawler.commands.crawl import crawl_settings
from crawler.commands.running import check_stored, exit_if_interrupted, run_checked
from crawler.spiders.revisit import RevisitSpider, RevisitTarget
from pipelines.db.models import Article, ViewCount
from pipelines.db.session import make_engine

#: (article age below, reading interval): the decaying schedule
SCHEDULE: tuple[tuple[timedelta, timedelta], ...] = (
    (timedelta(days=7), timedelta(days=1)),
    (timedelta(days=90), timedelta(days=7)),
)
LATE_INTERVAL = timedelta(days=30)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")


def parse_duration(text: str) -> timedelta:
    """``90m``, ``6h``, ``1d12h``, ``2w``, ``0`` -> timedelta; ValueError otherwise."""
    s = text.strip().lower()
    if s in ("0", "now"):
        return timedelta(0)
    pos, seconds = 0, 0.0
    for m in _DURATION_RE.finditer(s):
        if s[pos : m.start()].strip():
            break
        seconds += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if pos == 0 or s[pos:].strip():
        raise ValueError(f"{text!r} is not a duration like 30m, 6h, 1d or 2w")
    return timedelta(seconds=seconds)


def interval_for(age: timedelta) -> timedelta:
    """How long a reading stays fresh for an article of this age."""
    for below, interval in SCHEDULE:
        if age < below:
            return interval
    return LATE_INTERVAL


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Known:
    """An article with a count, and its latest reading."""

    url: str
    site: str
    first_seen_at: datetime
    last_observed_at: datetime
    method: str | None
    self_incremented: bool
    counter_url: str | None = None


def due_articles(
    known: list[Known], now: datetime, older_than: timedelta | None = None, limit: int | None = None
) -> list[Known]:
    """The articles whose latest reading is stale, most overdue first."""
    due: list[tuple[timedelta, Known]] = []
    for k in known:
        last = _aware(k.last_observed_at)
        if older_than is not None:
            fresh_until = last + older_than
        else:
            fresh_until = last + interval_for(last - _aware(k.first_seen_at))
        if now >= fresh_until:
            due.append((now - fresh_until, k))
    due.sort(key=lambda pair: (-pair[0].total_seconds(), pair[1].url))
    picked = [k for _, k in due]
    return picked[:limit] if limit is not None else picked


def load_known(db_url: str, site: str | None) -> list[Known]:
    """Articles that have at least one view reading, with their latest one."""
    latest = (
        select(ViewCount.article_id, func.max(ViewCount.observed_at).label("last"))
        .group_by(ViewCount.article_id)
        .subquery()
    )
    stmt = (
        select(
            Article.url,
            Article.site,
            Article.first_seen_at,
            Article.methods,
            latest.c.last,
            ViewCount.method,
            ViewCount.self_incremented,
        )
        .join(latest, latest.c.article_id == Article.id)
        .join(
            ViewCount,
            (ViewCount.article_id == Article.id) & (ViewCount.observed_at == latest.c.last),
        )
        .order_by(Article.id)
    )
    if site:
        stmt = stmt.where(Article.site == site)
    engine = make_engine(db_url)
    out: dict[str, Known] = {}
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table(ViewCount.__tablename__):
                return []  # nothing was ever crawled into this database
            for url, site_, first, methods, last, method, self_inc in conn.execute(stmt):
                counter_url = (methods or {}).get("views_counter_url")
                out.setdefault(
                    url,
                    Known(
                        url,
                        site_,
                        first,
                        last,
                        method,
                        bool(self_inc),
                        counter_url if isinstance(counter_url, str) else None,
                    ),
                )
    finally:
        engine.dispose()
    return list(out.values())


def _duration(_ctx: click.Context, _param: click.Parameter, value: str | None) -> timedelta | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command()
@db_option
@click.option("--site", default=None, help="Only articles of this site (the articles.site value).")
@click.option(
    "--older-than",
    metavar="DURATION",
    callback=_duration,
    default=None,
    help="Re-read every article whose last reading is older than this (30m, 6h, 1d, 2w; 0 = "
    "all), instead of the schedule (daily in the first week, weekly to 3 months, then monthly).",
)
@click.option("--max", "max_n", type=click.IntRange(min=1), default=None, help="At most N.")
@settings_option
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's INFO log.")
@quiet_option
def revisit(
    db: str | None,
    site: str | None,
    older_than: timedelta | None,
    max_n: int | None,
    extra: dict[str, str],
    verbose: bool,
    quiet: bool,
) -> None:
    """Re-read the view counts of known articles and append them to view_counts.

    Reads only the counter when its URL is stored, else the article page (and then its
    counter, once). Counters that add a hit are corrected for our own. A page read is also
    checked: changed text keeps the old one in article_revisions, a page that is gone (404,
    410, "该信息已删除") sets articles.removed_at.

    \b
    Example:
        govnews revisit                       # whatever the schedule says is due
        govnews revisit --site tangshan_gxq --older-than 6h --max 500
    """
    from crawler.settings import GOVNEWS_SITES_DIRS
    from crawler.sites.profile import available_profiles

    db_url = resolve_db(db)
    now = datetime.now(UTC)
    due = due_articles(load_known(db_url, site), now, older_than, max_n)
    if not due:
        click.echo("nothing is due for a new view-count reading")
        return
    targets = [
        RevisitTarget(k.url, k.site, k.method, k.counter_url, k.self_incremented) for k in due
    ]
    settings: dict[str, Any] = crawl_settings(db_url, quiet, verbose)
    settings.update(extra)
    outcome = run_checked(
        RevisitSpider,
        settings,
        site=f"revisit:{site}" if site else "revisit",
        db_url=db_url,
        targets=targets,
        profiles=available_profiles(GOVNEWS_SITES_DIRS),
        site_name=f"revisit:{site}" if site else "revisit",
    )
    stored = outcome.stat("govnews/storage/view_counts")
    errors = outcome.stat("govnews/revisit/errors")
    changed = outcome.stat("govnews/storage/revisions")
    removed = outcome.stat("govnews/storage/removals")
    click.echo(
        f"revisit: {len(due)} due, {stored} readings stored, {changed} changed, {removed} removed,"
        f" {errors} errors in {outcome.seconds:.1f}s"
    )
    exit_if_interrupted(outcome)
    check_stored(outcome)
    if stored == 0 and errors:
        raise click.ClickException(f"revisit stored no reading: all {errors} reads failed")
