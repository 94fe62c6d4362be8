"""Datasette metadata for ``govnews serve``: titles, facets, hidden plumbing, canned queries.

Column notes sit in a collapsed ``<details>`` in each table's description, so a page opens on
its rows rather than on a screen of documentation. Charts are datasette-vega's, configured by
the URL fragment (``#g.mark=…``) of the links below; the plugin reads the page's own JSON.
Times: stored and served as UTC in JSON/CSV; the HTML cells show Asia/Shanghai (plugin.py).
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import quote

SHANGHAI_NOTE = "Asia/Shanghai time in pages (YYYY-MM-DD HH:MM +08:00); UTC ISO in JSON and CSV"
ARTICLE_COLUMNS = {
    "id": "Article id (stable across re-crawls)",
    "site": "Site profile name (pinyin) or host of the crawl",
    "url": "Article URL (unique)",
    "title": "Headline",
    "published_at": f"Publication time: {SHANGHAI_NOTE}",
    "published_raw": "Publication time as printed on the page",
    "views": "Latest view count read from the page (阅读/浏览次数); links to its chart",
    "body_text": "Article text (a search shows the matching passage, matches highlighted)",
    "body_html": "Sanitised article HTML",
    "source": "来源: the issuing office or outlet",
    "author": "Author or editor",
    "column_name": "Column (栏目) from the breadcrumb, e.g. 区内动态",
    "canonical_url": "Canonical URL declared by the page",
    "attachments": "Attached files (JSON list of url/name)",
    "methods": "Which extraction method produced each field (JSON)",
    "content_hash": "Hash of normalised title+body: equal hashes mean duplicate text",
    "first_seen_at": f"When a crawl first stored this article: {SHANGHAI_NOTE}",
    "last_seen_at": f"When a crawl last saw this article: {SHANGHAI_NOTE}",
    "last_crawl_run_id": "The crawl run that last saw it",
    "body_kind": "text, or images/attachments/video/audio for one made of scans, files or a player",
    "quality": "Low-confidence extraction flags (JSON list)",
    "removed_at": f"When the page was first found gone (404/410, 该信息已删除), empty while "
    f"online: {SHANGHAI_NOTE}",
}
REVISION_COLUMNS = {
    "article_id": "The article (its current text is in articles)",
    "seen_at": f"When the change was seen (the fetch of the new text): {SHANGHAI_NOTE}",
    "changed": "The fields that changed, e.g. title,body_text",
    "title": "Headline before the change",
    "published_at": f"Publication time before the change: {SHANGHAI_NOTE}",
    "body_text": "Text before the change",
    "body_html": "HTML before the change",
    "content_hash": "Hash of the text before the change",
}
LATEST_EXTRA = {
    "month": "Publication month (Asia/Shanghai), YYYY-MM",
    "latest_views": "Newest reading in view_counts",
    "views_observed_at": f"When that reading was taken: {SHANGHAI_NOTE}",
}
#: where the Datasette page's table search box is served by the plugin (any length, plugin.py)
SEARCHABLE = ("articles", "v_articles_latest")
#: plumbing: migrations' bookkeeping and the search index's tables and source view
HIDDEN = (
    "alembic_version",
    "articles_fts",
    "articles_fts_vocab",
    "articles_fts_data",
    "articles_fts_idx",
    "articles_fts_docsize",
    "articles_fts_config",
)
PER_MONTH_CHART = (
    "#g.mark=bar&g.x_column=month&g.x_type=ordinal&g.y_column=articles&g.color_column=site"
)
VIEWS_CHART = (
    "#g.mark=line&g.x_column=observed_shanghai&g.x_type=temporal&g.y_column=views"
    "&g.y_type=quantitative"
)
RANKED_SQL = """select id, site, column_name, published_at, views, title,
  govnews_snippet(title, body_text, :q) as snippet, url,
  govnews_score(title, body_text, :q) as score
from articles
where (title like govnews_like_first(:q) escape '\\'
       or body_text like govnews_like_first(:q) escape '\\')
  and govnews_matches(title, body_text, :q)
order by score desc, published_at desc, id desc
limit 200"""
PER_MONTH_SQL = """select month, site, articles from v_articles_per_site_month
where month is not null order by month, site"""
#: this month (Asia/Shanghai) unless :month (YYYY-MM) names another
_IN_MONTH = (
    "strftime('%Y-%m', {col}, '+8 hours')"
    " = coalesce(nullif(:month, ''), strftime('%Y-%m', 'now', '+8 hours'))"
)
CHANGED_SQL = f"""select 'changed' as what, r.seen_at, a.site, a.id as article_id, a.title,
  r.changed, r.title as previous_title, substr(r.body_text, 1, 300) as previous_text, a.url
from article_revisions r join articles a on a.id = r.article_id
where {_IN_MONTH.format(col="r.seen_at")}
union all
select 'removed', a.removed_at, a.site, a.id, a.title, null, null, null, a.url
from articles a
where a.removed_at is not null and {_IN_MONTH.format(col="a.removed_at")}
order by seen_at desc, article_id desc"""
VIEWS_SQL = """select strftime('%Y-%m-%dT%H:%M:%S+08:00', observed_at, '+8 hours')
  as observed_shanghai, views, method
