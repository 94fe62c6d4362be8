"""Options and helpers shared by the `govnews` subcommands."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import click

DEFAULT_DB = "sqlite:///govnews.db"
F = TypeVar("F", bound=Callable[..., Any])


def resolve_db(db: str | None) -> str:
    """``--db`` wins, then ``GOVNEWS_DB``, then a SQLite file in the working directory."""
    return db or os.environ.get("GOVNEWS_DB") or DEFAULT_DB


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
