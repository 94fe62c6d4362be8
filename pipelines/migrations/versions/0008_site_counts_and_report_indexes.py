"""``site_counts``: per-site counters kept by triggers, and the indexes the reports read.

``govnews stats`` and ``govnews health`` used to count over ``articles``, ``view_counts``,
``article_revisions`` and ``rejects`` at every call: their time grew with the table (issue 24,
a million articles). ``site_counts`` holds one row per site with the counts they print, kept
exact by row triggers on those four tables (the same counters on SQLite and PostgreSQL, whatever
process writes), filled once here from the existing rows. A re-crawl that changes none of the
counted facts (dated, has views, quality flags, media-only, removed) fires no counter update.
On SQLite the triggers run per row; on PostgreSQL per statement, over its transition tables
(one counter update per site and statement: per-row updates of one counter row in a long
transaction pile up row versions that every later update walks, quadratic in a bulk load).
Deleting an article takes its view readings and revisions off its site before the cascade
deletes them (a BEFORE DELETE trigger: the children's own triggers then no longer find the
article); rows of a missing article are counted nowhere, as the old inner joins did. Rejects
without a site count under ``site = ''``.

Indexes: a site's latest ``last_seen_at`` and ``removed_at`` (partial), ``last_crawl_run_id``
(fill rates of runs without stats), a site's runs by start, a site's rejects by URL and a run's
rejects: each report and crawl plan reads by index seeks. Nothing indexes ``crawl_runs.status``
or ``finished_at``: on a full disk, finishing a run must rewrite only its own row.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
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


def _create_sqlite_triggers() -> None:
    for name, (event, when, body) in _bodies().items():
        statements = [s.strip() + ";" for s in body.split("; ")]
        cond = f" WHEN {when}" if when else ""
        op.execute(
            f"CREATE TRIGGER {name} {event} FOR EACH ROW{cond} BEGIN\n  "
            + "\n  ".join(statements)
            + "\nEND"
        )


def _sums(row: str, sign: str) -> str:
    """``articles`` and flag deltas of the rows ``row``, for an aggregate over a site."""
    flags = ", ".join(f"{sign}{_flag(f, row)} AS {f}" for f in FLAGS)
    return f"{row}.site, {sign}1 AS articles, {flags}"


def _add_articles(deltas: str) -> str:
    """Add per-site sums of ``deltas`` (rows of site, articles, flags) to the counters."""
    cols = ("articles", *FLAGS)
    sums = ", ".join(f"sum({c})" for c in cols)
    nonzero = " OR ".join(f"sum({c}) <> 0" for c in cols)
    sets = ", ".join(f"{c} = site_counts.{c} + excluded.{c}" for c in cols)
    return (
        f"INSERT INTO site_counts (site, {', '.join(cols)}) SELECT site, {sums} FROM ({deltas}) d"
        f" GROUP BY site HAVING {nonzero} ON CONFLICT (site) DO UPDATE SET {sets}"
    )


def _add_children(table: str, rows: str, sign: str, column: str) -> str:
    """Add (``+``) or take off (``-``) the per-site count of ``rows`` of ``table``."""
    return (
        f"UPDATE site_counts SET {column} = site_counts.{column} {sign} d.n FROM"
        f" (SELECT a.site, count(*) AS n FROM {rows} x JOIN articles a ON a.id = x.article_id"
        f" GROUP BY a.site) d WHERE site_counts.site = d.site"
    )


def _latest_revision_of(rows: str) -> str:
    return (
        f"UPDATE site_counts SET last_revision_at = {LATEST_REVISION.format(extra='')}"
        f" WHERE site IN (SELECT a.site FROM {rows} x JOIN articles a ON a.id = x.article_id)"
    )


def _add_rejects(rows: str, sign: str) -> str:
    return (
        f"INSERT INTO site_counts (site, rejects) SELECT coalesce(site, ''), {sign}count(*)"
        f" FROM {rows} GROUP BY coalesce(site, '')"
        " ON CONFLICT (site) DO UPDATE SET rejects = site_counts.rejects + excluded.rejects"
    )


def _pg_statement_bodies() -> dict[str, tuple[str, str, list[str]]]:
    """trigger name -> (event, REFERENCING clause, statements), per statement."""
    new, old = "NEW TABLE AS new_rows", "OLD TABLE AS old_rows"
    moved = (
        "(SELECT o.id AS article_id, o.site AS old_site FROM old_rows o"
        " JOIN new_rows n ON n.id = o.id WHERE o.site <> n.site)"
    )
    return {
        "site_counts_articles_ai": (
            "INSERT ON articles",
            new,
            [_add_articles(f"SELECT {_sums('n', '')} FROM new_rows n")],
        ),
        "site_counts_articles_au": (
            "UPDATE ON articles",
            f"{old} {new}",
            [
                _add_articles(
                    f"SELECT {_sums('o', '-')} FROM old_rows o"
                    f" UNION ALL SELECT {_sums('n', '')} FROM new_rows n"
                ),
                # an article moved to another site takes its readings and revisions along
                "IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id"
                " WHERE o.site <> n.site) THEN RETURN NULL; END IF",
                *(
                    f"UPDATE site_counts SET {col} = site_counts.{col} + d.n FROM"
                    f" (SELECT s.site, sum(s.n) AS n FROM (SELECT m.old_site AS site,"
                    f" -count(*) AS n FROM {moved} m JOIN {table} x ON x.article_id ="
                    " m.article_id GROUP BY m.old_site UNION ALL SELECT a.site, count(*)"
                    f" FROM {moved} m JOIN {table} x ON x.article_id = m.article_id"
                    " JOIN articles a ON a.id = m.article_id GROUP BY a.site) s"
                    " GROUP BY s.site) d WHERE site_counts.site = d.site AND d.n <> 0"
                    for table, col in (
                        ("view_counts", "view_readings"),
                        ("article_revisions", "revisions"),
                    )
                ),
                f"UPDATE site_counts SET last_revision_at = {LATEST_REVISION.format(extra='')}"
                " WHERE site IN (SELECT o.site FROM old_rows o JOIN new_rows n ON n.id = o.id"
                " WHERE o.site <> n.site UNION SELECT n.site FROM old_rows o JOIN new_rows n"
                " ON n.id = o.id WHERE o.site <> n.site)",
            ],
        ),
        "site_counts_views_ai": (
            "INSERT ON view_counts",
            new,
            [_add_children("view_counts", "new_rows", "+", "view_readings")],
        ),
        "site_counts_views_ad": (
            "DELETE ON view_counts",
            old,
            [_add_children("view_counts", "old_rows", "-", "view_readings")],
        ),
        "site_counts_views_au": (
            "UPDATE ON view_counts",
            f"{old} {new}",
            [
                _add_children("view_counts", "old_rows", "-", "view_readings"),
                _add_children("view_counts", "new_rows", "+", "view_readings"),
            ],
        ),
        "site_counts_revisions_ai": (
            "INSERT ON article_revisions",
            new,
            [
                "UPDATE site_counts SET revisions = site_counts.revisions + d.n,"
                " last_revision_at = greatest(site_counts.last_revision_at, d.last) FROM"
                " (SELECT a.site, count(*) AS n, max(x.seen_at) AS last FROM new_rows x"
                " JOIN articles a ON a.id = x.article_id GROUP BY a.site) d"
                " WHERE site_counts.site = d.site"
            ],
        ),
        "site_counts_revisions_ad": (
            "DELETE ON article_revisions",
            old,
            [
                _add_children("article_revisions", "old_rows", "-", "revisions"),
                _latest_revision_of("old_rows"),
            ],
        ),
        "site_counts_revisions_au": (
            "UPDATE ON article_revisions",
            f"{old} {new}",
            [
                _add_children("article_revisions", "old_rows", "-", "revisions"),
                _add_children("article_revisions", "new_rows", "+", "revisions"),
                _latest_revision_of("old_rows"),
                _latest_revision_of("new_rows"),
            ],
        ),
        "site_counts_rejects_ai": ("INSERT ON rejects", new, [_add_rejects("new_rows", "")]),
        "site_counts_rejects_ad": ("DELETE ON rejects", old, [_add_rejects("old_rows", "-")]),
        "site_counts_rejects_au": (
            "UPDATE ON rejects",
            f"{old} {new}",
            [_add_rejects("old_rows", "-"), _add_rejects("new_rows", "")],
        ),
    }


def _pg_function(name: str, statements: list[str], back: str) -> None:
    op.execute(
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  "
        + ";\n  ".join(statements)
        + f";\n  RETURN {back};\nEND $$"
    )


def _create_pg_triggers() -> None:
    for name, (event, referencing, statements) in _pg_statement_bodies().items():
        # the upsert runs one statement per row, and INSERT … ON CONFLICT fires the INSERT and
        # the UPDATE statement triggers both: the one with no rows returns at once
        rows = "old_rows" if event.startswith("DELETE") else "new_rows"
        guard = f"IF NOT EXISTS (SELECT 1 FROM {rows}) THEN RETURN NULL; END IF"
        _pg_function(name, [guard, *statements], "NULL")
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} REFERENCING {referencing}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    # before the cascade deletes the article's readings and revisions: per row (deletes are rare)
    name = "site_counts_articles_bd"
    _pg_function(name, [_article_out("old", " AND r.article_id <> old.id")], "OLD")
    op.execute(
        f"CREATE TRIGGER {name} BEFORE DELETE ON articles FOR EACH ROW EXECUTE FUNCTION {name}()"
    )


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
    if dialect == "sqlite":
        _create_sqlite_triggers()
    else:
        _create_pg_triggers()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    names = {name: event.rsplit(" ", 1)[-1] for name, (event, _w, _b) in _bodies().items()}
    for name, table in names.items():
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    for name, table, _cols, _kw in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table("site_counts")
