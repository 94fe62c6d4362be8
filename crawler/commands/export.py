"""``govnews export``: stream articles (or, with ``--revisions``, the texts articles had before
each edit) to CSV (UTF-8 with BOM), JSON Lines or Parquet.

Constant memory whatever the size (see :mod:`pipelines.db.export`); progress on stderr.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime
from typing import IO, TYPE_CHECKING

import click

from crawler.commands.common import db_option, needs_extra, quiet_option, resolve_db
from crawler.commands.output import DATE, open_database

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from pipelines.db.export import ExportOptions, Progress


@click.command()
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl", "parquet"]),
    default="csv",
    show_default=True,
    help="File format (CSV carries a UTF-8 BOM for Excel).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    show_default=True,
    help="Output file ('-' is standard output).",
)
@click.option("--site", help="Only this site.")
@click.option("--since", type=DATE, help="Published on or after this day (YYYY-MM-DD).")
@click.option("--until", type=DATE, help="Published before this day (YYYY-MM-DD).")
@click.option(
    "--columns",
    metavar="A,B,…",
    help="Comma-separated article columns [default: the contract columns].",
)
@click.option(
    "--with-history",
    is_flag=True,
    help="Add views_observed_at and view_history (every view-count reading).",
)
@click.option(
    "--revisions",
    is_flag=True,
    help="Export article_revisions instead: one row per edit with the text before it (id, "
    "article_id, site, url, seen_at, changed, title, published_at, body_text, body_html, "
    "content_hash); --since/--until then select by seen_at, when the edit was seen.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=5000,
    show_default=True,
    help="Rows fetched per round trip and per Parquet row group.",
)
@quiet_option
def export(
    db: str | None,
    fmt: str,
    output: str,
    site: str | None,
    since: datetime | None,
    until: datetime | None,
    columns: str | None,
    with_history: bool,
    revisions: bool,
    batch_size: int,
    quiet: bool,
) -> None:
    """Export one row per article, streaming (constant memory for millions of rows).

    Times are ISO 8601 in UTC; attachments (and view_history) are JSON in CSV and Parquet.
    Removed articles stay, with removed_at (add it to --columns); --revisions exports the
    earlier texts of edited articles.

    \b
    Example:
        govnews export --format csv -o articles.csv
        govnews export --format parquet -o 2024.parquet --since 2024-01-01 --until 2025-01-01
        govnews export --format jsonl --site tangshan_gxq --columns id,title,views --with-history
        govnews export --revisions --since 2024-06-01 -o edits.csv
    """
    from pipelines.db.export import ExportOptions
    from pipelines.db.export import export as run_export
    from pipelines.db.export_revisions import export_revisions

    what = "revisions" if revisions else "articles"
    run = export_revisions if revisions else run_export

    chosen = _chosen_columns(columns)
    _check_options(fmt, output, since, until, revisions, columns, with_history)
    opts = ExportOptions(
        site=site,
        since=since,
        until=until,
        columns=chosen,
        with_history=with_history,
        batch_size=batch_size,
    )
    engine = open_database(resolve_db(db))
    started = time.monotonic()
    tty = sys.stderr.isatty()
    progress = _progress(what, started, show=not quiet and (output != "-" or tty), tty=tty)
    try:
        n = _write(run, engine, fmt, output, opts, progress)
    finally:
        engine.dispose()
    if not quiet:
        _report_done(n, what, output, fmt, started, tty)


def _chosen_columns(columns: str | None) -> tuple[str, ...]:
    """The --columns list, validated, or the contract columns: an unknown name is a usage
    error naming the choices, before anything is opened or written."""
    from pipelines.db.export import DEFAULT_COLUMNS, validate_columns

    if not columns:
        return DEFAULT_COLUMNS
    try:
        return validate_columns([c.strip() for c in columns.split(",") if c.strip()])
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--columns") from None


def _check_options(
    fmt: str,
    output: str,
    since: datetime | None,
    until: datetime | None,
    revisions: bool,
    columns: str | None,
    with_history: bool,
) -> None:
    """Refuse option combinations that cannot work, before any file is created."""
    if revisions and (columns or with_history):
        raise click.BadParameter(
            "a revision export has its own columns", param_hint="--columns/--with-history"
        )
    if since and until and since >= until:
        raise click.BadParameter("--since must be before --until", param_hint="--since")
    if fmt == "parquet":
        with needs_extra("export"):  # before any file is created
            import pyarrow  # noqa: F401
    if fmt == "parquet" and output == "-" and sys.stdout.isatty():
        raise click.BadParameter("Parquet is binary: give -o FILE", param_hint="--output")


def _progress(what: str, started: float, *, show: bool, tty: bool) -> Progress:
    """The progress callback, silent unless ``show`` (not --quiet, and a file is written or
    stderr is a terminal); one line rewritten in a terminal, one line per update in a log."""

    def progress(n: int) -> None:
        if show:
            rate = n / max(time.monotonic() - started, 1e-9)
            line = f"exported {n:,} {what} ({rate:,.0f}/s)"
            click.echo(f"\r{line}" if tty else line, err=True, nl=not tty)

    return progress


def _write(
    run: Callable[[Engine, str, IO[bytes] | str, ExportOptions, Progress | None], int],
    engine: Engine,
    fmt: str,
    output: str,
    opts: ExportOptions,
    progress: Progress,
) -> int:
    """Run the export into ``output``; standard output is written as bytes (the CSV BOM and
    Parquet need them) and flushed before the closing line goes to stderr."""
    if output == "-":
        target = sys.stdout.buffer
        n = run(engine, fmt, target, opts, progress)
        target.flush()
        return n
    return run(engine, fmt, output, opts, progress)


def _report_done(n: int, what: str, output: str, fmt: str, started: float, tty: bool) -> None:
    """The closing line on stderr; in a terminal it overwrites the progress line."""
    elapsed = time.monotonic() - started
    where = "standard output" if output == "-" else output
    prefix = "\r" if tty else ""
    click.echo(f"{prefix}exported {n:,} {what} to {where} as {fmt} in {elapsed:.1f}s", err=True)
