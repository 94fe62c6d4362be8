"""CSV export on PostgreSQL through ``COPY (SELECT …) TO STDOUT WITH (FORMAT csv)``.

Why: read through the driver, a 7 kB article costs ≈ 37 µs in psycopg's row decoding alone,
which held a PostgreSQL export near 17k rows/s however the CSV was written
(``benchmarks/million.py``). Here the server formats every cell and quotes the fields, and the
client only copies bytes: about 25k rows/s on the same data, bounded by the server.

The bytes are those of :func:`pipelines.db.export.write_csv` (the tests hold the two equal):

- text cells are made spreadsheet-safe in SQL (a leading ``'`` before a formula character) and
  an empty text is written as NULL, since PostgreSQL writes a non-NULL empty string as ``""``
  where the csv module writes nothing;
- times are ISO 8601 in UTC with ``+00:00``, microseconds only when there are some, as
  ``datetime.isoformat`` writes them;
- JSON cells are the stored text (written with ``ensure_ascii=False`` by
  :func:`pipelines.db.session.make_engine`); text stored with ``\\u`` escapes by older versions
  goes through ``jsonb`` to unescape it, which keeps the value and may reorder an object's keys;
- libpq hands over one CSV record per message (``Copy.read``: "an unparsed row"), so the
  record's LF is replaced by the CRLF of the csv module's dialect, and the two cases where
  PostgreSQL writes a lone field differently (an empty line, a quoted ``\\.``) are mended.

Used only where it applies: PostgreSQL through psycopg with a UTF-8 client encoding, CSV, no view
history, and columns of the types above; everything else takes the generic path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from sqlalchemy import JSON, DateTime, Engine, Integer, String, Text, case, cast, func, literal
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from pipelines.db.export import (
    FORMULA_STARTS,
    ExportOptions,
    articles_query,
    csv_line,
)
from pipelines.db.models import Article


def _text(column: Any) -> ColumnElement[Any]:
    """``spreadsheet_safe`` in SQL, and '' as NULL (both are written empty)."""
    safe = case(
        (func.left(column, 1).in_(FORMULA_STARTS), literal("'") + column),
        else_=column,
    )
    return func.nullif(safe, "")


def _time(column: Any) -> ColumnElement[Any]:
    """``iso_utc``: ``YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00``; NULL stays NULL."""
    utc = func.timezone("UTC", column)
    text = func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS.US')
    return func.replace(text, ".000000", "") + "+00:00"


def _json(column: Any) -> ColumnElement[Any]:
    """The stored JSON text; JSON ``null`` is written empty, as the generic path writes None;
    ``\\u`` escapes are undone through ``jsonb`` unless one is a NUL, which ``jsonb`` refuses."""
    stored = cast(column, Text)
    return case(
        (stored == "null", None),
        (func.strpos(stored, "\\u") == 0, stored),
        (func.strpos(stored, "\\u0000") == 0, cast(cast(column, JSONB), Text)),
        else_=stored,
    )


def _cell(column: Any) -> ColumnElement[Any] | None:
    """The SQL that writes ``column``'s cell, or None for a type this path does not format."""
    kind = column.type
    if isinstance(kind, DateTime):
        return _time(column)
    if isinstance(kind, JSON):
        return _json(column)
    if isinstance(kind, Integer):
        return column  # type: ignore[no-any-return]
    if isinstance(kind, String):
        return _text(column)
    return None


def applies(engine: Engine, fmt: str, opts: ExportOptions) -> bool:
    """Whether ``opts`` can be exported by COPY on ``engine``."""
    if fmt != "csv" or opts.with_history or engine.dialect.driver != "psycopg":
        return False
    table = Article.__table__
    return all(_cell(table.c[name]) is not None for name in opts.columns)


def copy_csv(
    engine: Engine,
    opts: ExportOptions,
    out: IO[bytes],
    progress: Callable[[int], None] | None = None,
) -> int | None:
    """Write the CSV of :func:`pipelines.db.export.write_csv` to ``out``; returns the row count,
    or None (nothing written) when the connection's client encoding is not UTF-8."""
    table = Article.__table__
    cells = [_cell(table.c[name]).label(name) for name in opts.columns]  # type: ignore[union-attr]
    stmt = articles_query(engine, opts).with_only_columns(*cells)
    compiled = stmt.compile(dialect=engine.dialect, compile_kwargs={"render_postcompile": True})
    single = len(opts.columns) == 1
    with engine.connect() as conn:
        dbapi = conn.connection.driver_connection
        if dbapi is None or dbapi.info.encoding != "utf-8":
            return None
        out.write(b"\xef\xbb\xbf" + csv_line(list(opts.columns)).encode("utf-8"))
        n = 0
        with (
            dbapi.cursor() as cursor,
            cursor.copy(f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv)", compiled.params) as rows,
        ):
            for row in rows:
                n += 1
                out.write(_lone_field(bytes(row)) if single else row[:-1])
                out.write(b"\r\n")
                if progress and n % 10000 == 0:
                    progress(n)
    return n


def _lone_field(record: bytes) -> bytes:
    """A one-column record as the csv module writes it: an empty field as ``""`` and ``\\.``
    unquoted (PostgreSQL quotes it so that it cannot end the data), without its LF."""
    record = record[:-1]
    if record == b"":
        return b'""'
    if record == b'"\\."':
        return b"\\."
    return record
