"""The Datasette plugin behind ``govnews serve``: Chinese search of any length, times, charts.

* Table search (``?_search=`` from the table page's own search box) on ``articles`` and
  ``v_articles_latest`` uses :mod:`pipelines.db.search`, the code of ``govnews search``: the FTS5
  trigram index narrows (a 2-character term expands to the trigrams that start with it), then
  ``LIKE`` decides, so 1- and 2-character terms such as 区 or 会议 match. Datasette's built-in
  search would hand FTS5 a 2-character phrase, which a trigram index never matches; so no
  ``fts_table`` is configured and this hook, run last, turns the search box on.
* Cells: the body shows the passage around the first match with matches in ``<mark>``; times
  (``*_at`` columns) show as ``YYYY-MM-DD HH:MM +08:00`` (JSON and CSV keep stored UTC); a view
  count links to its chart. The search terms reach ``render_cell`` (which gets no request) via a
  context variable set by the filter hook in the same request task.
* SQL functions for the ranked canned query ``search``: ``govnews_matches``, ``govnews_score``,
  ``govnews_snippet`` (the same ranking and snippet as ``govnews search``).
* ``/`` opens the articles table; ``_month=<column>:YYYY-MM`` filters by an Asia/Shanghai month.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils.asgi import Response
from markupsafe import Markup

from crawler.web.facets import MONTH_ARG, MonthFacet, month_sql
from crawler.web.metadata import SEARCHABLE, views_chart
from pipelines.db.search import (
    FTS_TABLE,
    HIGHLIGHT,
    VOCAB_SQL,
    like_clauses,
    like_pattern,
    match_expression,
    matches,
    score,
    snippet,
    split_terms,
)

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
TIME_COLUMN = re.compile(r"(_at|^observed|^started|^finished)$")
PREVIEW_CHARS = 60
_terms: ContextVar[tuple[str, ...]] = ContextVar("govnews_search_terms", default=())


def shanghai_time(value: object) -> str | None:
    """``2024-05-08 01:30:00.000000`` (UTC as stored) -> ``2024-05-08 09:30 +08:00``."""
    if not isinstance(value, str) or len(value) < 16 or value[4:5] != "-":
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M +08:00")


def marked(text: str) -> Markup:
    """HTML of a snippet whose matches are wrapped in :data:`HIGHLIGHT` marks -> ``<mark>``."""
    out = html.escape(text)
    return Markup(out.replace(HIGHLIGHT[0], "<mark>").replace(HIGHLIGHT[1], "</mark>"))


def _terms_of(query: object) -> list[str]:
    return split_terms(query) if isinstance(query, str) else []


@hookimpl  # type: ignore[untyped-decorator]
def prepare_connection(conn: sqlite3.Connection) -> None:
    def _matches(title: str | None, body: str | None, query: str | None) -> int:
        return int(matches(title or "", body or "", _terms_of(query)))

    def _score(title: str | None, body: str | None, query: str | None) -> int:
        return score(title or "", body or "", _terms_of(query))

    def _snippet(title: str | None, body: str | None, query: str | None) -> str:
        terms = _terms_of(query)
        return snippet(body or "", terms) or snippet(title or "", terms)

    def _like_first(query: str | None) -> str:
        # SQLite's LIKE scans in C; the Python matcher then sees only the candidates
        terms = _terms_of(query)
        return like_pattern(terms[0]) if terms else "%"

    conn.create_function("govnews_like_first", 1, _like_first, deterministic=True)
    conn.create_function("govnews_matches", 3, _matches, deterministic=True)
    conn.create_function("govnews_score", 3, _score, deterministic=True)
    conn.create_function("govnews_snippet", 3, _snippet, deterministic=True)


def _fts_expression(conn: sqlite3.Connection, terms: list[str]) -> str | None:
    def lookup(lo: str, hi: str, cap: int) -> list[str]:
        rows = conn.execute(VOCAB_SQL, {"lo": lo, "hi": hi, "cap": cap}).fetchall()
        return [r[0] for r in rows]

    return match_expression(terms, lookup)


def _month_clauses(args: list[str], params: dict[str, Any], said: list[str]) -> list[str]:
    """``_month=published_at:2024-05`` -> a where clause on the Asia/Shanghai month."""
    clauses = []
    for i, arg in enumerate(args):
        column, _, month = arg.rpartition(":")
        if not re.fullmatch(r"[a-z_]+", column) or not re.fullmatch(r"\d{4}-\d{2}", month):
            continue
        params[f"govnews_month{i}"] = month
        clauses.append(f"{month_sql(column)} = :govnews_month{i}")
        said.append(f"{column} in {month} (Asia/Shanghai)")
    return clauses


@hookimpl(trylast=True)  # type: ignore[untyped-decorator]
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> Any:
    """Search any length on the article tables; ``_month`` on any table. Runs after Datasette's
    own search hook so that ``supports_search`` here wins."""
    params: dict[str, Any] = {}
    said: list[str] = []
    where = _month_clauses(request.args.getlist(MONTH_ARG), params, said)
    _terms.set(())
    if table not in SEARCHABLE:
        return FilterArguments(where, params, said) if where else None

    async def inner() -> FilterArguments:
        query = request.args.get("_search") or ""
        terms = split_terms(query)
        extra = {"supports_search": True, "search": query}
        if not terms:
            return FilterArguments(where, params, said, extra_context=extra)
        _terms.set(tuple(terms))
        db = datasette.get_database(database)
        fts = await db.execute_fn(lambda conn: _fts_expression(conn, terms))
        likes, patterns = like_clauses(terms, prefix="govnews_p")
        inner_where = " AND ".join(likes)
        if fts == "":
            inner_where = "0"
        elif fts is not None:
            params["govnews_fts"] = fts
            inner_where += (
                f" AND a.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :govnews_fts)"
            )
        where.append(f"id IN (SELECT a.id FROM articles a WHERE {inner_where})")
        return FilterArguments(
            where,
            params | patterns,
            human_descriptions=[*said, f'search matches "{query}"'],
            extra_context=extra,
        )

    return inner


@hookimpl  # type: ignore[untyped-decorator]
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Any:
    if TIME_COLUMN.search(column):
        return shanghai_time(value)
    if not isinstance(value, str) and not (column == "views" and table == "articles"):
        return None
    terms = list(_terms.get())
    if column == "snippet" and table is None:  # the ranked canned query
        return marked(value)
    if column in ("body_html", "published_raw") and table == "articles":
        return value[:40] + ("…" if len(value) > 40 else "")  # the full value is one click away
    if column == "body_text" and table in SEARCHABLE:
        if terms and (passage := snippet(value, terms)):
            return marked(passage)
        flat = " ".join(value.split())  # a short preview keeps each row a few lines high
        return flat[:PREVIEW_CHARS] + ("…" if len(flat) > PREVIEW_CHARS else "")
    if column == "title" and terms and table in SEARCHABLE:
        return marked(snippet(value, terms, width=3 * len(value) + 3) or value)
    if column == "views" and table == "articles" and value is not None:
        link = views_chart(database, row["id"])
        return Markup(f'<a href="{html.escape(link)}" title="chart">{int(value)}</a>')
    return None


#: beside the table's search box: the same query, ranked, on the canned query's page
RANKED_LINK_JS = """
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("_search");
  if (!box) { return; }
  var link = document.createElement("a");
  link.id = "govnews-ranked";
  link.textContent = "Ranked, with passages";
  link.style.marginLeft = "0.8em";
  function sync() { link.href = %s + encodeURIComponent(box.value); }
  box.addEventListener("input", sync);
  sync();
  box.parentNode.appendChild(link);
});
"""


@hookimpl  # type: ignore[untyped-decorator]
def extra_body_script(view_name: str, table: str | None, database: str | None) -> str:
    if view_name != "table" or table not in SEARCHABLE or not database:
        return ""
    return RANKED_LINK_JS % json.dumps(f"/{database}/search?q=")


@hookimpl  # type: ignore[untyped-decorator]
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    def home(datasette: Any) -> Response:
        return Response.redirect(f"/{datasette.get_database().name}/articles")

    return [(r"^/$", home)]


@hookimpl  # type: ignore[untyped-decorator]
def register_facet_classes() -> list[type]:
    return [MonthFacet]
