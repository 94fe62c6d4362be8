"""Shared output for commands that print records: ``--format table|json|jsonl|csv``.

Tables are aligned by display width (a CJK character takes two columns) and cells are cut to a
maximum width; JSON is UTF-8 (``ensure_ascii=False``); CSV is the same as ``govnews export``
writes for Excel (a UTF-8 BOM, formula cells neutralised). Also the shared ``--since/--until``
date parameter (Asia/Shanghai calendar days).

Times follow one rule: where a person reads them (tables, and ``govnews serve``'s pages) they
are Asia/Shanghai minutes with the offset written out, ``2024-05-08 09:30 +08:00``; machine
formats (json, jsonl, csv, exports) carry UTC ISO 8601, ``2024-05-08T01:30:00+00:00``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click

FORMATS = ("table", "json", "jsonl", "csv")
SHANGHAI = ZoneInfo("Asia/Shanghai")
F = TypeVar("F", bound=Callable[..., Any])
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def time_rule(choices: Sequence[str] = FORMATS) -> str:
    """The time rule as ``--help`` states it, naming only the formats a command offers."""
    machine = [c for c in choices if c != "table"]
    listed = ", ".join(machine[:-1]) + (" and " if len(machine) > 1 else "") + machine[-1]
    return (
        f"Times: table shows Asia/Shanghai (2024-05-08 09:30 +08:00); {listed} "
        f"give{'s' if len(machine) == 1 else ''} UTC ISO 8601."
    )


def format_option(default: str = "table", choices: Sequence[str] = FORMATS) -> Callable[[F], F]:
    def deco(func: F) -> F:
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(list(choices)),
            default=default,
            show_default=True,
            help=f"Output format. {time_rule(choices)}",
        )(func)

    return deco


class DateParam(click.ParamType):  # type: ignore[type-arg]  # generic only in click>=8.3
    """``YYYY-MM-DD`` (a calendar day in Asia/Shanghai) or a full ISO 8601 time."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            if len(text) == 10:
                day = date.fromisoformat(text)
                return datetime.combine(day, time(), tzinfo=SHANGHAI)
            parsed = datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is not a date like 2024-03-05 (or an ISO time)", param, ctx)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


DATE = DateParam()


def jsonable(value: Any) -> Any:
    """Times in UTC ISO 8601 (naive ones are stored UTC); dates ISO; the rest as they are."""
    if isinstance(value, datetime):
        return (
            value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        ).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def display_width(text: str) -> int:
    text = _ANSI.sub("", text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def cut(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` display columns, with an ellipsis when cut."""
    if display_width(text) <= width or "\x1b" in text:  # coloured text was cut before
        return text
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def human_time(value: datetime) -> str:
    """``2024-05-08 09:30 +08:00``: Asia/Shanghai minutes, labelled (naive means UTC)."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    local = aware.astimezone(SHANGHAI)
    offset = local.strftime("%z")  # +0800 (Python 3.11 has no %:z)
    return f"{local:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        return human_time(value)
    value = jsonable(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    return " ".join(str(value).split())


def render_table(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], max_width: int = 40
) -> str:
    cells = [[cut(_cell(r.get(c)), max_width) for c in columns] for r in rows]
    widths = [
        max([display_width(c)] + [display_width(row[i]) for row in cells])
        for i, c in enumerate(columns)
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v + " " * (w - display_width(v)) for v, w in zip(values, widths, strict=True)
        ).rstrip()

    out = [line(columns), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    return "\n".join(out)


def emit(
    rows: Iterable[dict[str, Any]],
    fmt: str,
    columns: Sequence[str],
    *,
    max_width: int = 40,
) -> None:
    """Print ``rows`` (dicts) to stdout in ``fmt``; ``columns`` fixes order for table/csv."""
    if fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps({k: jsonable(v) for k, v in row.items()}, ensure_ascii=False))
    elif fmt == "json":
        data = [{k: jsonable(v) for k, v in row.items()} for row in rows]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        from pipelines.db.export import spreadsheet_safe

        # a BOM, as ``govnews export`` writes, so Excel reads the Chinese as UTF-8
        buf = io.StringIO("\ufeff")
        buf.seek(0, io.SEEK_END)
        writer = csv.writer(buf)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(
                [
                    "" if row.get(c) is None else spreadsheet_safe(jsonable(row.get(c)))
                    for c in columns
                ]
            )
        click.echo(buf.getvalue(), nl=False)
    else:
        click.echo(render_table(list(rows), columns, max_width=max_width))


def open_database(db_url: str) -> Any:
    """An engine on an existing database at the current schema, or one clear error line.

    Read-only commands never create or migrate: a missing SQLite file or an old schema is the
    user's to fix (``govnews demo`` / ``govnews db upgrade``).
    """
    from pipelines.db.migrate import current_revision, head_revision
    from pipelines.db.session import is_sqlite, make_engine, normalise_url

    url = normalise_url(db_url)
    if is_sqlite(url) and url.database not in (None, "", ":memory:"):
        from pathlib import Path

        if not Path(url.database).expanduser().is_file():
            raise click.ClickException(
                f"no database at {url.database}; crawl first (govnews demo) or pass --db"
            )
    try:
        rev = current_revision(url)
    except ModuleNotFoundError:
        raise  # the CLI names the extra to install
    except Exception as exc:
        from crawler.commands.errors import one_line

        raise click.ClickException(
            f"cannot open {url.render_as_string()}: {one_line(exc)}"
        ) from None
    head = head_revision()
    if rev != head:
        raise click.ClickException(
            f"database schema is at {rev or 'nothing'}, not {head}: run govnews db upgrade --db URL"
        )
    return make_engine(url)
