"""Crawl-run bookkeeping in ``crawl_runs``, including the per-site lock.

A run is a row: ``start_run`` inserts it (status ``running``), ``heartbeat`` moves
``heartbeat_at`` and the running totals, ``finish_run`` writes the outcome. The row is also the
lock: ``start_run(lock=True)`` refuses (``CrawlLockedError``) while another run of the same site
is ``running``, alive, and crawls any of the same start URLs: the lock is per start-URL set, so
two columns of one host (``--start-url`` crawls share the host's site name) run side by side
while the same column is never crawled twice at once; a run with no start URLs recorded (or a
check that names none) conflicts with every run of the site. A run counts as dead, and is marked
``abandoned``, when its heartbeat is older than ``stale_after`` seconds or when it belongs to a
process on this host that no longer exists or is a zombie (state Z in ``/proc/PID/stat``: killed
but not yet reaped by a parent, as in a container without an init), so a crawl killed with
SIGKILL can be restarted at once. The check-and-insert is atomic:
SQLite takes the write lock first (``BEGIN IMMEDIATE``), PostgreSQL an advisory lock per site.
"""

from __future__ import annotations

import hashlib
import math
import os
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Row, Table, bindparam, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from pipelines.db.chunks import chunks
from pipelines.db.models import CrawlRun

RUNS: Table = CrawlRun.__table__  # type: ignore[assignment]
#: seconds without a heartbeat after which a 'running' row no longer blocks its site
DEFAULT_STALE_AFTER = 300.0


def json_safe(value: Any) -> Any:
    """Stats values as JSON: datetimes as ISO strings, anything unknown as its str()."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_safe(v) for v in value]
    return str(value)


class CrawlLockedError(RuntimeError):
    """Another run of the same site is in progress; the message is one line for the CLI."""

    def __init__(self, site: str, run_id: int, owner: str | None, heartbeat_at: datetime) -> None:
        self.site, self.run_id, self.owner, self.heartbeat_at = site, run_id, owner, heartbeat_at
        super().__init__(
            f"site {site!r} is already being crawled by run {run_id}"
            f" ({owner or 'unknown process'}, last heartbeat {heartbeat_at:%Y-%m-%d %H:%M:%S} UTC);"
            " wait for it to finish (a dead run stops blocking after its heartbeat goes stale)"
        )


@dataclass(frozen=True)
class RunningRun:
    id: int
    owner: str | None
    heartbeat_at: datetime


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    # SQLite hands timezone-aware columns back naive; we always store UTC
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _pid_gone(owner: str | None) -> bool:
    """True when ``owner`` ("host:pid") is a process on this host that has exited."""
    if not owner or ":" not in owner:
        return False
    host, _, pid_s = owner.rpartition(":")
    if host != socket.gethostname() or not pid_s.isdigit():
        return False
    pid = int(pid_s)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    """A process that has exited but not been reaped still answers ``kill(pid, 0)``; Linux
    shows it as state Z (or X, dying) in ``/proc/PID/stat``. Elsewhere: assume alive."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    # "PID (COMM) STATE ...": COMM may hold spaces and parentheses, so split at the last ")"
    fields = stat.rpartition(")")[2].split()
    return bool(fields) and fields[0] in ("Z", "X")


def _overlaps(held: Sequence[str] | None, wanted: Sequence[str] | None) -> bool:
    """Whether two runs' start URLs share a column; an unknown (empty) set overlaps all."""
    return not held or not wanted or not set(held).isdisjoint(wanted)


def _site_lock_key(site: str) -> int:
    return int.from_bytes(
        hashlib.sha256(f"govnews:{site}".encode()).digest()[:8], "big", signed=True
    )


def _running(
    conn: Connection, site: str, start_urls: Sequence[str] | None = None
) -> list[Row[Any]]:
    """The ``running`` rows of ``site`` whose start URLs overlap ``start_urls``."""
    rows = _running_rows(conn, [site])
    return [row for _, row in rows if _overlaps(row.start_urls, start_urls)]


def _is_alive(row: Row[Any], now: datetime, stale_after: float) -> bool:
    beat = _aware(row.heartbeat_at or row.started_at)
    return now - beat <= timedelta(seconds=stale_after) and not _pid_gone(row.owner)


def running_run(
    engine: Engine,
    site: str,
    stale_after: float = DEFAULT_STALE_AFTER,
    start_urls: Sequence[str] | None = None,
) -> RunningRun | None:
    """The live run holding ``site``'s lock for any of ``start_urls`` (any at all when None),
    if there is one (a read-only check for the CLI)."""
    now = utcnow()
    with engine.connect() as conn:
        for row in _running(conn, site, start_urls):
            if _is_alive(row, now, stale_after):
                return RunningRun(row.id, row.owner, _aware(row.heartbeat_at or row.started_at))
    return None


