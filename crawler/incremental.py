"""What a scheduled re-crawl already has: the article URLs stored for a site.

Read with one plain SQL query against the ``articles`` table (the schema is a contract), so the
spider stays incremental however it is launched (``govnews crawl``, ``scrapy crawl``, Scrapyd).
A database without the table yet (first crawl) simply has no known URLs.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError


def _engine(db_url: str) -> Engine:
    """A plain engine; ``postgres://``/``postgresql://`` mean psycopg 3, as in the store."""
    for prefix in ("postgres://", "postgresql://"):
        if db_url.startswith(prefix):
            db_url = "postgresql+psycopg://" + db_url[len(prefix) :]
    return create_engine(db_url)


def load_known_urls(db_url: str, site: str) -> set[str]:
    """Article URLs already stored for ``site`` (empty when the database is new)."""
    engine = _engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT url FROM articles WHERE site = :site"), {"site": site})
            return {row[0] for row in rows}
    except (OperationalError, ProgrammingError):
        return set()
    finally:
        engine.dispose()


def previous_run_incomplete(db_url: str, site: str, exclude_id: int | None = None) -> bool:
    """Whether the site's latest other run did not finish (killed, shut down, abandoned).

    Then the next crawl resumes: it still skips stored articles but does not stop paginating at
    a page of known ones, because the pages after it may never have been read.
    """
    engine = _engine(db_url)
    try:
        with engine.connect() as conn:
            status = conn.execute(
                text(
                    "SELECT status FROM crawl_runs WHERE site = :site AND id != :id"
                    " ORDER BY id DESC LIMIT 1"
                ),
                {"site": site, "id": -1 if exclude_id is None else exclude_id},
            ).scalar()
    except (OperationalError, ProgrammingError):
        return False
    finally:
        engine.dispose()
    return status is not None and status != "finished"
