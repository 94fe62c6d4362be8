"""``govnews db``: create or upgrade the database schema (Alembic migrations) and show it."""

from __future__ import annotations

import click

from crawler.commands.common import db_option, resolve_db


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@click.group()
def db() -> None:
    """The database schema: created and changed only through migrations.

    \b
    Example:
        govnews db upgrade --db sqlite:///news.db
        govnews db current
    """


@db.command("upgrade")
@db_option
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def upgrade_cmd(db: str | None, revision: str) -> None:
    """Create the tables or bring an existing database up to date (idempotent).

    Crawls do this themselves on start; run it by hand to prepare a database in advance.

    \b
    Example:
        govnews db upgrade
        govnews db upgrade --db postgresql://govnews@localhost/govnews
    """
    from pipelines.db.migrate import upgrade

    url = resolve_db(db)
    before, after = upgrade(url, revision)
    if before == after:
        click.echo(f"{_shown(url)}: already at revision {after}")
    else:
        click.echo(f"{_shown(url)}: upgraded {before or '(empty)'} -> {after}")


@db.command("current")
@db_option
def current_cmd(db: str | None) -> None:
    """Print the database's schema revision and the newest one this version ships.

    \b
    Example:
        govnews db current --db sqlite:///news.db
    """
    from pipelines.db.migrate import current_revision, head_revision

    url = resolve_db(db)
    current, head = current_revision(url), head_revision()
    state = "up to date" if current == head else "run `govnews db upgrade`"
    click.echo(f"{_shown(url)}: revision {current or '(empty)'}, head {head} ({state})")
