"""Streaming export of ``articles`` to CSV (UTF-8 with BOM, formula cells neutralised), JSON
Lines and Parquet.

Memory stays constant whatever the row count: articles are read through a streaming cursor
(server-side on PostgreSQL, ``yield_per`` batches), written as they come, and Parquet is written
in row groups of ``batch_size`` rows. With ``with_history`` the view-count series is merged in
from a second cursor over ``view_counts`` ordered by article id, so no per-article query and no
in-memory index is needed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO, Any

from sqlalchemy import JSON, DateTime, Engine, Select, select

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
#: every JSON column of ``articles`` (written as JSON text in CSV and Parquet), and the history
JSON_COLUMNS = {c.name for c in Article.__table__.columns if isinstance(c.type, JSON)} | {
    "view_history"
}


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
    """One dict per article (requested columns, plus history columns when asked), by id;
    times timezone-aware (UTC)."""
    columns = opts.all_columns
    times = _time_positions(columns)
    for values in iter_values(engine, opts):
        for i in times:
            values[i] = as_utc(values[i])
        yield dict(zip(columns, values, strict=True))


def iter_values(engine: Engine, opts: ExportOptions) -> Iterator[list[Any]]:
    """One list per article in ``opts.all_columns`` order, by id: the writers' input.

    Lists, not dicts, and times as the driver gives them (naive on SQLite, meaning UTC;
    :func:`iso_utc` writes both): building a dict and a new datetime for every row cost a
    third of an export's time."""
    stmt = articles_query(engine, opts)
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=opts.batch_size).execute(
            stmt
        )
        keys = list(result.keys())
        pick = [keys.index(name) for name in opts.columns]
        id_at = keys.index("id")
        if not opts.with_history:
            for row in result:
                yield [row[i] for i in pick]
            return
        history = _iter_history(engine, opts)
        pending: tuple[int, list[dict[str, Any]]] | None = None
        for row in result:
            article_id = row[id_at]
            if pending is None or pending[0] < article_id:
                pending = next((h for h in history if h[0] >= article_id), (1 << 62, []))
            series = pending[1] if pending[0] == article_id else []
            observed = series[-1]["observed_at"] if series else None
            yield [*(row[i] for i in pick), observed, series]


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
    """A time column of an article or revision export."""
    column = Article.__table__.c.get(name)
    if column is None:  # a revision export's own columns (seen_at, article_id, changed)
        column = ArticleRevision.__table__.c.get(name)
    return column is not None and isinstance(column.type, DateTime)


def _time_positions(columns: tuple[str, ...]) -> list[int]:
    return [i for i, name in enumerate(columns) if name == "views_observed_at" or _is_time(name)]


def iso_utc(value: datetime) -> str:
    """ISO 8601 in UTC with its offset; a naive time (SQLite's) is UTC already."""
    if value.tzinfo is None:
        return value.isoformat() + "+00:00"
    if value.utcoffset():
        value = value.astimezone(UTC)
    return value.isoformat()


#: ``json.dumps(…, ensure_ascii=False)`` builds an encoder per call; one is enough
_encode_json = json.JSONEncoder(ensure_ascii=False).encode


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


Progress = Callable[[int], None]


class _Cells:
    """How the writers turn a row's values into cells, column by column: positions of times,
    of JSON columns and of text, found once per export rather than per cell."""

    def __init__(self, columns: tuple[str, ...]) -> None:
        self.times = _time_positions(columns)
        #: JSON read from the database holds only JSON types; the view history has datetimes
        self.json = [i for i, c in enumerate(columns) if c in JSON_COLUMNS and c != "view_history"]
        self.history = [i for i, c in enumerate(columns) if c == "view_history"]
        skip = {*self.times, *self.json, *self.history}
        self.text = [i for i in range(len(columns)) if i not in skip]

    def csv(self, values: list[Any]) -> list[Any]:
        """A CSV row: ISO times, JSON for structured columns, text made spreadsheet-safe;
        None is written empty by the csv module itself."""
        for i in self.times:
            if (v := values[i]) is not None:
                values[i] = iso_utc(v)
        for i in self.json:
            if (v := values[i]) is not None:
                values[i] = _encode_json(v)
        for i in self.history:
            if (v := values[i]) is not None:
                values[i] = _encode_json(_jsonable(v))
        for i in self.text:
            v = values[i]  # spreadsheet_safe, inlined: it runs for most cells of an export
            if v.__class__ is str and v.startswith(FORMULA_STARTS):
                values[i] = "'" + v
        return values

    def json_ready(self, values: list[Any]) -> list[Any]:
        """Values ``json`` can encode: ISO times (with the history's)."""
        for i in self.times:
            if (v := values[i]) is not None:
                values[i] = iso_utc(v)
        for i in self.history:
            values[i] = _jsonable(values[i])
        return values