def ensure_site_free(
    db_url: str,
    site: str,
    stale_after: float = DEFAULT_STALE_AFTER,
    start_urls: Sequence[str] | None = None,
    engine: Engine | None = None,
) -> None:
    """Raise ``CrawlLockedError`` when a live run holds ``site`` for any of ``start_urls``: a
    pre-check for the CLI, so the refusal is one clear line before Scrapy starts (the pipeline
    re-checks atomically). ``engine``: one to use (and keep) instead of a new one, e.g. the
    shared engine of a fleet crawl, which checks every site."""
    from sqlalchemy import inspect

    from pipelines.db.session import make_engine

    own = engine is None
    engine = make_engine(db_url) if engine is None else engine
    try:
        if not inspect(engine).has_table(RUNS.name):
            return  # a fresh database: nothing runs yet
        live = running_run(engine, site, stale_after, start_urls)
    finally:
        if own:
            engine.dispose()
    if live is not None:
        raise CrawlLockedError(site, live.id, live.owner, live.heartbeat_at)


def start_run(
    engine: Engine,
    site: str,
    start_urls: Sequence[str] = (),
    *,
    lock: bool = True,
    stale_after: float = DEFAULT_STALE_AFTER,
    now: datetime | None = None,
) -> int:
    """Insert a ``running`` crawl_runs row and return its id; raise if a live run of the site
    crawls any of the same start URLs."""
    wanted = {site: start_urls}
    ids, locked = start_runs(engine, wanted, lock=lock, stale_after=stale_after, now=now)
    if site in locked:
        raise locked[site]
    return ids[site]


def start_runs(
    engine: Engine,
    wanted: Mapping[str, Sequence[str]],
    *,
    lock: bool = True,
    stale_after: float = DEFAULT_STALE_AFTER,
    now: datetime | None = None,
) -> tuple[dict[str, int], dict[str, CrawlLockedError]]:
    """Start a run for each site of ``wanted`` (site: its start URLs) in one transaction: the
    ids of the runs started, and the sites a live run holds (``lock``) with their errors.

    One transaction for a fleet's sites, not one each: on PostgreSQL each site's start was
    five round trips on the crawl's event loop, and a 200-site fleet's sites waited for them
    before their first requests (benchmarks/fleet.py). A dead run found on the way (its process
    gone, or its heartbeat older than ``stale_after``) is marked ``abandoned``."""
    now = now or utcnow()
    held: dict[str, CrawlLockedError] = {}
    with engine.execution_options(sqlite_begin="IMMEDIATE").begin() as conn:
        if lock:
            _lock_sites(conn, list(wanted))
            for site, row in _running_rows(conn, list(wanted)):
                if not _overlaps(row.start_urls, wanted[site]):
                    continue
                if _is_alive(row, now, stale_after):
                    beat = _aware(row.heartbeat_at or row.started_at)
                    held.setdefault(site, CrawlLockedError(site, row.id, row.owner, beat))
                    continue
                conn.execute(
                    update(RUNS)
                    .where(RUNS.c.id == row.id)
                    .values(status="abandoned", finished_at=row.heartbeat_at or row.started_at)
                )
        rows = [_new_run(site, urls, now) for site, urls in wanted.items() if site not in held]
        if not rows:
            return {}, held
        stmt = insert(RUNS).returning(RUNS.c.site, RUNS.c.id, sort_by_parameter_order=True)
        ids = {site: int(run_id) for site, run_id in conn.execute(stmt, rows)}
    return ids, held


def _new_run(site: str, start_urls: Sequence[str], now: datetime) -> dict[str, Any]:
    return {
        "site": site,
        "start_urls": list(start_urls),
        "started_at": now,
        "heartbeat_at": now,
        "status": "running",
        "owner": owner_id(),
        "pages": 0,
        "items": 0,
        "rejects": 0,
        "errors": 0,
    }


def _lock_sites(conn: Connection, sites: Sequence[str]) -> None:
    """PostgreSQL: each site's transaction-level advisory lock, taken in the order of their
    keys (two fleets sharing sites then wait for each other, never deadlock); SQLite's
    ``BEGIN IMMEDIATE`` already holds the whole database."""
    if conn.dialect.name != "postgresql":
        return
    keys = sorted({_site_lock_key(site) for site in sites})
    conn.execute(
        text(
            "SELECT count(pg_advisory_xact_lock(k))"
            " FROM (SELECT unnest(CAST(:keys AS bigint[])) AS k ORDER BY k) AS ordered"
        ),
        {"keys": keys},
    )


