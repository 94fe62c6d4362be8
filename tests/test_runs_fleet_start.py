"""A fleet's runs are started together (pipelines/db/runs.py ``start_runs``), on SQLite and
PostgreSQL: one transaction starts every free site's run with the lock rules of a single-site
crawl, and the runs a fleet started but never crawled are ended, not left ``running``."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, update

from pipelines.db.runs import (
    RUNS,
    CrawlLockedError,
    claim_runs,
    end_runs,
    owner_id,
    start_run,
    start_runs,
)
from tests.storage_helpers import hold_run, rows

REPO = Path(__file__).resolve().parents[1]


def test_free_sites_start_and_held_ones_are_named(db_url: str, migrated_engine: Engine) -> None:
    engine = migrated_engine
    hold_run(db_url, "held", ["http://h/a/"])
    hold_run(db_url, "other_column", ["http://h/b/"])
    wanted = {
        "held": ["http://h/a/"],
        "other_column": ["http://h/c/"],  # another column of a held site: free
        "north": ["http://n/"],
        "south": ["http://s/"],
    }
    ids, locked = start_runs(engine, wanted)
    assert sorted(ids) == ["north", "other_column", "south"]
    assert list(locked) == ["held"]
    assert isinstance(locked["held"], CrawlLockedError)
    assert "site 'held' is already being crawled" in str(locked["held"])
    got = rows(engine, "SELECT id, site, status, owner FROM crawl_runs ORDER BY id")
    # the two held rows, then one new run per free site, in the order asked
    assert [(site, status) for _, site, status, _ in got] == [
        ("held", "running"),
        ("other_column", "running"),
        ("other_column", "running"),
        ("north", "running"),
        ("south", "running"),
    ]
    assert [run_id for run_id, *_ in got[2:]] == [ids["other_column"], ids["north"], ids["south"]]
    assert {owner for *_, owner in got} == {owner_id()}


def test_a_dead_run_is_abandoned_and_its_site_started(db_url: str, migrated_engine: Engine) -> None:
    engine = migrated_engine
    old = start_run(engine, "north", ["http://n/"])
    stale = datetime.now(UTC) - timedelta(hours=1)
    with engine.begin() as conn:
        conn.execute(update(RUNS).where(RUNS.c.id == old).values(heartbeat_at=stale))
    ids, locked = start_runs(engine, {"north": ["http://n/"], "south": ["http://s/"]})
    assert locked == {}
    assert dict(rows(engine, "SELECT id, status FROM crawl_runs")) == {
        old: "abandoned",
        ids["north"]: "running",
        ids["south"]: "running",
    }


def test_without_the_lock_every_site_starts(db_url: str, migrated_engine: Engine) -> None:
    hold_run(db_url, "held", ["http://h/a/"])
    ids, locked = start_runs(migrated_engine, {"held": ["http://h/a/"]}, lock=False)
    assert list(ids) == ["held"] and locked == {}


def test_unstarted_runs_end_and_workers_claim_theirs(db_url: str, migrated_engine: Engine) -> None:
    engine = migrated_engine
    ids, _ = start_runs(engine, {"north": [], "south": [], "east": []})
    end_runs(engine, [ids["north"]], "failed")
    end_runs(engine, [ids["north"]], "interrupted")  # an ended run keeps its status
    child = (
        "import sys; from pipelines.db.runs import claim_runs, owner_id;"
        " from pipelines.db.session import make_engine;"
        " claim_runs(make_engine(sys.argv[1]), [int(sys.argv[2])]); print(owner_id())"
    )
    done = subprocess.run(
        [sys.executable, "-c", child, db_url, str(ids["south"])],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=True,
    )
    claim_runs(engine, [])  # nothing to claim: no statement
    got = {
        site: (status, owner)
        for site, status, owner in rows(engine, "SELECT site, status, owner FROM crawl_runs")
    }
    assert got["north"][0] == "failed"
    assert got["south"] == ("running", done.stdout.strip())
    assert got["east"] == ("running", owner_id())
    assert done.stdout.strip() != owner_id()
