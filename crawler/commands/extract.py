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
        column=result.column_name,
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


#: leading bytes of files people save beside pages by mistake
MAGIC = {
    b"PAR1": "Parquet",
    b"%PDF": "PDF",
    b"PK\x03\x04": "ZIP/Office document",
    b"\x89PNG": "PNG image",
    b"GIF8": "GIF image",
    b"\xff\xd8\xff": "JPEG image",
    b"\x1f\x8b": "gzip",
    b"SQLite format 3": "SQLite database",
    b"\xd0\xcf\x11\xe0": "old Office document",
}


def not_html(raw: bytes) -> str | None:
    """Why ``raw`` cannot be a saved page, or None: extraction would otherwise print the bytes
    of a binary file as an article body, or all-null fields for an empty one, with success."""
    if not raw.strip():
        return "the file is empty"
    for magic, kind in MAGIC.items():
        if raw.startswith(magic):
            return f"a {kind} file"
    head = raw[:65536]
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if b"\x00" in head[:4096] and not utf16:
        return "binary data"
    if not utf16 and b"<" not in head:
        return "no HTML markup"
    return None


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

    A file that cannot be read or is not HTML (empty, binary such as Parquet or PDF, or without
    markup) gives one error line on stderr; the remaining files are still processed and the
    exit status is 1. "published" is the page's own time with its offset (Asia/Shanghai).

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
        reason = not_html(raw)
        if reason:
            click.echo(f"Error: {path} is not an HTML page ({reason}); skipped", err=True)
            failed += 1
            continue
        record = article_record(extract_article(raw, url), str(path), url)
        click.echo(json.dumps(record, ensure_ascii=False))
    if failed:
        sys.exit(1)
