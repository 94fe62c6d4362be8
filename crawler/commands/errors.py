"""One line for any error the CLI meets: what went wrong and the value it concerns.

Drivers and SQLAlchemy write several lines (a hint on its own line, "Background on this error
at: https://sqlalche.me/…"); a missing optional package is a ``ModuleNotFoundError`` that names
a module, not the extra that brings it. :func:`one_line` keeps the first useful line;
:func:`extra_hint` names the ``pip install 'govnews[…]'`` line.
"""

from __future__ import annotations

import click

#: top-level module -> the extra that installs it (pyproject.toml)
EXTRA_OF = {
    "datasette": "serve",
    "datasette_vega": "serve",
    "pyarrow": "export",
    "psycopg": "postgres",
    "psycopg2": "postgres",
    "scrapy_redis": "redis",
    "redis": "redis",
}


def one_line(exc: BaseException) -> str:
    """The first line of the driver's own message (SQLAlchemy's wrapper and link dropped)."""
    orig = getattr(exc, "orig", None)  # sqlalchemy.exc.DBAPIError keeps the driver's error
    text = str(orig if orig is not None else exc).strip()
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), type(exc).__name__)
    for noise in ("connection failed: ",):
        first = first.removeprefix(noise)
    if first.endswith("Connection refused"):
        first += " (is the database server running there?)"
    return first


def extra_hint(exc: ModuleNotFoundError) -> str | None:
    """``pip install 'govnews[serve]'``-style advice for a module an extra provides, else None."""
    top = (exc.name or "").split(".")[0]
    extra = EXTRA_OF.get(top)
    if extra is None:
        return None
    return (
        f"{top} is not installed; it comes with the {extra!r} extra: pip install 'govnews[{extra}]'"
    )


class BadValue(click.ClickException):
    """A bad option value in one line (click's ``BadParameter`` adds two usage lines); exit 2
    as for any usage error."""

    exit_code = 2


def db_named(url: str | None) -> str:
    """`` on URL`` (password hidden) for an error line, or "" when no database was resolved."""
    if not url:
        return ""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return f" on {make_url(url).render_as_string(hide_password=True)}"
    except ArgumentError:
        return f" on {url}"
