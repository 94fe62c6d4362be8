"""``govnews serve``: browse, facet, chart and search the SQLite database in Datasette.

Writes the metadata of :mod:`crawler.web.metadata` to a temporary file, registers the plugin
:mod:`crawler.web.plugin` (search of any length, Asia/Shanghai times, month facet) and runs
``datasette serve`` in this process until Ctrl-C. Charts come from datasette-vega (the
``serve`` extra). SQLite only: Datasette does not read PostgreSQL. Each refusal is one line.
"""

from __future__ import annotations

import errno
import json
import socket
import tempfile
from pathlib import Path

import click

from crawler.commands.common import db_option, needs_extra, resolve_db
from crawler.web.metadata import datasette_metadata

SQLITE_MAGIC = b"SQLite format 3\x00"


def check_port(host: str, port: int) -> None:
    """Refuse a busy port in one line with a ``--port`` hint (uvicorn would print five)."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise click.ClickException(
                    f"port {port} on {host} is in use; pick another with --port "
                    f"{port + 1 if port < 65535 else 8001} (or --port 0 for any free one)"
                ) from None
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def check_sqlite_file(path: Path) -> None:
    """A file that is not SQLite would only fail inside Datasette's first request."""
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if head != SQLITE_MAGIC:
        raise click.ClickException(f"{path} is not a SQLite database (give --db sqlite:///FILE)")


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8001,
    show_default=True,
    help="Port (0 picks a free one).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open a web browser.")
def serve(db: str | None, host: str, port: int, open_browser: bool) -> None:
    """Browse the database in a web browser (Datasette): search, facet and chart articles.

    The articles table opens first. Its search box finds any term, 1- and 2-character words
    such as 会议 included, and shows the matching passage; the "Ranked, with passages" link
    beside it orders by relevance.
    Facets: site, column, month. Charts: articles per month per site, and each article's view
    count over time (click a view count). Times show as Asia/Shanghai (e.g. 2024-05-08 09:30
    +08:00); the JSON and CSV links give UTC. Needs the serve extra: pip install 'govnews[serve]'.

    \b
    Example:
        govnews serve                       # then open http://127.0.0.1:8001/
        govnews serve --db sqlite:///demo.db --port 8080
    """
    from pipelines.db.session import is_sqlite, normalise_url

    url = normalise_url(resolve_db(db))
    if not is_sqlite(url):
        raise click.ClickException(
            f"govnews serve needs a SQLite database (Datasette reads SQLite only), not "
            f"{url.get_backend_name()}; export to SQLite or use psql"
        )
    if not url.database or url.database == ":memory:":
        raise click.BadParameter("give a SQLite file, e.g. sqlite:///govnews.db", param_hint="--db")
    path = Path(url.database).expanduser()
    if not path.is_file():
        raise click.ClickException(f"no database at {path}; crawl first (govnews demo)")
    check_sqlite_file(path)
    check_port(host, port)
    with needs_extra("serve"):
        from datasette.cli import serve as datasette_serve
        from datasette.plugins import pm
    from crawler.web import plugin

    try:
        import datasette_vega  # noqa: F401  (registers itself through its entry point)
    except ModuleNotFoundError:
        click.echo(
            "Warning: no charts without datasette-vega: pip install 'govnews[serve]'", err=True
        )

    if pm.get_plugin("govnews") is None:
        pm.register(plugin, name="govnews")
    with tempfile.TemporaryDirectory(prefix="govnews-serve-") as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(datasette_metadata(path.stem), ensure_ascii=False), "utf-8")
        args = [str(path), "--metadata", str(meta), "--host", host, "--port", str(port)]
        for name, value in SETTINGS.items():
            args += ["--setting", name, value]
        if open_browser:
            args.append("--open")
        datasette_serve.main(args, standalone_mode=False)


#: facets must not stall a page; the ranked search reads every candidate's text, so it gets
#: more than Datasette's 1 s; long cells (body_html) are cut at 300 characters
SETTINGS = {
    "facet_time_limit_ms": "1000",
    "sql_time_limit_ms": "10000",
    "truncate_cells_html": "300",
}
