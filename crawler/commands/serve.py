"""``govnews serve``: browse, facet and search the SQLite database in Datasette.

Writes Datasette metadata (titles, column descriptions, facets by site/column/month, the FTS5
table ``articles_fts`` for ``articles`` and ``v_articles_latest``, and a canned query ``search``
that also finds 1- and 2-character terms) to a temporary file and runs ``datasette serve``
in this process until Ctrl-C. SQLite only: Datasette does not read PostgreSQL.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import click

from crawler.commands.common import db_option, resolve_db

ARTICLE_COLUMNS = {
    "id": "Article id (stable across re-crawls)",
    "site": "Site profile name (pinyin) or host of the crawl",
    "url": "Article URL (unique)",
    "title": "Headline",
    "published_at": "Publication time, UTC (the page shows Asia/Shanghai time)",
    "published_raw": "Publication time as printed on the page",
    "views": "Latest view count read from the page (阅读/浏览次数), if any",
    "body_text": "Article text, paragraphs separated by newlines",
    "body_html": "Sanitised article HTML",
    "source": "来源: the issuing office or outlet",
    "author": "Author or editor",
    "column_name": "Column (栏目) from the breadcrumb, e.g. 区内动态",
    "canonical_url": "Canonical URL declared by the page",
    "attachments": "Attached files (JSON list of url/name)",
    "methods": "Which extraction method produced each field (JSON)",
    "content_hash": "Hash of normalised title+body: equal hashes mean duplicate text",
    "first_seen_at": "When a crawl first stored this article (UTC)",
    "last_seen_at": "When a crawl last saw this article (UTC)",
    "last_crawl_run_id": "The crawl run that last saw it",
}
SEARCH_SQL = """select id, site, published_at, views, title, url from articles
where title like '%' || :q || '%' or body_text like '%' || :q || '%'
order by published_at desc limit 500"""


def datasette_metadata(database: str) -> dict[str, Any]:
    """Datasette metadata for the database named ``database`` (the file's stem)."""
    fts = {"fts_table": "articles_fts", "fts_pk": "id"}
    latest_columns = {
        k: v
        for k, v in ARTICLE_COLUMNS.items()
        if k
        in {
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
    }
    latest_columns |= {
        "month": "Publication month (Asia/Shanghai), YYYY-MM",
        "latest_views": "Newest reading in view_counts",
        "views_observed_at": "When that reading was taken (UTC)",
    }
    return {
        "title": "govnews: Chinese government news",
        "description": "Articles crawled from district/county government portals. Search needs "
        "3+ characters in table search; the 'search' query finds any term.",
        "databases": {
            database: {
                "tables": {
                    "articles": {
                        "title": "Articles",
                        "description": "One row per article URL; re-crawls update it in place.",
                        "columns": ARTICLE_COLUMNS,
                        "facets": ["site", "column_name"],
                        "sort_desc": "published_at",
                        "label_column": "title",
                        **fts,
                    },
                    "v_articles_latest": {
                        "title": "Latest articles with latest views",
                        "columns": latest_columns,
                        "facets": ["site", "column_name", "month"],
                        "sort_desc": "published_at",
                        **fts,
                    },
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
                        "facets": ["site"],
                    },
                    "crawl_runs": {"title": "Crawl runs", "facets": ["site", "status"]},
                    "rejects": {
                        "title": "Rejected pages",
                        "description": "URLs that did not become articles, with the reason.",
                        "facets": ["site", "reason"],
                    },
                    "articles_fts_src": {"hidden": True},
                },
                "queries": {
                    "search": {
                        "title": "Search titles and bodies (any length, e.g. 人才)",
                        "sql": SEARCH_SQL,
                    }
                },
            }
        },
    }


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8001,
    show_default=True,
    help="Port (0 picks a free one).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open a web browser.")
def serve(db: str | None, host: str, port: int, open_browser: bool) -> None:
    """Browse the database in a web browser (Datasette): filter, facet and search articles.

    Table search uses the trigram index and needs 3+ characters; the canned query "search"
    finds any term, including 1- and 2-character words such as 人才.

    \b
    Example:
        govnews serve                       # then open http://127.0.0.1:8001/
        govnews serve --db sqlite:///demo.db --port 8080
    """
    from pipelines.db.session import is_sqlite, normalise_url

    url = normalise_url(resolve_db(db))
    if not is_sqlite(url):
        raise click.ClickException(
            f"govnews serve needs a SQLite database (Datasette reads SQLite only), not "
            f"{url.get_backend_name()}; export to SQLite or use psql"
        )
    if not url.database or url.database == ":memory:":
        raise click.BadParameter("give a SQLite file, e.g. sqlite:///govnews.db", param_hint="--db")
    path = Path(url.database).expanduser()
    if not path.is_file():
        raise click.ClickException(f"no database at {path}; crawl first (govnews demo)")
    from datasette.cli import serve as datasette_serve

    with tempfile.TemporaryDirectory(prefix="govnews-serve-") as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(datasette_metadata(path.stem), ensure_ascii=False), "utf-8")
        args = [
            str(path),
            "--metadata",
            str(meta),
            "--host",
            host,
            "--port",
            str(port),
            "--setting",
            "facet_time_limit_ms",
            "1000",
        ]
        if open_browser:
            args.append("--open")
        datasette_serve.main(args, standalone_mode=False)
