"""A fleet's sites split over worker processes, one per core, forked after start-up.

A fleet crawl runs one Scrapy crawler per site on one event loop (:mod:`crawler.runtime.runner`).
What that loop does per site outside its pages is serial: building and opening the site's
crawler at the start, closing it and writing its last batch at the end. On a machine with
several cores, a fleet of hundreds of sites is split into one group per core, each crawled by
its own forked process; the parent waits. Forked, not spawned: the children inherit the imported
modules (a spawned child would pay the interpreter's and Scrapy's import time again) and nothing
else is shared: no event loop, reactor or database connection exists before the fork (the caller
disposes of its engine first, so the children's pools start empty).

Signals: each child is put in its own process group, so that a terminal's Ctrl-C reaches only the
parent, which passes each SIGINT/SIGTERM on to every live child once: the first stops the crawls
cleanly, a second forces, as in one process (:mod:`crawler.runtime.interrupt`). A child that dies
(killed, out of memory) gives ``None``; its sites count as failed.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_FORWARDED = (signal.SIGINT, signal.SIGTERM)


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def split(items: Sequence[T], parts: int) -> list[list[T]]:
    """``items`` dealt round-robin into at most ``parts`` non-empty groups, order kept within a
    group: neighbours in a sites file (often one province, one CMS) land in different groups."""
    parts = max(1, min(parts, len(items)))
    return [list(items[i::parts]) for i in range(parts)]


def run_forked(groups: Sequence[T], work: Callable[[T], R]) -> list[R | None]:
    """``work(group)`` for each group in its own forked process, all at once; their results in
    order, ``None`` for a process that died without one (blocking until all have ended)."""
    context = multiprocessing.get_context("fork")
    children: list[tuple[BaseProcess, Connection]] = []
    for group in groups:
        receiver, sender = context.Pipe(duplex=False)
        child: BaseProcess = context.Process(target=_child, args=(work, group, sender))
        child.start()
        sender.close()
        children.append((child, receiver))
    results: list[R | None] = []
    with _forwarding([child for child, _ in children]):
        for child, receiver in children:
            try:
                results.append(receiver.recv())
            except EOFError:  # it died before sending
                results.append(None)
            finally:
                receiver.close()
                child.join()
    return results


def _child(work: Callable[[Any], Any], group: Any, sender: Connection) -> None:
    os.setpgid(0, 0)  # Ctrl-C at a terminal reaches the parent only; it forwards each one once
    try:
        sender.send(work(group))
    finally:
        sender.close()


@contextlib.contextmanager
def _forwarding(children: Sequence[BaseProcess]) -> Iterator[None]:
    """Pass SIGINT and SIGTERM on to the children while they run."""

    def forward(signum: int, frame: FrameType | None) -> None:
        for child in children:
            if child.pid is not None and child.exitcode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child.pid, signum)

    previous = {signum: signal.signal(signum, forward) for signum in _FORWARDED}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
