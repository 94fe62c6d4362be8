"""Indexes for 1- and 2-character search terms, so that they no longer fall to a scan.

SQLite: ``articles_fts`` is rebuilt with a two-newline sentinel after ``title`` and
``body_text`` (0002 appended one), so that every occurrence of a *1-character* term, the last
character of a column included, starts an indexed trigram; ``pipelines/db/search.py`` expands
such a term into the trigrams that start with it, as it did for 2-character terms.
PostgreSQL: ``ix_articles_text_chars``, a GIN index over the set of characters of
``lower(title || body_text)`` (``string_to_array(..., NULL)`` splits into characters, a built-in
and immutable function, so no extension is needed): a 1- or 2-character term narrows to the
articles holding all its characters (pg_trgm cannot serve terms shorter than a trigram). The
index is left out of ``alembic check`` by ``include_name`` in env.py, like 0002's.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE = "char(10)"
TWO = "char(10) || char(10)"
PG_CHARS = (
    "CREATE INDEX IF NOT EXISTS ix_articles_text_chars ON articles"
    " USING gin ((string_to_array(lower(title || body_text), NULL)))"
)


def fts_statements(sentinel: str) -> list[str]:
    """Drop and recreate 0002's FTS5 table, its source view and triggers with ``sentinel``
    appended to each column, then rebuild the index from ``articles``."""
    t, b = f"title || {sentinel}", f"body_text || {sentinel}"
    old_t, old_b = f"old.{t}", f"old.{b}"
    new_t, new_b = f"new.{t}", f"new.{b}"
    return [
        "DROP TRIGGER IF EXISTS articles_fts_au",
        "DROP TRIGGER IF EXISTS articles_fts_ad",
        "DROP TRIGGER IF EXISTS articles_fts_ai",
        "DROP TABLE IF EXISTS articles_fts_vocab",
        "DROP TABLE IF EXISTS articles_fts",
        "DROP VIEW IF EXISTS articles_fts_src",
        f"CREATE VIEW articles_fts_src AS SELECT id, {t} AS title, {b} AS body_text FROM articles",
        "CREATE VIRTUAL TABLE articles_fts USING fts5(title, body_text,"
        " content='articles_fts_src', content_rowid='id', tokenize='trigram')",
        "CREATE VIRTUAL TABLE articles_fts_vocab USING fts5vocab(articles_fts, row)",
        f"""CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
  INSERT INTO articles_fts(rowid, title, body_text) VALUES (new.id, {new_t}, {new_b});
END""",
        f"""CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
  INSERT INTO articles_fts(articles_fts, rowid, title, body_text)
  VALUES ('delete', old.id, {old_t}, {old_b});
END""",
        f"""CREATE TRIGGER articles_fts_au AFTER UPDATE OF id, title, body_text ON articles
WHEN old.id IS NOT new.id OR old.title IS NOT new.title OR old.body_text IS NOT new.body_text
BEGIN
  INSERT INTO articles_fts(articles_fts, rowid, title, body_text)
  VALUES ('delete', old.id, {old_t}, {old_b});
  INSERT INTO articles_fts(rowid, title, body_text) VALUES (new.id, {new_t}, {new_b});
END""",
        "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
    ]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for stmt in fts_statements(TWO):
            op.execute(stmt)
    elif dialect == "postgresql":
        op.execute(PG_CHARS)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for stmt in fts_statements(ONE):
            op.execute(stmt)
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_articles_text_chars")