def write_csv(
    rows: Iterator[list[Any]],
    columns: tuple[str, ...],
    out: IO[bytes],
    progress: Progress | None = None,
) -> int:
    """CSV with a UTF-8 BOM so that Excel reads Chinese correctly, and text cells that cannot
    run as formulas (:func:`spreadsheet_safe`); ``rows`` are value lists in ``columns`` order.
    Returns the row count. The lines are those of the ``csv`` module's default (excel) dialect,
    made by :func:`csv_line`."""
    import io

    out.write(b"\xef\xbb\xbf")  # the BOM; plain utf-8 below keeps the encoder's fast path
    stream = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    cells = _Cells(columns)
    try:
        stream.write(csv_line(list(columns)))
        n = 0
        for n, values in enumerate(rows, 1):
            stream.write(csv_line(cells.csv(values)))
            if progress and n % 10000 == 0:
                progress(n)
        stream.flush()
    finally:
        stream.detach()
    return n


#: what makes the csv module's excel dialect quote a field (QUOTE_MINIMAL)
_CSV_SPECIAL = re.compile(r'[",\r\n]')


def csv_line(values: list[Any]) -> str:
    """One CSV line as ``csv.writer`` writes it in its default dialect (``,`` between fields,
    a field with ``"``, ``,``, CR or LF quoted and its quotes doubled, None empty, CRLF at the
    end). Written here because ``csv.writer`` went through long non-ASCII fields (an article's
    body and HTML) character by character: 33 µs a row of 2,800 characters against 7 µs, the
    larger part of an export's time (benchmarks/million.py); the tests hold the two equal."""
    cells = []
    for value in values:
        if value is None:
            cells.append("")
            continue
        text = value if value.__class__ is str else str(value)
        if _CSV_SPECIAL.search(text):
            text = '"' + text.replace('"', '""') + '"'
        cells.append(text)
    if len(cells) == 1 and cells[0] == "":
        cells[0] = '""'  # a lone empty field, as csv.writer writes it (else the line is blank)
    return ",".join(cells) + "\r\n"


def write_jsonl(
    rows: Iterator[list[Any]],
    columns: tuple[str, ...],
    out: IO[bytes],
    progress: Progress | None = None,
) -> int:
    """One JSON object per line; ``rows`` are value lists in ``columns`` order."""
    cells = _Cells(columns)
    n = 0
    for n, values in enumerate(rows, 1):
        line = _encode_json(dict(zip(columns, cells.json_ready(values), strict=True)))
        out.write(line.encode("utf-8") + b"\n")
        if progress and n % 10000 == 0:
            progress(n)
    return n


def write_parquet(
    rows: Iterator[list[Any]],
    columns: tuple[str, ...],
    out: IO[bytes] | str,
    progress: Progress | None = None,
    batch_size: int = 5000,
) -> int:
    """Parquet, one row group per ``batch_size`` rows; JSON columns as JSON strings; ``rows``
    are value lists in ``columns`` order."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, _arrow_type(c)) for c in columns])
    n = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        batch: list[list[Any]] = []
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


def _arrow_batch(batch: list[list[Any]], columns: tuple[str, ...], schema: Any) -> Any:
    import pyarrow as pa

    arrays = []
    by_column = list(zip(*batch, strict=True)) if batch else [()] * len(columns)
    for c, values in zip(columns, by_column, strict=True):
        if c in JSON_COLUMNS and c != "view_history":
            values = tuple(None if v is None else _encode_json(v) for v in values)
        # naive times (SQLite's) are UTC, which is how pyarrow reads them for a UTC column
        arrays.append(pa.array(values, type=schema.field(c).type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def export(
    engine: Engine,
    fmt: str,
    out: IO[bytes] | str,
    opts: ExportOptions,
    progress: Progress | None = None,
) -> int:
    """Write the selected articles to ``out`` in ``fmt``; returns the number of articles.

    A CSV from PostgreSQL is formatted by the server (:mod:`pipelines.db.export_copy`)."""
    from pipelines.db import export_copy

    if export_copy.applies(engine, fmt, opts):
        if isinstance(out, str):
            with open(out, "wb") as fh:
                return export(engine, fmt, fh, opts, progress)
        n = export_copy.copy_csv(engine, opts, out, progress)
        if n is not None:
            return n
    values = iter_values(engine, opts)
    return write_values(values, opts.all_columns, fmt, out, progress, opts.batch_size)


def write_values(
    rows: Iterator[list[Any]],
    columns: tuple[str, ...],
    fmt: str,
    out: IO[bytes] | str,
    progress: Progress | None = None,
    batch_size: int = 5000,
) -> int:
    """Write ``rows`` (value lists in ``columns`` order; the writers change them in place) to
    ``out`` (a file name or a binary stream) in ``fmt``; returns the count."""
    if fmt == "parquet":
        return write_parquet(rows, columns, out, progress, batch_size)
    if isinstance(out, str):
        with open(out, "wb") as fh:
            return write_values(rows, columns, fmt, fh, progress, batch_size)
    if fmt == "csv":
        return write_csv(rows, columns, out, progress)
    if fmt == "jsonl":
        return write_jsonl(rows, columns, out, progress)
    raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
