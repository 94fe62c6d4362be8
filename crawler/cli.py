"""The ``govnews`` command group: the one place that wires crawler and pipelines together.

Each subcommand lives in :mod:`crawler.commands`; this module only assembles them and turns
unexpected exceptions into one clear line (set ``GOVNEWS_DEBUG=1`` for the traceback). A
Ctrl-C while the commands are still being imported (half a second of Scrapy, SQLAlchemy, lxml)
ends the command quietly with status 130 instead of a KeyboardInterrupt traceback.

The cyclic garbage collector is off while the commands are imported, and what they imported is
then frozen (``gc.freeze``), as Python's documentation advises for a process that forks (a
fleet crawl's workers): nothing imported is garbage, and the collector's passes would walk all of
it again and again (≈ 0.12 s of the 0.7 s import), as would the last collection when the
interpreter exits (≈ 0.13 s). The console entry point freezes the heap again before it exits, so
that leaving costs milliseconds (``benchmarks/fleet.py`` counts a fleet's start and exit).
"""

# ruff: noqa: E402  (the Ctrl-C handler must be in place before the slow imports below)
from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from types import FrameType

_COLLECTING = gc.isenabled()
gc.disable()  # until the commands are imported (see the module docstring)


def _interrupted_while_loading(signum: int, frame: FrameType | None) -> None:
    sys.stderr.write("Interrupted.\n")
    os._exit(130)  # nothing has started yet: no work to keep, no cleanup to run


# only in the main thread, and only over Python's default handler (not an inherited SIG_IGN)
_LOADING = (
    threading.current_thread() is threading.main_thread()
    and signal.getsignal(signal.SIGINT) is signal.default_int_handler
)
if _LOADING:
    signal.signal(signal.SIGINT, _interrupted_while_loading)

import click

from crawler import __version__
from crawler.commands import (
    crawl,
    db,
    demo,
    discover,
    export,
    extract,
    health,
    probe,
    revisit,
    schedule,
    search,
    serve,
    sites,
    stats,
)
from crawler.commands import eval as evaluate
from crawler.commands.common import LAST_DB
from crawler.commands.errors import db_named, extra_hint, one_line


class FlowOrderedGroup(click.Group):
    """Lists subcommands in the order they are added (the data flow), not alphabetically."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@click.group(
    cls=FlowOrderedGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="govnews")
def cli() -> None:
    """govnews: crawl Chinese government news columns into a database you can query.

    \b
    Example:
        govnews demo                       # crawl the bundled demo site into govnews.db
        govnews crawl --start-url http://www.example.gov.cn/qndt/
        govnews extract page.html
    """


# in the order of the flow: crawl -> inspect extraction -> store -> analyse -> operate
for _command in (
    demo.demo,
    crawl.crawl,
    revisit.revisit,
    sites.sites,
    probe.probe,
    discover.discover,
    extract.extract,
    evaluate.eval_,
    db.db,
    export.export,
    search.search,
    stats.stats,
    serve.serve,
    health.health,
    schedule.schedule,
):
    cli.add_command(_command)

if _LOADING:  # loaded: Ctrl-C is a KeyboardInterrupt again (main() turns it into exit 130)
    signal.signal(signal.SIGINT, signal.default_int_handler)
gc.freeze()
if _COLLECTING:
    gc.enable()


def main() -> None:
    """Console entry point: errors are one line on stderr and a non-zero exit, never a traceback."""
    try:
        _main()
    finally:
        gc.freeze()  # the interpreter's last collection would walk the whole heap for nothing


def _main() -> None:
    try:
        # without standalone mode click returns the code of ctx.exit(n) instead of exiting
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as exc:  # the CLI's last line of defence
        if os.environ.get("GOVNEWS_DEBUG"):
            raise
        hint = extra_hint(exc) if isinstance(exc, ModuleNotFoundError) else None
        if hint is None and getattr(exc, "orig", None) is not None:  # a database driver's error
            hint = f"database error{db_named(LAST_DB[0])}: {one_line(exc)}"
        click.echo(f"Error: {hint or f'{type(exc).__name__}: {one_line(exc)}'}", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