def _running_rows(conn: Connection, sites: Sequence[str]) -> list[tuple[str, Row[Any]]]:
    """The ``running`` rows of ``sites``, 500 sites a query."""
    found = []
    cols = (RUNS.c.site, RUNS.c.id, RUNS.c.owner, RUNS.c.heartbeat_at, RUNS.c.started_at)
    for chunk in chunks(sorted(set(sites))):
        stmt = select(*cols, RUNS.c.start_urls).where(
            RUNS.c.site.in_(chunk), RUNS.c.status == "running"
        )
        rows: list[Row[Any]] = list(conn.execute(stmt))
        found += [(row.site, row) for row in rows]
    return found


def claim_runs(engine: Engine, run_ids: Sequence[int]) -> None:
    """Make this process the owner of ``run_ids`` (a fleet's worker, of the runs its parent
    started for its sites), so that a killed worker's runs are seen dead by the next crawl."""
    if not run_ids:
        return
    with engine.begin() as conn:
        for chunk in chunks(sorted(set(run_ids))):
            conn.execute(update(RUNS).where(RUNS.c.id.in_(chunk)).values(owner=owner_id()))


def end_runs(engine: Engine, run_ids: Sequence[int], status: str) -> None:
    """End the runs of ``run_ids`` that are still ``running`` with ``status``: runs started for
    a fleet's sites (:func:`start_runs`) whose crawl never opened, or whose worker died."""
    if not run_ids:
        return
    with engine.begin() as conn:
        for chunk in chunks(sorted(set(run_ids))):
            conn.execute(
                update(RUNS)
                .where(RUNS.c.id.in_(chunk), RUNS.c.status == "running")
                .values(status=status, finished_at=utcnow())
            )


def heartbeat(conn: Connection, run_id: int, now: datetime | None = None) -> None:
    """Move a run's heartbeat alone, in the caller's transaction (a batch moves it with the
    run's totals: :func:`add_to_runs`)."""
    conn.execute(update(RUNS).where(RUNS.c.id == run_id).values(heartbeat_at=now or utcnow()))


def add_to_runs(conn: Connection, now: datetime, counts: Sequence[tuple[int, int, int]]) -> None:
    """Move the heartbeat of each run in ``counts`` (run id, items, rejects) and add the items
    and rejects to its running totals, in the caller's transaction: one statement, executed
    once per run (a fleet's batches are written together: ``batch.store_batches``)."""
    if not counts:
        return
    stmt = (
        update(RUNS)
        .where(RUNS.c.id == bindparam("run"))
        .values(
            heartbeat_at=now,
            items=RUNS.c["items"] + bindparam("added_items"),
            rejects=RUNS.c.rejects + bindparam("added_rejects"),
        )
    )
    rows = [{"run": r, "added_items": i, "added_rejects": j} for r, i, j in counts]
    conn.execute(stmt, rows)


def finish_run(
    engine: Engine,
    run_id: int,
    *,
    status: str,
    pages: int,
    items: int,
    rejects: int,
    errors: int,
    stats: dict[str, Any] | None,
    now: datetime | None = None,
) -> None:
    """Write a run's outcome. When that fails (a full disk: the stats JSON needs pages there
    is no room for), the outcome alone is written, which rewrites only the run's own row."""
    now = now or utcnow()
    outcome = {
        "status": status[:20],
        "finished_at": now,
        "heartbeat_at": now,
        "pages": pages,
        "items": items,
        "rejects": rejects,
        "errors": errors,
    }
    full = {**outcome, "stats": json_safe(stats) if stats is not None else None}
    try:
        with engine.begin() as conn:
            conn.execute(update(RUNS).where(RUNS.c.id == run_id).values(full))
    except OperationalError:
        with engine.begin() as conn:
            conn.execute(update(RUNS).where(RUNS.c.id == run_id).values(outcome))


def mark_interrupted(db_url: str, run_id: int) -> None:
    """Mark a run ``interrupted`` when its crawl was forced to stop (a second Ctrl-C) before it
    could finish the run itself; a run already finished keeps its status."""
    from pipelines.db.session import make_engine

    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                update(RUNS)
                .where(RUNS.c.id == run_id, RUNS.c.status == "running")
                .values(status="interrupted", finished_at=utcnow())
            )
    finally:
        engine.dispose()
