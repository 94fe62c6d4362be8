"""Streaming export of ``article_revisions``: each kept text beside its article's URL and site.

``govnews export --revisions`` writes these rows with the writers of :mod:`pipelines.db.export`
(CSV with BOM, JSON Lines, Parquet), one row per revision in article then time order; ``site``
and the ``since``/``until`` bounds of :class:`~pipelines.db.export.ExportOptions` select by the
article's site and by ``seen_at`` (when the change was seen), since a revision's question is
"what changed when".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from sqlalchemy import Engine, Select, select

from pipelines.db.export import ExportOptions, Progress, as_utc, filtered, write_values
from pipelines.db.models import Article, ArticleRevision

#: the columns of a revision export, in order
REVISION_COLUMNS = (
    "id",
    "article_id",
    "site",
    "url",
    "seen_at",
    "changed",
    "title",
    "published_at",
    "body_text",
    "body_html",
    "content_hash",
)
_TIMES = ("seen_at", "published_at")


def revisions_query(engine: Engine, opts: ExportOptions) -> Select[Any]:
    rev = ArticleRevision.__table__
    art = Article.__table__
    cols = [art.c[n] if n in ("site", "url") else rev.c[n] for n in REVISION_COLUMNS]
    stmt = (
        select(*cols)
        .join(art, art.c.id == rev.c.article_id)
        .order_by(rev.c.article_id, rev.c.seen_at, rev.c.id)
    )
    return filtered(stmt, engine, opts, rev.c.seen_at)


def iter_revisions(engine: Engine, opts: ExportOptions) -> Iterator[dict[str, Any]]:
    """One dict per revision (times in UTC), read through a streaming cursor."""
    stmt = revisions_query(engine, opts)
    with engine.connect() as conn:
        options = conn.execution_options(stream_results=True, yield_per=opts.batch_size)
        for row in options.execute(stmt).mappings():
            out = dict(row)
            for name in _TIMES:
                out[name] = as_utc(out[name])
            yield out


def export_revisions(
    engine: Engine, fmt: str, out: IO[bytes] | str, opts: ExportOptions, progress: Progress | None
) -> int:
    """Write the selected revisions to ``out`` in ``fmt``; returns the number of revisions."""
    rows = ([row[c] for c in REVISION_COLUMNS] for row in iter_revisions(engine, opts))
    return write_values(rows, REVISION_COLUMNS, fmt, out, progress, opts.batch_size)
