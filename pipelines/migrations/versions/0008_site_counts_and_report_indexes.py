"""``site_counts``: per-site counters kept by triggers, and the indexes the reports read.

``govnews stats`` and ``govnews health`` used to count over ``articles``, ``view_counts``,
``article_revisions`` and ``rejects`` at every call: their time grew with the table (issue 24,
a million articles). ``site_counts`` holds one row per site with the counts they print, kept
exact by row triggers on those four tables (the same counters on SQLite and PostgreSQL, whatever
process writes), filled once here from the existing rows. A re-crawl that changes none of the
counted facts (dated, has views, quality flags, media-only, removed) fires no counter update.
Deleting an article takes its view readings and revisions off its site before the cascade
deletes them (a BEFORE DELETE trigger: the children's own triggers then no longer find the
article); rows of a missing article are counted nowhere, as the old inner joins did. Rejects
without a site count under ``site = ''``.

Indexes: a site's latest ``last_seen_at`` and ``removed_at`` (partial), ``last_crawl_run_id``
(fill rates of runs without stats), a site's runs by start and its last finished one, a site's
rejects by URL and a run's rejects: each report and crawl plan reads by index seeks.

Revision ID: 0008
Revises: 0006 (re-chained after 0007 at merge)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: a counter of ``articles`` -> when a row counts (``{r}``: OLD or NEW)
FLAGS = {
    "undated": "{r}.published_at IS NULL",
    "with_views": "{r}.views IS NOT NULL",
    "low_confidence": "{r}.quality IS NOT NULL",
    "media_only": "{r}.body_kind <> 'text'",
    "removed": "{r}.removed_at IS NOT NULL",
}
COUNTERS = ("articles", *FLAGS, "view_readings", "revisions", "rejects")
LATEST_REVISION = (
    "(SELECT max(r.seen_at) FROM article_revisions r JOIN articles a ON a.id = r.article_id"
    " WHERE a.site = site_counts.site{extra})"
)
INDEXES: list[tuple[str, str, list[str], dict[str, object]]] = [
    ("ix_articles_site_last_seen_at", "articles", ["site", "last_seen_at"], {}),
    (
        "ix_articles_site_removed_at",
        "articles",
        ["site", "removed_at"],
        {
            "sqlite_where": sa.text("removed_at IS NOT NULL"),
            "postgresql_where": sa.text("removed_at IS NOT NULL"),
        },
    ),
    ("ix_articles_last_crawl_run_id", "articles", ["last_crawl_run_id"], {}),
    ("ix_crawl_runs_site_started_at", "crawl_runs", ["site", "started_at"], {}),
    ("ix_crawl_runs_site_status_finished_at", "crawl_runs", ["site", "status", "finished_at"], {}),
    ("ix_rejects_site_url", "rejects", ["site", "url"], {}),
    ("ix_rejects_crawl_run_id", "rejects", ["crawl_run_id"], {}),
]


def _flag(name: str, row: str) -> str:
    return f"(CASE WHEN {FLAGS[name].format(r=row)} THEN 1 ELSE 0 END)"


def _children(row: str, sign: str) -> str:
    """``view_readings``/``revisions`` moved by one article's rows."""
    return (
        f"view_readings = view_readings {sign}"
        f" (SELECT count(*) FROM view_counts WHERE article_id = {row}.id),"
        f" revisions = revisions {sign}"
        f" (SELECT count(*) FROM article_revisions WHERE article_id = {row}.id)"
    )


def _article_out(row: str, extra: str = "") -> str:
    """Take one article (with its readings and revisions) off its site's counters."""
    flags = ", ".join(f"{f} = {f} - {_flag(f, row)}" for f in FLAGS)
    return (
        f"UPDATE site_counts SET articles = articles - 1, {flags}, {_children(row, '-')},"
        f" last_revision_at = {LATEST_REVISION.format(extra=extra)} WHERE site = {row}.site"
    )


def _article_in(row: str, children: bool) -> str:
    """Add one article to its site's counters, creating the site's row."""
    cols = ", ".join(FLAGS)
    values = ", ".join(_flag(f, row) for f in FLAGS)
    sets = ", ".join(f"{c} = site_counts.{c} + excluded.{c}" for c in ("articles", *FLAGS))
    sql = (
        f"INSERT INTO site_counts (site, articles, {cols}) VALUES ({row}.site, 1, {values})"
        f" ON CONFLICT (site) DO UPDATE SET {sets}"
    )
    if children:
        sql += (
            f"; UPDATE site_counts SET {_children(row, '+')},"
            f" last_revision_at = {LATEST_REVISION.format(extra='')} WHERE site = {row}.site"
        )
    return sql


def _flags_changed() -> str:
    return " OR ".join(f"{_flag(f, 'old')} <> {_flag(f, 'new')}" for f in FLAGS)


def _site_of(row: str) -> str:
    return f"(SELECT site FROM articles WHERE id = {row}.article_id)"


def _reject(row: str, delta: str) -> str:
    return (
        "INSERT INTO site_counts (site, rejects)"
        f" VALUES (coalesce({row}.site, ''), {delta})"
        " ON CONFLICT (site) DO UPDATE SET rejects = site_counts.rejects + excluded.rejects"
    )


def _reading(row: str, sign: str) -> str:
    site = _site_of(row)
    return f"UPDATE site_counts SET view_readings = view_readings {sign} 1 WHERE site = {site}"


