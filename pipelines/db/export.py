"""Streaming export of ``articles`` to CSV (UTF-8 with BOM, formula cells neutralised), JSON
Lines and Parquet.

Memory stays constant whatever the row count: articles are read through a streaming cursor
(server-side on PostgreSQL, ``yield_per`` batches), written as they come, and Parquet is written
in row groups of ``batch_size`` rows. With ``with_history`` the view-count series is merged in
from a second cursor over ``view_counts`` ordered by article id, so no per-article query and no
in-memory index is needed.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO, Any

from sqlalchemy import DateTime, Engine, Select, select

from pipelines.db.models import Article, ArticleRevision, ViewCount

FORMATS = ("csv", "jsonl", "parquet")
# The contract columns of issue 2, in that order; every other articles column may be asked for.
DEFAULT_COLUMNS = (
    "id",
    "site",
    "url",
    "title",
    "published_at",
    "views",
    "body_text",
    "body_html",
    "source",
    "author",
    "column_name",
    "attachments",
    "content_hash",
    "first_seen_at",
    "last_seen_at",
)
ARTICLE_COLUMNS = tuple(c.name for c in Article.__table__.columns)
HISTORY_COLUMNS = ("views_observed_at", "view_history")
JSON_COLUMNS = {"attachments", "methods", "view_history"}


@dataclass
class ExportOptions:
    """What to export: filters on site and ``published_at``, columns, view-count extras."""

    site: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    columns: tuple[str, ...] = DEFAULT_COLUMNS
    with_history: bool = False
    batch_size: int = 5000

    @property
    def all_columns(self) -> tuple[str, ...]:
        return self.columns + (HISTORY_COLUMNS if self.with_history else ())


def as_utc(value: datetime | None) -> datetime | None:
    """Times are stored in UTC; SQLite hands them back without an offset."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def validate_columns(names: list[str]) -> tuple[str, ...]:
    unknown = [n for n in names if n not in ARTICLE_COLUMNS]
    if unknown:
        raise ValueError(
            f"unknown column(s) {', '.join(unknown)}; choose from {', '.join(ARTICLE_COLUMNS)}"
        )
    return tuple(dict.fromkeys(names))


def bind_time(value: datetime, engine: Engine) -> datetime:
    """A bound for a time column: UTC, and naive on SQLite (how it stores times)."""
    value = value.astimezone(UTC) if value.tzinfo else value
    return value.replace(tzinfo=None) if engine.dialect.name == "sqlite" else value


def articles_query(engine: Engine, opts: ExportOptions) -> Select[Any]:
    table = Article.__table__
    cols = list(dict.fromkeys(("id", *opts.columns)))
    stmt = select(*(table.c[n] for n in cols)).order_by(table.c.id)
    return filtered(stmt, engine, opts, table.c.published_at)


def filtered(stmt: Select[Any], engine: Engine, opts: ExportOptions, time: Any) -> Select[Any]:
    """``stmt`` restricted to ``opts.site`` (``articles.site``) and ``since <= time < until``."""
    if opts.site:
        stmt = stmt.where(Article.__table__.c.site == opts.site)
    if opts.since is not None:
        stmt = stmt.where(time >= bind_time(opts.since, engine))
    if opts.until is not None:
        stmt = stmt.where(time < bind_time(opts.until, engine))
    return stmt


def iter_rows(engine: Engine, opts: ExportOptions) -> Iterator[dict[str, Any]]:
    """One dict per article (requested columns, plus history columns when asked), by id."""
    stmt = articles_query(engine, opts)
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=opts.batch_size).execute(
            stmt
        )
        history = _iter_history(engine, opts) if opts.with_history else None
        pending: tuple[int, list[dict[str, Any]]] | None = None
        keys = list(result.keys())
        # positions of the requested columns; times get their UTC offset back (SQLite drops it)
        plan = [(name, keys.index(name), _is_time(name)) for name in opts.columns]
        id_at = keys.index("id")
        for row in result:
            out = {name: (as_utc(row[i]) if is_time else row[i]) for name, i, is_time in plan}
            if history is not None:
                article_id = row[id_at]
                if pending is None or pending[0] < article_id:
                    pending = next((h for h in history if h[0] >= article_id), (1 << 62, []))
                series = pending[1] if pending[0] == article_id else []
                out["views_observed_at"] = series[-1]["observed_at"] if series else None
                out["view_history"] = series
            yield out


def _iter_history(
    engine: Engine, opts: ExportOptions
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """(article_id, [{observed_at, views}, ...]) in article id order, from its own cursor."""
    vc = ViewCount.__table__
    art = Article.__table__
    stmt = select(vc.c.article_id, vc.c.observed_at, vc.c.views).order_by(
        vc.c.article_id, vc.c.observed_at, vc.c.id
    )
    if opts.site or opts.since is not None or opts.until is not None:
        stmt = stmt.where(
            vc.c.article_id.in_(articles_query(engine, opts).with_only_columns(art.c.id))
        )
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=opts.batch_size).execute(
            stmt
        )
        current: int | None = None
        series: list[dict[str, Any]] = []
        for article_id, observed_at, views in result:
            if article_id != current:
                if current is not None:
                    yield current, series
                current, series = article_id, []
            series.append({"observed_at": as_utc(observed_at), "views": views})
        if current is not None:
            yield current, series


