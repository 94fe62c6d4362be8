"""``govnews extract PATH ...``: run article extraction (plus cleaning) on saved pages.

Prints one JSON object per input, in input order. A missing or unreadable file prints one
``Error: ...`` line on stderr and is skipped; the others are still processed and the exit
status is 1 if any input failed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from crawler.extract.article import extract_article
from crawler.extract.types import ExtractedArticle
from pipelines.cleaning import clean_article_fields


def article_record(result: ExtractedArticle, file: str | None, url: str | None) -> dict[str, Any]:
    """The stable JSON contract of ``govnews extract`` (cleaning applied)."""
    cleaned = clean_article_fields(
        title=result.title,
        body_text=result.body_text,
        body_html=None,
        source=result.source,
        author=result.author,
        column=result.column,
    )
    return {
        "file": file,
        "url": url or result.canonical_url,
        "title": cleaned.title,
        "published": result.published_at.isoformat() if result.published_at else None,
        "views": result.views,
        "body": cleaned.body_text,
        "source": cleaned.source,
        "author": cleaned.author,
        "column": cleaned.column,
        "attachments": result.attachments,
        "body_kind": result.body_kind,
        "methods": result.methods,
        "quality": result.quality,
    }


@click.command("extract")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--url",
    default=None,
    metavar="URL",
    help="The page's original URL (resolves links, URL dates).",
)
def extract(paths: tuple[Path, ...], url: str | None) -> None:
    """Extract article fields from saved HTML files; one JSON object per line.

    A file that cannot be read gives one error line on stderr; the remaining files are still
    processed and the exit status is 1.

    \b
    Example:
        govnews extract page.html --url http://www.example.gov.cn/qndt/202103/t20210301_1.html
    """
    failed = 0
    for path in paths:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            click.echo(f"Error: cannot read {path}: {exc.strerror or exc}", err=True)
            failed += 1
            continue
        record = article_record(extract_article(raw, url), str(path), url)
        click.echo(json.dumps(record, ensure_ascii=False))
    if failed:
        sys.exit(1)