def _revision(row: str, delta: str) -> str:
    return (
        f"UPDATE site_counts SET revisions = revisions {delta} 1,"
        f" last_revision_at = {LATEST_REVISION.format(extra='')} WHERE site = {_site_of(row)}"
    )


def _bodies() -> dict[str, tuple[str, str, str]]:
    """trigger name -> (timing and event, WHEN condition or '', statements)."""
    same = ", ".join(f"{f} = {f} - {_flag(f, 'old')} + {_flag(f, 'new')}" for f in FLAGS)
    return {
        "site_counts_articles_ai": ("AFTER INSERT ON articles", "", _article_in("new", False)),
        "site_counts_articles_au": (
            "AFTER UPDATE ON articles",
            f"old.site = new.site AND ({_flags_changed()})",
            f"UPDATE site_counts SET {same} WHERE site = new.site",
        ),
        "site_counts_articles_au_site": (
            "AFTER UPDATE ON articles",
            "old.site <> new.site",
            f"{_article_out('old')}; {_article_in('new', True)}",
        ),
        "site_counts_articles_bd": (
            "BEFORE DELETE ON articles",
            "",
            _article_out("old", " AND r.article_id <> old.id"),
        ),
        "site_counts_views_ai": (
            "AFTER INSERT ON view_counts",
            "",
            _reading("new", "+"),
        ),
        "site_counts_views_ad": (
            "AFTER DELETE ON view_counts",
            "",
            _reading("old", "-"),
        ),
        "site_counts_views_au": (
            "AFTER UPDATE ON view_counts",
            "old.article_id <> new.article_id",
            f"{_reading('old', '-')}; {_reading('new', '+')}",
        ),
        "site_counts_revisions_ai": (
            "AFTER INSERT ON article_revisions",
            "",
            "UPDATE site_counts SET revisions = revisions + 1, last_revision_at = CASE"
            " WHEN last_revision_at IS NULL OR new.seen_at > last_revision_at THEN new.seen_at"
            f" ELSE last_revision_at END WHERE site = {_site_of('new')}",
        ),
        "site_counts_revisions_ad": (
            "AFTER DELETE ON article_revisions",
            "",
            _revision("old", "-"),
        ),
        "site_counts_revisions_au": (
            "AFTER UPDATE ON article_revisions",
            "old.article_id <> new.article_id OR old.seen_at <> new.seen_at",
            f"{_revision('old', '-')}; {_revision('new', '+')}",
        ),
        "site_counts_rejects_ai": ("AFTER INSERT ON rejects", "", _reject("new", "1")),
        "site_counts_rejects_ad": ("AFTER DELETE ON rejects", "", _reject("old", "-1")),
        "site_counts_rejects_au": (
            "AFTER UPDATE ON rejects",
            "coalesce(old.site, '') <> coalesce(new.site, '')",
            f"{_reject('old', '-1')}; {_reject('new', '1')}",
        ),
    }


def _create_triggers(dialect: str) -> None:
    for name, (event, when, body) in _bodies().items():
        statements = [s.strip() + ";" for s in body.split("; ")]
        if dialect == "sqlite":
            cond = f" WHEN {when}" if when else ""
            op.execute(
                f"CREATE TRIGGER {name} {event} FOR EACH ROW{cond} BEGIN\n  "
                + "\n  ".join(statements)
                + "\nEND"
            )
            continue
        back = "OLD" if "DELETE" in event else "NEW"
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  "
            + "\n  ".join(statements)
            + f"\n  RETURN {back};\nEND $$"
        )
        cond = f" WHEN ({when})" if when else ""
        op.execute(f"CREATE TRIGGER {name} {event} FOR EACH ROW{cond} EXECUTE FUNCTION {name}()")


def _backfill() -> None:
    flags = ", ".join(f"sum({_flag(f, 'a')})" for f in FLAGS)
    op.execute(
        f"INSERT INTO site_counts (site, articles, {', '.join(FLAGS)})"
        f" SELECT a.site, count(*), {flags} FROM articles a GROUP BY a.site"
    )
    op.execute(
        "INSERT INTO site_counts (site) SELECT DISTINCT coalesce(site, '') FROM rejects r"
        " WHERE NOT EXISTS (SELECT 1 FROM site_counts c WHERE c.site = coalesce(r.site, ''))"
    )
    op.execute(
        "UPDATE site_counts SET"
        " view_readings = (SELECT count(*) FROM view_counts v JOIN articles a"
        " ON a.id = v.article_id WHERE a.site = site_counts.site),"
        " revisions = (SELECT count(*) FROM article_revisions r JOIN articles a"
        " ON a.id = r.article_id WHERE a.site = site_counts.site),"
        f" last_revision_at = {LATEST_REVISION.format(extra='')},"
        " rejects = (SELECT count(*) FROM rejects r"
        " WHERE coalesce(r.site, '') = site_counts.site)"
    )


def upgrade() -> None:
    counters = [sa.Column(c, sa.BigInteger(), server_default="0", nullable=False) for c in COUNTERS]
    op.create_table(
        "site_counts",
        sa.Column("site", sa.String(length=200), nullable=False),
        *counters,
        sa.Column("last_revision_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("site", name=op.f("pk_site_counts")),
    )
    for name, table, cols, kw in INDEXES:
        op.create_index(name, table, cols, **kw)  # type: ignore[arg-type]
    dialect = op.get_bind().dialect.name
    _backfill()
    _create_triggers(dialect)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, (event, _when, _body) in _bodies().items():
        table = event.rsplit(" ", 1)[-1]
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    for name, table, _cols, _kw in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table("site_counts")
