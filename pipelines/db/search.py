"""Full-text search over article title and body, for SQLite and PostgreSQL.

Semantics are those of a case-insensitive substring scan: a query is split on whitespace into
terms, and an article matches when every term occurs in its title or its body. The index only
narrows the candidates; the final filter is always ``LIKE``/``ILIKE`` on ``articles``, so results
equal a LIKE scan whatever the index can or cannot serve.

* SQLite: ``articles_fts`` (FTS5, trigram tokenizer, migrations 0002 and 0007) indexes ``title``
  and ``body_text`` each followed by two newlines, so every occurrence of a 1- or 2-character
  term starts some indexed trigram. Terms of >= 3 characters become FTS5 phrases; a 1- or
  2-character term becomes an OR of the trigrams that start with it, looked up in
  ``articles_fts_vocab``; a term too common to expand (more than ``MAX_EXPANSION`` trigrams) is
  left to the LIKE filter, which finds its matches among the newest articles quickly.
* PostgreSQL: ``ILIKE`` served by the pg_trgm GIN indexes of migration 0002 for terms of >= 3
  characters, and by the GIN index of characters of migration 0007 for shorter ones (an
  article must hold every character of the term).

Ranking: title hits first, then occurrences in the body, then newer first. It is computed on
the ``RANK_WINDOW`` most recently stored matches (highest ids), not on every match: a term that
occurs in half a million articles would otherwise read and score all of them for 20 results.
A query with fewer matches than that (or a ``limit`` at least that large) is ranked over all of
them exactly; for a very common term the best of the newest ``RANK_WINDOW`` come first.

Every user value is a bound parameter; nothing from the query is pasted into SQL text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, text

from pipelines.db.export import as_utc

FTS_TABLE = "articles_fts"
VOCAB_TABLE = "articles_fts_vocab"
SENTINEL = "\n\n"  # appended to title and body in the FTS index (migrations 0002, 0007)
MAX_EXPANSION = 5000  # a 1-/2-character term expanding to more trigrams is LIKE-filtered
#: matches ranked at most (the newest); see the module docstring
RANK_WINDOW = 1000
PROBE_FACTOR = 5  # newest articles read before the index: PROBE_FACTOR * RANK_WINDOW
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
#: the expression of PostgreSQL's ``ix_articles_text_chars`` (migration 0007), on alias ``m``
PG_CHARS = "string_to_array(lower(m.title || m.body_text), NULL)"
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
        elif _foldable(term):
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
        op = operator(term, like)
        params[f"{prefix}{i}"] = like_pattern(term)
        where.append(
            f"({alias}.title {op} :{prefix}{i} ESCAPE '\\'"
            f" OR {alias}.body_text {op} :{prefix}{i} ESCAPE '\\')"
        )
    return where, params


def operator(term: str, like: str) -> str:
    """``like``, except plain LIKE for a term without cased letters (Chinese, digits): the same
    matches, and PostgreSQL's ILIKE would lower-case every body it reads first."""
    return "LIKE" if like == "ILIKE" and term.lower() == term.upper() else like


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
    Two steps: the ids of the newest matches (:func:`_newest_matches`), then their ranking.
    """
    terms = split_terms(query)
    if not terms:
        return []
    dialect = conn.dialect.name
    like = "ILIKE" if dialect == "postgresql" else "LIKE"
    where, params = like_clauses(terms, like=like, alias="m")
    filters: dict[str, Any] = dict(params)
    if site:
        filters["site"] = site
        where.append("m.site = :site")
    if since is not None:
        filters["since"] = _bindable(since, dialect)
        where.append("m.published_at >= :since")
    if until is not None:
        filters["until"] = _bindable(until, dialect)
        where.append("m.published_at < :until")
    ids = _newest_matches(conn, terms, where, filters, max(RANK_WINDOW, limit))
    if not ids:
        return []
    score: list[str] = []
    ranking: dict[str, Any] = {"ids": ids, "limit": limit}
    for i, term in enumerate(terms):
        ranking |= {f"p{i}": params[f"p{i}"], f"t{i}": term}
        score.append(
            f"(CASE WHEN a.title {operator(term, like)} :p{i} ESCAPE '\\' THEN 100 ELSE 0 END)"
            f" + (LENGTH(a.body_text) - LENGTH(REPLACE(a.body_text, :t{i}, ''))) / LENGTH(:t{i})"
        )
    sql = (
        "SELECT a.id, a.site, a.url, a.title, a.published_at, a.views, a.column_name,"
        f" a.body_text, {' + '.join(score)} AS score FROM articles a WHERE a.id IN :ids"
        " ORDER BY score DESC, a.published_at DESC, a.id DESC LIMIT :limit"
    )
    stmt = text(sql).bindparams(bindparam("ids", expanding=True))
    rows = conn.execute(stmt.columns(published_at=_published_type(conn)), ranking).all()
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


def _newest_matches(
    conn: Connection, terms: list[str], where: list[str], params: dict[str, Any], window: int
) -> list[int]:
    """Ids of the ``window`` newest articles meeting ``where`` (alias ``m``), newest first.

    A probe first reads the newest ``PROBE_FACTOR * window`` articles: a term common enough to
    fill the window there (most 1- and 2-character ones) is done without any index, whose
    lookups cost most for exactly those terms (FTS5 vocabulary counts, long posting lists).
    Skipped on SQLite when every term is an FTS5 phrase (>= 3 characters), always cheap.
    Otherwise the index narrows the candidates, newest first, and the filter decides.
    """
    params = {**params, "window": window}
    cond = " AND ".join(where)
    sqlite = conn.dialect.name == "sqlite"
    if not sqlite or any(len(t) < 3 for t in terms):
        probe = (
            "SELECT m.id FROM (SELECT id, site, title, body_text, published_at FROM articles"
            f" ORDER BY id DESC LIMIT :budget) m WHERE {cond} ORDER BY m.id DESC LIMIT :window"
        )
        found = conn.scalars(text(probe), {**params, "budget": PROBE_FACTOR * window}).all()
        if len(found) >= window:
            return list(found)
    source, newest = "articles m", "m.id"
    if sqlite:
        match = _sqlite_match(conn, terms)
        if match == "":
            return []
        if match is not None:  # FTS5 drives, and hands its rowids newest first without a sort
            source, newest = f"{FTS_TABLE} f JOIN articles m ON m.id = f.rowid", "f.rowid"
            cond += f" AND {FTS_TABLE} MATCH :match"
            params["match"] = match
    else:
        clauses = list(where)  # one per term first (like_clauses), then the filters
        for i, term in enumerate(terms):
            if len(term) < 3:  # shorter than a trigram: the characters index of 0007 serves it
                params[f"c{i}"] = term
                chars = f"{PG_CHARS} @> string_to_array(lower(:c{i}), NULL)"
                # one uncased character: holding it is matching it, so no body is read again
                if len(term) == 1 and term.lower() == term.upper():
                    clauses[i] = chars
                    # and the planner underrates string_to_array per row (a filter on a scan
                    # by id took seconds): ordering by an expression leaves it the index
                    newest = "m.id + 0"
                else:  # LIKE first: it rejects most rows before the costly split
                    clauses[i] = f"{clauses[i]} AND {chars}"
        cond = " AND ".join(clauses)
    sql = f"SELECT m.id FROM {source} WHERE {cond} ORDER BY {newest} DESC LIMIT :window"
    return list(conn.scalars(text(sql), params).all())


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
