"""Full-text search over article title and body, for SQLite and PostgreSQL.

Semantics are those of a case-insensitive substring scan: a query is split on whitespace into
terms, and an article matches when every term occurs in its title or its body. The index only
narrows the candidates; the final filter is always ``LIKE``/``ILIKE`` on ``articles``, so results
equal a LIKE scan whatever the index can or cannot serve.

* SQLite: ``articles_fts`` (FTS5, trigram tokenizer, migration 0002) indexes ``title`` and
  ``body_text`` each followed by a newline sentinel, so every occurrence of a 2-character term
  starts some indexed trigram. Terms of >= 3 characters become FTS5 phrases; a 2-character term
  becomes an OR of the trigrams that start with it, looked up in ``articles_fts_vocab``; a
  1-character term (or a 2-character one too common to expand) is left to the LIKE filter.
* PostgreSQL: ``ILIKE`` served by the pg_trgm GIN indexes of migration 0002 (terms of < 3
  characters fall back to a scan, results stay correct).

Every user value is a bound parameter; nothing from the query is pasted into SQL text.
Ranking: title hits first, then occurrences in the body, then newer first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from pipelines.db.export import as_utc

FTS_TABLE = "articles_fts"
VOCAB_TABLE = "articles_fts_vocab"
SENTINEL = "\n"  # appended to title and body in the FTS index (see migration 0002)
MAX_EXPANSION = 400  # a 2-character term expanding to more trigrams than this is LIKE-filtered
SNIPPET_CHARS = 60
HIGHLIGHT = ("【", "】")


@dataclass(frozen=True)
class SearchHit:
    """One matching article, with a snippet whose matches are wrapped in highlight marks."""

    id: int
    site: str
    url: str
    title: str
    published_at: datetime | None
    views: int | None
    column_name: str | None
    score: int
    snippet: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "site": self.site,
            "title": self.title,
            "published_at": self.published_at,
            "views": self.views,
            "column_name": self.column_name,
            "url": self.url,
            "score": self.score,
            "snippet": self.snippet,
        }


def split_terms(query: str) -> list[str]:
    """Whitespace-separated terms, de-duplicated in order (full-width spaces split too)."""
    seen: dict[str, None] = {}
    for term in query.split():
        seen.setdefault(term, None)
    return list(seen)


def like_pattern(term: str) -> str:
    """``%term%`` with LIKE wildcards escaped (escape character backslash)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fts_phrase(term: str) -> str:
    """An FTS5 string literal: double quotes doubled, so no query syntax survives."""
    return '"' + term.replace('"', '""') + '"'


def _foldable(term: str) -> bool:
    """True when Python's lower() surely equals FTS5's folding (ASCII or uncased characters)."""
    return all(ch.isascii() or ch.lower() == ch.upper() for ch in term)


#: ``lookup(lo, hi, cap)``: up to ``cap`` indexed trigrams ``t`` with ``lo <= t < hi``
VocabLookup = Callable[[str, str, int], list[str]]
VOCAB_SQL = f"SELECT term FROM {VOCAB_TABLE} WHERE term >= :lo AND term < :hi LIMIT :cap"


def match_expression(terms: list[str], lookup: VocabLookup) -> str | None:
    """The FTS5 MATCH expression narrowing candidates, None when the index cannot help, or ""
    when the index proves that nothing matches.

    ``lookup`` reads ``articles_fts_vocab`` through whatever connection the caller has (a
    SQLAlchemy one here, the stdlib one inside Datasette), so both surfaces expand a term the
    same way.
    """
    parts: list[str] = []
    for term in terms:
        n = len(term)
        if n >= 3:
            parts.append(fts_phrase(term))
        elif n == 2 and _foldable(term):
            low = term.lower()
            found = lookup(low, low + "\U0010ffff", MAX_EXPANSION + 1)
            if len(found) > MAX_EXPANSION:
                continue  # too common to expand usefully: the LIKE filter alone decides
            if not found:
                return ""  # no indexed trigram starts with the term: no article has it
            parts.append("(" + " OR ".join(fts_phrase(t) for t in found) + ")")
    return " AND ".join(parts) if parts else None


def like_clauses(
    terms: list[str], *, like: str = "LIKE", alias: str = "a", prefix: str = "p"
) -> tuple[list[str], dict[str, str]]:
    """One ``(title LIKE :p0 OR body_text LIKE :p0)`` per term, and its bound patterns.

    These decide the result; the FTS expression only narrows the candidates first.
    """
    where: list[str] = []
    params: dict[str, str] = {}
    for i, term in enumerate(terms):
        params[f"{prefix}{i}"] = like_pattern(term)
        where.append(
            f"({alias}.title {like} :{prefix}{i} ESCAPE '\\'"
            f" OR {alias}.body_text {like} :{prefix}{i} ESCAPE '\\')"
        )
    return where, params


