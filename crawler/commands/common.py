"""Options and helpers shared by the `govnews` subcommands."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

DEFAULT_DB = "sqlite:///govnews.db"
#: the database the running command resolved, so that an unexpected driver error caught by the
#: CLI's last line of defence can still name it (one CLI command per process)
LAST_DB: list[str | None] = [None]
F = TypeVar("F", bound=Callable[..., Any])


def resolve_db(db: str | None) -> str:
    """``--db`` wins, then ``GOVNEWS_DB``, then a SQLite file in the working directory.

    An in-memory SQLite URL is refused: every command runs in its own process (and a crawl
    opens several connections), so such a database would be empty to each of them."""
    url = db or os.environ.get("GOVNEWS_DB") or DEFAULT_DB
    LAST_DB[0] = url
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        from crawler.commands.errors import BadValue

        raise BadValue(
            f"{'--db' if db else 'GOVNEWS_DB'} {url!r} is not a database URL; "
            "e.g. sqlite:///govnews.db or postgresql://user@host/dbname"
        ) from None
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        from crawler.commands.errors import BadValue

        raise BadValue(
            f"{url!r} is an in-memory database, gone when the command ends; "
            "give a file, e.g. sqlite:///govnews.db"
        )
    return url


#: what each extra brings (pyproject.toml [project.optional-dependencies])
EXTRAS = {
    "export": "Parquet export (pyarrow)",
    "serve": "the web view (Datasette and datasette-vega)",
    "postgres": "PostgreSQL (psycopg)",
    "redis": "a shared Redis queue (scrapy-redis)",
}


@contextmanager
def needs_extra(extra: str) -> Iterator[None]:
    """Turn a missing optional package into one line naming the ``pip install`` to run."""
    try:
        yield
    except ModuleNotFoundError as exc:
        raise click.ClickException(
            f"{EXTRAS[extra]} needs the {extra!r} extra "
            f"({(exc.name or '?').split('.')[0]} is not installed): "
            f"pip install 'govnews[{extra}]'"
        ) from None


def db_option(func: F) -> F:
    """``--db URL``: any SQLAlchemy URL; the environment variable GOVNEWS_DB is the fallback."""
    return click.option(
        "--db",
        "db",
        metavar="URL",
        default=None,
        help="SQLAlchemy database URL [env GOVNEWS_DB; default sqlite:///govnews.db].",
    )(func)


def quiet_option(func: F) -> F:
    return click.option("--quiet", "-q", is_flag=True, help="Print only errors and the summary.")(
        func
    )


def _parse_settings(
    _ctx: click.Context, _param: click.Parameter, pairs: tuple[str, ...]
) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE")
        out[name.strip()] = value
    return out


def settings_option(func: F) -> F:
    """``-s NAME=VALUE`` (repeatable): Scrapy setting overrides, parsed into a dict."""
    return click.option(
        "-s",
        "--set",
        "extra",
        multiple=True,
        metavar="NAME=VALUE",
        callback=_parse_settings,
        help="Override a Scrapy setting, e.g. -s DOWNLOAD_DELAY=2.",
    )(func)
