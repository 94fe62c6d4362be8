"""Full-text search and analyst views.

SQLite: ``articles_fts``, an FTS5 table with the trigram tokenizer over ``title`` and
``body_text``, external content read through the view ``articles_fts_src`` (each column followed
by a newline sentinel so that every 2-character term starts an indexed trigram), kept in sync by
triggers on ``articles``; ``articles_fts_vocab`` (fts5vocab) lists the indexed trigrams so that
2-character terms can be expanded (see ``pipelines/db/search.py``).
PostgreSQL: ``pg_trgm`` GIN indexes on ``title`` and ``body_text`` (serve ILIKE '%term%').
Both: the views ``v_articles_latest``, ``v_view_deltas_daily``, ``v_articles_per_site_month``.
Days and months are calendar days in Asia/Shanghai (times are stored in UTC).

Autogenerate does not see views, virtual tables or triggers; the ``*_trgm`` indexes are left out
of ``alembic check`` by ``include_name`` in env.py. Note for later revisions: a SQLite batch
rebuild of ``articles`` drops these triggers and trips over the views; drop them first
(:func:`downgrade` does) and recreate them after (:func:`upgrade`'s helpers).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_SEARCH = [
    "CREATE VIEW articles_fts_src AS SELECT id, title || char(10) AS title,"
    " body_text || char(10) AS body_text FROM articles",
    "CREATE VIRTUAL TABLE articles_fts USING fts5(title, body_text,"
    " content='articles_fts_src', content_rowid='id', tokenize='trigram')",
    "CREATE VIRTUAL TABLE articles_fts_vocab USING fts5vocab(articles_fts, row)",
    """CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
  INSERT INTO articles_fts(rowid, title, body_text)
  VALUES (new.id, new.title || char(10), new.body_text || char(10));
END""",
    """CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
  INSERT INTO articles_fts(articles_fts, rowid, title, body_text)
  VALUES ('delete', old.id, old.title || char(10), old.body_text || char(10));
END""",
    """CREATE TRIGGER articles_fts_au AFTER UPDATE OF id, title, body_text ON articles
WHEN old.id IS NOT new.id OR old.title IS NOT new.title OR old.body_text IS NOT new.body_text
BEGIN
  INSERT INTO articles_fts(articles_fts, rowid, title, body_text)
  VALUES ('delete', old.id, old.title || char(10), old.body_text || char(10));
  INSERT INTO articles_fts(rowid, title, body_text)
  VALUES (new.id, new.title || char(10), new.body_text || char(10));
END""",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
]
SQLITE_SEARCH_DROP = [
    "DROP TRIGGER IF EXISTS articles_fts_au",
    "DROP TRIGGER IF EXISTS articles_fts_ad",
    "DROP TRIGGER IF EXISTS articles_fts_ai",
    "DROP TABLE IF EXISTS articles_fts_vocab",
    "DROP TABLE IF EXISTS articles_fts",
    "DROP VIEW IF EXISTS articles_fts_src",
]
PG_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_articles_title_trgm ON articles USING gin (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_articles_body_text_trgm"
    " ON articles USING gin (body_text gin_trgm_ops)",
]
PG_SEARCH_DROP = [
    "DROP INDEX IF EXISTS ix_articles_body_text_trgm",
    "DROP INDEX IF EXISTS ix_articles_title_trgm",
]

# Calendar day / month of a UTC timestamp in Asia/Shanghai (UTC+8, no daylight saving).
DAY = {
    "sqlite": "date({col}, '+8 hours')",
    "postgresql": "(({col}) AT TIME ZONE 'Asia/Shanghai')::date",
}
MONTH = {
    "sqlite": "strftime('%Y-%m', {col}, '+8 hours')",
    "postgresql": "to_char(({col}) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')",
}

V_ARTICLES_LATEST = """CREATE VIEW v_articles_latest AS
SELECT a.id, a.site, a.column_name, a.title, a.url, a.published_at,
       {month} AS month,
       a.views, vc.views AS latest_views, vc.observed_at AS views_observed_at,
       a.source, a.author, a.first_seen_at, a.last_seen_at
FROM articles a
LEFT JOIN view_counts vc ON vc.id = (
    SELECT v2.id FROM view_counts v2 WHERE v2.article_id = a.id
    ORDER BY v2.observed_at DESC, v2.id DESC LIMIT 1)"""

V_VIEW_DELTAS_DAILY = """CREATE VIEW v_view_deltas_daily AS
WITH readings AS (
    SELECT article_id, {day} AS day, views, observed_at,
           ROW_NUMBER() OVER (PARTITION BY article_id, {day}
                              ORDER BY observed_at DESC, id DESC) AS rn
    FROM view_counts
)
SELECT r.article_id, a.site, a.title, r.day, r.views, r.observed_at,
       r.views - LAG(r.views) OVER (PARTITION BY r.article_id ORDER BY r.day) AS delta_views
FROM readings r JOIN articles a ON a.id = r.article_id
WHERE r.rn = 1"""

V_ARTICLES_PER_SITE_MONTH = """CREATE VIEW v_articles_per_site_month AS
SELECT site, {month} AS month, COUNT(*) AS articles,
       COUNT(views) AS with_views, SUM(views) AS total_views
FROM articles
GROUP BY site, {month}"""

VIEWS = ("v_articles_per_site_month", "v_view_deltas_daily", "v_articles_latest")


def create_views(dialect: str) -> None:
    day = DAY[dialect]
    month = MONTH[dialect]
    op.execute(V_ARTICLES_LATEST.format(month=month.format(col="a.published_at")))
    op.execute(V_VIEW_DELTAS_DAILY.format(day=day.format(col="observed_at")))
    op.execute(V_ARTICLES_PER_SITE_MONTH.format(month=month.format(col="published_at")))


def drop_views() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for stmt in SQLITE_SEARCH:
            op.execute(stmt)
    elif dialect == "postgresql":
        for stmt in PG_SEARCH:
            op.execute(stmt)
    if dialect in DAY:
        create_views(dialect)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    drop_views()
    if dialect == "sqlite":
        for stmt in SQLITE_SEARCH_DROP:
            op.execute(stmt)
    elif dialect == "postgresql":
        for stmt in PG_SEARCH_DROP:
            op.execute(stmt)
