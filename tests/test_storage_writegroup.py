"""A fleet's sites write their batches together (pipelines/writegroup.py), on SQLite and
PostgreSQL: one transaction for every site's buffer, each site's own counts, run totals and
``items_stored`` signal, and one site's bad row costs the other sites nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from crawler.items import RejectItem, items_stored
from pipelines.db.session import shared_engine
from tests.storage_helpers import Run, article, open_run, rows, scalar

SHARED = {"GOVNEWS_DB_SHARED_ENGINE": True}


def _article(site: str, n: int, **kw: Any) -> Any:
    return article(n, site=site, url=f"http://127.0.0.1:1/{site}/{n}.html", **kw)


@pytest.fixture
def fleet(db_url: str) -> Iterator[tuple[Run, Run]]:
    north = open_run(db_url, site="north", **SHARED)
    south = open_run(db_url, site="south", **SHARED)
    yield north, south
    for run in (north, south):
        if run.storage.group is not None:
            run.close()


def _commits(db_url: str) -> list[int]:
    """A counter of the shared engine's commits."""
    count = [0]

    def committed(conn: Any) -> None:
        count[0] += 1

    event.listen(shared_engine(db_url), "commit", committed)
    return count


def test_sites_batches_are_one_transaction_with_their_own_counts(
    db_url: str, fleet: tuple[Run, Run]
) -> None:
    north, south = fleet
    assert north.storage.group is south.storage.group is not None
    told = {"north": 0, "south": 0}
    for run, name in ((north, "north"), (south, "south")):

        def stored(name: str = name, **_: Any) -> None:
            told[name] += 1

        run.crawler.signals.connect(stored, signal=items_stored, weak=False)
    north.feed(_article("north", n) for n in range(1, 4))
    south.feed([_article("south", 1), _article("south", 2)])
    south.storage.process_item(RejectItem("http://127.0.0.1:1/south/9.html", "south", "http_404"))
    commits = _commits(db_url)
    north.storage.flush()  # one member's flush writes every member's buffer
    assert commits == [1]
    assert (north.storage.buffer, south.storage.buffer) == ([], [])
    assert told == {"north": 1, "south": 1}
    key = "govnews/storage/articles"
    assert (north.stat(key), south.stat(key)) == (3, 2)
    assert south.stat("govnews/storage/rejects") == 1
    assert north.stat("govnews/storage/rejects") is None
    engine = shared_engine(db_url)
    got = rows(engine, "SELECT site, items, rejects FROM crawl_runs ORDER BY site")
    assert got == [("north", 3, 0), ("south", 2, 1)]
    views = rows(
        engine,
        "SELECT a.site, count(*) FROM view_counts v JOIN articles a ON a.id = v.article_id"
        " WHERE v.crawl_run_id = a.last_crawl_run_id GROUP BY a.site ORDER BY a.site",
    )
    assert views == [("north", 3), ("south", 2)]
    north.close()
    south.close()
    assert rows(engine, "SELECT site, status, items FROM crawl_runs ORDER BY site") == [
        ("north", "finished", 3),
        ("south", "finished", 2),
    ]
    assert north.storage.group is None and south.storage.group is None


def test_one_sites_bad_row_costs_the_other_sites_nothing(
    db_url: str, fleet: tuple[Run, Run]
) -> None:
    north, south = fleet
    north.feed(_article("north", n) for n in range(1, 3))
    # past validation (which would have refused it): a value no BIGINT holds
    south.storage.process_item(_article("south", 1))
    south.storage.process_item(_article("south", 2, views=10**30))
    north.storage.flush()
    engine = shared_engine(db_url)
    stored = rows(engine, "SELECT site, count(*) FROM articles GROUP BY site ORDER BY site")
    assert stored == [("north", 2), ("south", 1)]
    assert rows(engine, "SELECT site, url, reason FROM rejects") == [
        ("south", "http://127.0.0.1:1/south/2.html", "storage_refused")
    ]
    assert (north.storage.store_errors, south.storage.store_errors) == (0, 1)
    north.close()
    south.close()
    got = rows(engine, "SELECT site, status, errors FROM crawl_runs ORDER BY site")
    assert got == [("north", "finished", 0), ("south", "incomplete", 1)]


def test_members_together_fill_a_batch(db_url: str) -> None:
    north = open_run(db_url, batch_size=4, site="north", **SHARED)
    south = open_run(db_url, batch_size=4, site="south", **SHARED)
    engine = shared_engine(db_url)
    north.feed([_article("north", 1), _article("north", 2)])
    south.feed([_article("south", 1)])
    assert scalar(engine, "SELECT count(*) FROM articles") == 0
    south.feed([_article("south", 2)])  # the fourth item the group holds
    assert scalar(engine, "SELECT count(*) FROM articles") == 4
    north.close()
    assert south.storage.group is not None and south.storage.group.members == [south.storage]
    south.close()
    # a pipeline opened later makes a new group
    west = open_run(db_url, site="west", **SHARED)
    assert west.storage.group is not None and west.storage.group.members == [west.storage]
    west.close()


def test_a_lone_pipeline_writes_alone(db_url: str) -> None:
    run = open_run(db_url)
    assert run.storage.group is None
    run.feed([article(1)])
    run.close()
    assert rows(shared_engine(db_url), "SELECT status, items FROM crawl_runs") == [("finished", 1)]


def test_in_lists_are_cut_in_chunks_in_order() -> None:
    from pipelines.db.chunks import IN_LIST, chunks

    values = list(range(2 * IN_LIST + 3))
    parts = list(chunks(values))
    assert [len(part) for part in parts] == [IN_LIST, IN_LIST, 3]
    assert [v for part in parts for v in part] == values
    assert list(chunks([])) == []