def _sqlite_match(conn: Connection, terms: list[str]) -> str | None:
    def lookup(lo: str, hi: str, cap: int) -> list[str]:
        rows = conn.execute(text(VOCAB_SQL), {"lo": lo, "hi": hi, "cap": cap}).all()
        return [r[0] for r in rows]

    return match_expression(terms, lookup)


def search(
    conn: Connection,
    query: str,
    *,
    site: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 20,
) -> list[SearchHit]:
    """Articles containing every term of ``query`` in title or body, best first.

    ``since``/``until`` bound ``published_at`` (inclusive/exclusive); give them timezone-aware.
    """
    terms = split_terms(query)
    if not terms:
        return []
    dialect = conn.dialect.name
    like = "ILIKE" if dialect == "postgresql" else "LIKE"
    where, patterns = like_clauses(terms, like=like)
    params: dict[str, Any] = {"limit": limit, **patterns}
    score: list[str] = []
    for i, term in enumerate(terms):
        params[f"t{i}"] = term
        score.append(
            f"(CASE WHEN a.title {like} :p{i} ESCAPE '\\' THEN 100 ELSE 0 END)"
            f" + (LENGTH(a.body_text) - LENGTH(REPLACE(a.body_text, :t{i}, ''))) / LENGTH(:t{i})"
        )
    if dialect == "sqlite":
        match = _sqlite_match(conn, terms)
        if match == "":
            return []
        if match is not None:
            params["match"] = match
            where.append(f"a.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match)")
    if site:
        params["site"] = site
        where.append("a.site = :site")
    if since is not None:
        params["since"] = _bindable(since, dialect)
        where.append("a.published_at >= :since")
    if until is not None:
        params["until"] = _bindable(until, dialect)
        where.append("a.published_at < :until")
    sql = (
        "SELECT a.id, a.site, a.url, a.title, a.published_at, a.views, a.column_name,"
        f" a.body_text, {' + '.join(score)} AS score"
        f" FROM articles a WHERE {' AND '.join(where)}"
        " ORDER BY score DESC, a.published_at DESC, a.id DESC LIMIT :limit"
    )
    rows = conn.execute(text(sql).columns(published_at=_published_type(conn)), params).all()
    return [
        SearchHit(
            id=r.id,
            site=r.site,
            url=r.url,
            title=r.title,
            published_at=as_utc(r.published_at),
            views=r.views,
            column_name=r.column_name,
            score=int(r.score or 0),
            snippet=snippet(r.body_text or "", terms) or snippet(r.title, terms),
        )
        for r in rows
    ]


def _published_type(conn: Connection) -> Any:
    from pipelines.db.models import Article

    return Article.__table__.c.published_at.type


def _bindable(value: datetime, dialect: str) -> datetime:
    """SQLite stores UTC wall time without an offset: compare in the same form."""
    from datetime import UTC

    if value.tzinfo is None:
        return value
    value = value.astimezone(UTC)
    return value.replace(tzinfo=None) if dialect == "sqlite" else value


def snippet(
    body: str, terms: list[str], width: int = SNIPPET_CHARS, marks: tuple[str, str] = HIGHLIGHT
) -> str:
    """A window of ``body`` around the first match, every term occurrence wrapped in ``marks``.

    Returns "" when no term occurs (e.g. the match is in the title only).
    """
    if not terms or not body:
        return ""
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.I)
    first = pattern.search(body)
    if first is None:
        return ""
    start = max(0, first.start() - width // 3)
    end = min(len(body), start + width)
    window = " ".join(body[start:end].split())
    marked = pattern.sub(lambda m: f"{marks[0]}{m.group(0)}{marks[1]}", window)
    return ("…" if start > 0 else "") + marked + ("…" if end < len(body) else "")


def score(title: str, body: str, terms: list[str]) -> int:
    """The ranking of :func:`search` in Python (100 per term in the title, plus one per body
    occurrence), for surfaces that rank rows themselves such as the Datasette search page."""
    low = title.lower()
    return sum((100 if t.lower() in low else 0) + body.count(t) for t in terms)


def matches(title: str, body: str, terms: list[str]) -> bool:
    """Whether every term occurs in the title or the body, as the LIKE filter decides (ASCII
    letters fold case)."""
    hay = (title + "\n" + body).lower()
    return bool(terms) and all(t.lower() in hay for t in terms)