def _is_time(name: str) -> bool:
    column = Article.__table__.c.get(name)
    return column is not None and isinstance(column.type, DateTime)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


#: what makes a spreadsheet read a cell as a formula (OWASP "CSV Injection"): =, +, -, @, and
#: tab or carriage return, which some spreadsheets skip before looking for one of those
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A text cell that a spreadsheet shows as text: one starting with a formula character gets
    a leading ``'`` (OWASP's advice, as spreadsheet-safe exporters do), so a title such as
    ``=HYPERLINK("http://evil/", "点击")`` cannot run when the CSV is opened in Excel. Numbers
    and other non-text values pass through: a negative view count is not a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(name: str, value: Any) -> Any:
    """A CSV cell: ISO times, JSON for structured columns, empty for None, text made
    spreadsheet-safe."""
    if value is None:
        return ""
    if name in JSON_COLUMNS:
        return json.dumps(_jsonable(value), ensure_ascii=False)
    if isinstance(value, datetime):
        return value.isoformat()
    return spreadsheet_safe(value)


Progress = Callable[[int], None]


def write_csv(
    rows: Iterator[dict[str, Any]],
    columns: tuple[str, ...],
    out: IO[bytes],
    progress: Progress | None = None,
) -> int:
    """CSV with a UTF-8 BOM so that Excel reads Chinese correctly, and text cells that cannot
    run as formulas (:func:`spreadsheet_safe`). Returns the row count."""
    import io

    out.write(b"\xef\xbb\xbf")  # the BOM; plain utf-8 below keeps the encoder's fast path
    stream = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        writer = csv.writer(stream)
        writer.writerow(columns)
        n = 0
        for n, row in enumerate(rows, 1):
            writer.writerow([_cell(c, row[c]) for c in columns])
            if progress and n % 10000 == 0:
                progress(n)
        stream.flush()
    finally:
        stream.detach()
    return n


def write_jsonl(
    rows: Iterator[dict[str, Any]],
    columns: tuple[str, ...],
    out: IO[bytes],
    progress: Progress | None = None,
) -> int:
    n = 0
    for n, row in enumerate(rows, 1):
        line = json.dumps({c: _jsonable(row[c]) for c in columns}, ensure_ascii=False)
        out.write(line.encode("utf-8") + b"\n")
        if progress and n % 10000 == 0:
            progress(n)
    return n


def write_parquet(
    rows: Iterator[dict[str, Any]],
    columns: tuple[str, ...],
    out: IO[bytes] | str,
    progress: Progress | None = None,
    batch_size: int = 5000,
) -> int:
    """Parquet, one row group per ``batch_size`` rows; JSON columns as JSON strings."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, _arrow_type(c)) for c in columns])
    n = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            n += 1
            if len(batch) >= batch_size:
                writer.write_batch(_arrow_batch(batch, columns, schema))
                batch = []
                if progress:
                    progress(n)
        if batch or n == 0:
            writer.write_batch(_arrow_batch(batch, columns, schema))
    return n


def _arrow_type(name: str) -> Any:
    import pyarrow as pa

    if name == "view_history":
        return pa.list_(
            pa.struct([("observed_at", pa.timestamp("us", tz="UTC")), ("views", pa.int64())])
        )
    if name in JSON_COLUMNS:
        return pa.string()
    column = Article.__table__.c.get(name)
    if column is None:  # a revision export's own columns (seen_at, article_id, changed)
        column = ArticleRevision.__table__.c.get(name)
    py: type[Any] | None = None
    if column is not None:
        try:
            py = column.type.python_type
        except NotImplementedError:
            py = None
    if name == "views_observed_at" or py is datetime:
        return pa.timestamp("us", tz="UTC")
    if py is int:
        return pa.int64()
    if py is bool:
        return pa.bool_()
    return pa.string()


def _arrow_batch(batch: list[dict[str, Any]], columns: tuple[str, ...], schema: Any) -> Any:
    import pyarrow as pa

    arrays = []
    for c in columns:
        values = [row[c] for row in batch]
        if c in JSON_COLUMNS and c != "view_history":
            values = [
                None if v is None else json.dumps(_jsonable(v), ensure_ascii=False) for v in values
            ]
        arrays.append(pa.array(values, type=schema.field(c).type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def export(
    engine: Engine,
    fmt: str,
    out: IO[bytes] | str,
    opts: ExportOptions,
    progress: Progress | None = None,
) -> int:
    """Write the selected articles to ``out`` in ``fmt``; returns the number of articles."""
    return write_rows(
        iter_rows(engine, opts), opts.all_columns, fmt, out, progress, opts.batch_size
    )


def write_rows(
    rows: Iterator[dict[str, Any]],
    columns: tuple[str, ...],
    fmt: str,
    out: IO[bytes] | str,
    progress: Progress | None = None,
    batch_size: int = 5000,
) -> int:
    """Write ``rows`` to ``out`` (a file name or a binary stream) in ``fmt``; returns the count."""
    if fmt == "parquet":
        return write_parquet(rows, columns, out, progress, batch_size)
    if isinstance(out, str):
        with open(out, "wb") as fh:
            return write_rows(rows, columns, fmt, fh, progress, batch_size)
    if fmt == "csv":
        return write_csv(rows, columns, out, progress)
    if fmt == "jsonl":
        return write_jsonl(rows, columns, out, progress)
    raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