from view_counts where article_id = :article_id order by observed_at, id"""


def per_month_chart(database: str) -> str:
    return f"/{database}/articles_per_month{PER_MONTH_CHART}"


def views_chart(database: str, article_id: object) -> str:
    return f"/{database}/article_views?article_id={quote(str(article_id))}{VIEWS_CHART}"


def _notes(columns: dict[str, str], lead: str) -> str:
    """A one-line description with the column notes folded away below it."""
    items = "".join(
        f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in columns.items()
    )
    return f"<p>{lead}</p><details><summary>Column notes</summary><dl>{items}</dl></details>"


def _chart_link(database: str) -> str:
    """The link to the monthly chart that the home page, articles and the monthly view show."""
    return f'<a href="{per_month_chart(database)}">Chart: articles per month per site</a>'


def datasette_metadata(database: str) -> dict[str, Any]:
    """Datasette metadata for the database named ``database`` (the file's stem)."""
    chart = _chart_link(database)
    return {
        "title": "govnews: Chinese government news",
        "description_html": f"Articles crawled from government portals. {chart}.",
        "databases": {database: {"tables": _tables(database), "queries": _queries(database)}},
    }


def _tables(database: str) -> dict[str, Any]:
    """Per table and view: title, description, facets; plumbing hidden."""
    hidden: dict[str, Any] = {name: {"hidden": True} for name in HIDDEN}
    return {
        **hidden,
        "articles_fts_src": {"allow": False},  # a view: views cannot be hidden
        "articles": _articles_table(database),
        "v_articles_latest": _latest_table(),
        "view_counts": {
            "title": "View-count readings",
            "description": "The time series: one row per article per crawl.",
            "facets": ["method"],
        },
        "v_view_deltas_daily": {
            "title": "Daily view deltas per article",
            "description": "Last reading of each Asia/Shanghai day and the change "
            "since the previous reading day.",
        },
        "v_articles_per_site_month": {
            "title": "Articles per site per month",
            "description_html": _chart_link(database),
            "facets": ["site"],
        },
        "crawl_runs": {"title": "Crawl runs", "facets": ["site", "status"]},
        "article_revisions": _revisions_table(database),
        "rejects": {
            "title": "Rejected pages",
            "description": "URLs that did not become articles, with the reason.",
            "facets": ["site", "reason"],
        },
    }


def _articles_table(database: str) -> dict[str, Any]:
    """The main table: its lead points at revisions, ranked search and the monthly chart."""
    lead = (
        "One row per article URL; re-crawls update it in place (earlier texts in "
        f'<a href="/{database}/article_revisions">article_revisions</a>; removed_at when the page '
        "is gone). Search finds any term, "
        f'1 character or more (e.g. 会议). <a href="/{database}/search">Ranked search with '
        f"passages</a> · {_chart_link(database)} · Times: {SHANGHAI_NOTE}."
    )
    return {
        "title": "Articles",
        "description_html": _notes(ARTICLE_COLUMNS, lead),
        "facets": ["site", "column_name", {"month": "published_at"}],
        "sort_desc": "published_at",
        "label_column": "title",
        "size": 50,
        "facet_size": 6,  # keeps the rows near the top of the page
    }


def _latest_table() -> dict[str, Any]:
    """The articles view with the newest view count: notes for the columns it shows."""
    latest = {k: v for k, v in ARTICLE_COLUMNS.items() if k in LATEST_COLUMNS} | LATEST_EXTRA
    return {
        "title": "Latest articles with latest views",
        "description_html": _notes(latest, "Articles with their newest reading."),
        "facets": ["site", "column_name", "month"],
        "sort_desc": "published_at",
    }


def _revisions_table(database: str) -> dict[str, Any]:
    return {
        "title": "Article revisions",
        "description_html": _notes(
            REVISION_COLUMNS,
            "The text an article had before each edit a re-crawl or revisit "
            f'found. <a href="/{database}/changed_or_removed">Changed or removed '
            "this month</a>.",
        ),
        "facets": ["changed"],
        "sort_desc": "seen_at",
    }


def _queries(database: str) -> dict[str, Any]:
    """The canned queries, their SQL hidden (each has its own page or command)."""
    return {
        "search": {
            "title": "Ranked search (any length, e.g. 会议)",
            "description": "Every term in the title or body; title hits first, "
            "then the number of body occurrences. Same as `govnews search`.",
            "sql": RANKED_SQL,
            "hide_sql": True,
        },
        "articles_per_month": {
            "title": "Articles per month per site",
            "description_html": f'<a href="{per_month_chart(database)}">Chart</a>',
            "sql": PER_MONTH_SQL,
            "hide_sql": True,
        },
        "changed_or_removed": {
            "title": "Changed or removed this month",
            "description": "Articles whose text changed (the previous text beside "
            "them) or whose page was found gone, this Asia/Shanghai month or the "
            "month given (YYYY-MM), latest first.",
            "sql": CHANGED_SQL,
            "hide_sql": True,
        },
        "article_views": {
            "title": "View count of one article over time (Asia/Shanghai)",
            "sql": VIEWS_SQL,
            "hide_sql": True,
        },
    }


LATEST_COLUMNS = frozenset(
    {
        "id",
        "site",
        "column_name",
        "title",
        "url",
        "published_at",
        "views",
        "source",
        "author",
        "first_seen_at",
        "last_seen_at",
    }
)
