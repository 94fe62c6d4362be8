"""Site health from ``crawl_runs``: is each site still yielding complete articles?

Scheduled crawls of civic sites tend to fail silently: a redesign leaves the spider with zero
articles, or with articles that lost their dates. For every site this module reads its recent
runs and reports the last success, the last run's article count, fill rates, rejects and errors,
and raises flags:

- ``no_articles``: the last run stored no article *and* saw no already-known one (an incremental
  run with nothing new still sees known links on the list pages, so it is not flagged);
- ``<field>_fill_drop``: a fill rate (title, published, views, body) of the last run is more than
  ``drop_points`` percentage points below the median of the site's earlier runs;
- ``low_confidence_jump``: likewise for the share of articles extraction was sure of (no quality
  flag: body from a fallback, date from the URL …): a template change shows up here first;
- ``last_run_<status>``: the last run did not finish normally (killed, shut down, abandoned);
- ``stale``: with ``max_age``, no run finished within that long (the schedule stopped).
- ``column_short``: the last run read a column short of the size the column declares (共N页,
  共N条, a last-page link, totalRecord) without a deliberate stop (the spider's
  ``govnews/pagination/columns`` stats; a note per column says how far it got).
- ``column_empty``: given the columns a site's profile names (``govnews discover`` writes one
  start URL per column), a finished last run whose list pages of one of them showed no article
  link; ``columns_read`` says how many of them did (discovered vs crawled).

Each site's removed articles and recorded edits (``articles.removed_at``, ``article_revisions``)
are counted, with a note; they are the site's doing, not the crawler's, so they raise no flag.

Runs of ``govnews revisit`` (site ``revisit`` or ``revisit:<site>``) re-read view counts and
never store articles: they are judged by status and staleness only, with a note of the readings.

Fill rates come from the run's stats (``govnews/fill/*``, saved in ``crawl_runs.stats``); for
runs without them they are computed from the articles last written by that run.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Select, case, func, inspect, select

from pipelines.db.models import Article, CrawlRun
from pipelines.db.revisions import changes_per_site

FIELDS = ("title", "published", "views", "body", "confident")
_COLUMNS: dict[str, Any] = {
    "title": Article.title,
    "published": Article.published_at,
    "views": Article.views,
    "body": Article.body_text,
    # counted where not NULL: an article with no quality flag
    "confident": case((Article.quality.is_(None), 1)),
}
#: the flag a drop of each rate raises
_DROP_FLAGS = {f: f"{f}_fill_drop" for f in FIELDS} | {"confident": "low_confidence_jump"}
KNOWN_KEY = "govnews/spider/known_articles_skipped"
COLUMNS_KEY = "govnews/pagination/columns"
REVISIT = "revisit"
READINGS_KEY = "govnews/storage/view_counts"
REVISIT_ERRORS_KEY = "govnews/revisit/errors"


@dataclass
class RunHealth:
    """One finished run, as health sees it."""

    id: int
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    articles: int
    known_skipped: int
    rejects: int
    errors: int
    #: field -> percentage of the run's articles with that field filled (None: no articles)
    fill: dict[str, float | None] = field(default_factory=dict)
    #: columns read short of their declared size: "URL: reached 2 of 6 pages (…)"
    short_columns: list[str] = field(default_factory=list)
    #: start URL -> distinct article links its list pages showed (``reached_items``)
    columns: dict[str, int] = field(default_factory=dict)


@dataclass
class SiteHealth:
    site: str
    last_success_at: datetime | None
    last_run: RunHealth | None
    runs: int
    flags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: (columns of the profile whose list showed articles in the last run, columns of the
    #: profile), when the caller named the site's columns
    columns_read: tuple[int, int] | None = None
    #: "crawl", or "revisit" for govnews revisit's runs (judged by status only)
    kind: str = "crawl"
    #: articles of the site marked removed (their pages gone), and edits kept as revisions
    removed: int = 0
    revisions: int = 0

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("last_success_at",):
            out[key] = _iso(getattr(self, key))
        if out["last_run"] is not None:
            for key in ("started_at", "finished_at"):
                out["last_run"][key] = _iso(out["last_run"][key])
        return out


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def _fill_from_stats(stats: dict[str, Any]) -> tuple[int, dict[str, float | None]] | None:
    if "govnews/fill/articles" not in stats:
        return None
    total = int(stats.get("govnews/fill/articles") or 0)
    fill = {f: _pct(int(stats.get(f"govnews/fill/{f}") or 0), total) for f in FIELDS}
    if "govnews/fill/confident" not in stats:
        fill["confident"] = None  # a run from before quality flags were counted: unknown
    return total, fill


def _pct(part: int, total: int) -> float | None:
    return round(100.0 * part / total, 1) if total else None


def _fill_from_articles(engine: Engine, run_id: int) -> dict[str, float | None]:
    cols = [func.count(_COLUMNS[f]) for f in FIELDS]
    stmt = select(func.count(Article.id), *cols).where(Article.last_crawl_run_id == run_id)
    with engine.connect() as conn:
        row = conn.execute(stmt).one()
    total = int(row[0])
    return {f: _pct(int(row[i + 1]), total) for i, f in enumerate(FIELDS)}


def _run_health(engine: Engine, run: Any) -> RunHealth:
    stats: dict[str, Any] = run.stats if isinstance(run.stats, dict) else {}
    from_stats = _fill_from_stats(stats)
    fill = from_stats[1] if from_stats else _fill_from_articles(engine, run.id)
    return RunHealth(
        id=int(run.id),
        status=str(run.status),
        started_at=run.started_at,
        finished_at=run.finished_at,
        articles=int(run.items or 0),
        known_skipped=int(stats.get(KNOWN_KEY) or 0),
        rejects=int(run.rejects or 0),
        errors=int(run.errors or 0),
        fill=fill,
        short_columns=_short_columns(stats.get(COLUMNS_KEY)),
        columns=_column_items(stats.get(COLUMNS_KEY)),
    )


def _column_items(columns: object) -> dict[str, int]:
    if not isinstance(columns, dict):
        return {}
    return {
        str(url): int(col.get("reached_items") or 0)
        for url, col in columns.items()
        if isinstance(col, dict)
    }


def _short_columns(columns: object) -> list[str]:
    """One line per column the spider marked short (``govnews/pagination/columns``)."""
    if not isinstance(columns, dict):
        return []
    out = []
    for url, col in sorted(columns.items()):
        if not isinstance(col, dict) or not col.get("short"):
            continue
        parts = []
        if col.get("declared_pages"):
            parts.append(f"{col.get('reached_pages')} of {col['declared_pages']} pages")
        if col.get("declared_items"):
            parts.append(f"{col.get('reached_items')} of {col['declared_items']} items")
        out.append(f"{url}: reached {', '.join(parts)}")
    return out


def _sites_with_runs() -> Select[Any]:
    """The distinct sites of ``crawl_runs`` by a skip scan of its site index (the next site
    after each, a seek apiece), not a scan of every run: a recursive CTE, as neither SQLite nor
    PostgreSQL skips through an index by itself."""
    runs = CrawlRun.__table__
    first = select(func.min(runs.c.site).label("site")).cte("sites", recursive=True)
    after = select(func.min(runs.c.site)).where(runs.c.site > first.c.site).scalar_subquery()
    sites = first.union_all(select(after).where(first.c.site.is_not(None)))
    return select(sites.c.site).where(sites.c.site.is_not(None))


_SITES_WITH_RUNS = _sites_with_runs()


def site_health(
    engine: Engine,
    *,
    sites: list[str] | None = None,
    history: int = 10,
    drop_points: float = 30.0,
    min_articles: int = 3,
    max_age: timedelta | None = None,
    now: datetime | None = None,
    columns: Mapping[str, Sequence[str]] | None = None,
) -> list[SiteHealth]:
    """Health of every site with runs (or of ``sites``), ordered by site name; ``columns``
    (site -> its profile's start URLs) adds columns_read and the column_empty flag."""
    if not inspect(engine).has_table(CrawlRun.__tablename__):
        return [SiteHealth(s, None, None, 0, ["no_runs"]) for s in sites or []]
    runs_t = CrawlRun.__table__
    with engine.connect() as conn:
        known_sites = sorted(str(s) for s in conn.execute(_SITES_WITH_RUNS).scalars())
    changes = changes_per_site(engine)
    out = []
    for site in sites or known_sites:
        with engine.connect() as conn:
            rows = list(
                conn.execute(
                    select(runs_t)
                    .where(runs_t.c.site == site, runs_t.c.status != "running")
                    .order_by(runs_t.c.started_at.desc(), runs_t.c.id.desc())
                    .limit(history + 1)
                )
            )
            last_ok = conn.execute(
                select(func.max(runs_t.c.finished_at)).where(
                    runs_t.c.site == site, runs_t.c.status == "finished"
                )
            ).scalar()
        health = SiteHealth(site, last_ok, None, len(rows))
        if change := changes.get(site):  # the site's doing, not the crawl's: no flag
            health.removed, health.revisions = change.removed, change.revisions
            health.notes.extend(change.notes())
        if max_age is not None:
            ok_at = last_ok if last_ok is None or last_ok.tzinfo else last_ok.replace(tzinfo=UTC)
            if ok_at is None or (now or datetime.now(UTC)) - ok_at > max_age:
                health.flags.append("stale")
        if not rows:
            health.flags.append("no_runs")
            out.append(health)
            continue
        last = _run_health(engine, rows[0])
        health.last_run = last
        if is_revisit(site):
            _flag_revisit(health, rows[0])
            out.append(health)
            continue
        if expected := (columns or {}).get(site):
            _check_columns(health, last, expected)
        _flag(health, [_run_health(engine, r) for r in rows[1:]], drop_points, min_articles)
        out.append(health)
    return out


def _check_columns(health: SiteHealth, last: RunHealth, expected: Sequence[str]) -> None:
    """Discovered vs crawled: which of the profile's columns listed articles in the last run."""
    empty = [u for u in expected if not last.columns.get(u)]
    health.columns_read = (len(expected) - len(empty), len(expected))
    if empty and last.status == "finished":
        health.flags.append("column_empty")
        health.notes.extend(f"column listed no article: {url}" for url in empty)


def is_revisit(site: str) -> bool:
    """``govnews revisit`` records its runs as site ``revisit`` (or ``revisit:<site>``)."""
    return site == REVISIT or site.startswith(REVISIT + ":")


def _flag_revisit(health: SiteHealth, run: Any) -> None:
    """A revisit re-reads view counts of known articles: it never yields articles, so only its
    status (and staleness) can be wrong; the readings it stored are a note."""
    health.kind = "revisit"
    if run.status != "finished":
        health.flags.append(f"last_run_{run.status}")
    stats: dict[str, Any] = run.stats if isinstance(run.stats, dict) else {}
    readings = int(stats.get(READINGS_KEY) or 0)
    errors = int(stats.get(REVISIT_ERRORS_KEY) or 0)
    health.notes.append(f"revisit run: {readings} view-count readings stored, {errors} errors")


def _flag(
    health: SiteHealth, earlier: list[RunHealth], drop_points: float, min_articles: int
) -> None:
    last = health.last_run
    assert last is not None
    if last.status != "finished":
        health.flags.append(f"last_run_{last.status}")
    if last.short_columns:
        health.flags.append("column_short")
        health.notes.extend(f"column crawled short: {line}" for line in last.short_columns)
    if last.articles == 0 and last.known_skipped == 0:
        health.flags.append("no_articles")
    elif last.articles == 0:
        health.notes.append(f"no new articles ({last.known_skipped} known ones seen)")
    if last.articles < min_articles:
        return
    for f in FIELDS:
        now = last.fill.get(f)
        past = [r.fill[f] for r in earlier if r.fill.get(f) is not None and r.articles > 0]
        if now is None or not past:
            continue
        median = statistics.median(v for v in past if v is not None)
        if median - now > drop_points:
            health.flags.append(_DROP_FLAGS[f])
            what = "sure of every field" if f == "confident" else f"{f} filled"
            health.notes.append(f"{what} in {now:.0f}% of articles, usually {median:.0f}%")
