"""Worker processes beside Scrapy's reactor, so a crawl can use a second core.

Scrapy runs every callback, pipeline and the downloader on one thread, and that thread is a
crawl's bottleneck. Two kinds of work leave it for a :class:`WorkerPool`:

- article and list-page extraction (the spider): pure CPU work, bytes in and a picklable
  dataclass out, costing about as much as a whole bare fetch;
- the storage pipeline's batch writes (:mod:`pipelines.storage`): SQLAlchemy's statement and
  parameter handling holds the GIL, so on a writer *thread* it still stopped the reactor for
  about 0.6 ms per article; in a process it does not.

Callers ``await`` :meth:`WorkerPool.run` on the crawl's asyncio event loop (with or without
Twisted's reactor on it, ``TWISTED_REACTOR_ENABLED``).

Why not ``concurrent.futures.ProcessPoolExecutor``: each of its calls crosses two helper
threads (a queue feeder and a result manager) that contend with the reactor for the GIL, about
0.5 ms of the reactor process's CPU per call, a sixth of what a bare Scrapy fetch costs. Here
each worker is a plain child process (``python -m crawler.runtime.poolworker``, so a running event
loop is
never forked and no ``__main__`` is re-imported) joined by a socket pair that the asyncio loop
itself reads and writes: a call is one length-prefixed pickle each way, about 0.07 ms of the
reactor's CPU (``benchmarks/crawl.py``, docs/performance.md).

- workers start on first use (or :meth:`WorkerPool.start`); until a worker has said it is ready
  (its ``warm`` modules imported), calls run inline, so a small crawl never waits for
  interpreter start-up; :meth:`WorkerPool.spawn` starts the processes before the event loop
  runs (the spider does so as Scrapy builds it), so that they import while Scrapy builds its
  engine and opens the database, and the first pages need not run inline;
- functions travel by reference, so they must be importable module-level functions;
- one worker answers its calls in the order they were sent;
- an exception raised by the function in a worker is re-raised to the caller, as inline;
- a worker that dies, or a call or result that cannot be pickled, falls back to running the
  call inline (for the rest of the crawl when a worker died), so the crawl itself never fails
  because of the pool;
- for extraction, ``workers`` is ``GOVNEWS_EXTRACT_WORKERS`` (default ``0``: the fleet
  benchmark measured no gain at production politeness): ``0`` = always inline, ``auto`` =
  one worker when this process may run on more than one CPU (two or three measured no better
  on two CPUs), else inline; see docs/performance.md;
- ``help_when``: while that predicate holds, this thread takes waiting calls itself, newest
  first, one per turn of the loop. The spider passes "nothing is being downloaded": a fast
  crawl downloads faster than one worker extracts, and once the last page is in, the crawl's
  thread would otherwise sit idle while the worker clears the backlog alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import logging
import os
import pickle
import socket
import struct
import subprocess
import sys
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

T = TypeVar("T")
log = logging.getLogger(__name__)

#: every frame: the pickle's length and the call id, then the pickle
FRAME_HEADER = struct.Struct("!Qq")
#: the call id of the worker's "ready" frame, sent once its imports are done
READY = -1
#: what an extraction worker imports before it says it is ready
EXTRACTION_MODULES = ("crawler.spiders.prepare", "crawler.extract.listing")
#: set in a worker's environment (tests use it to act differently there)
WORKER_ENV = "GOVNEWS_POOL_WORKER"
#: calls handed to one worker at a time (the rest wait in the pool, see WorkerPool._dispatch)
IN_FLIGHT = 2
#: replies: the function returned / raised / its result could not be pickled back
OK, RAISED, UNPICKLABLE = "ok", "raised", "unpicklable"


class WorkerLost(RuntimeError):
    """The worker process ended (killed, crashed) before answering."""


def in_worker() -> bool:
    """Whether this process is a pool worker."""
    return os.environ.get(WORKER_ENV) == "1"


def resolve_workers(value: object) -> int:
    """``GOVNEWS_EXTRACT_WORKERS`` as a number of worker processes (``auto``, ``0``, ``N``)."""
    text = str(value if value is not None else "auto").strip().lower()
    if text in ("", "auto"):
        try:
            cpus = len(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            cpus = os.cpu_count() or 1
        return 1 if cpus > 1 else 0
    return max(0, int(text))


#: a call run on this thread by :meth:`WorkerPool._help`: it returned / raised
HELPED, HELPED_RAISED = "helped", "helped-raised"

#: (call id, pickled call, the caller's future, the call itself for running it here)
_Call = tuple[int, bytes, "asyncio.Future[tuple[str, Any]]", Callable[[], Any]]


class _Channel(asyncio.Protocol):
    """The reactor's end of one worker's socket: frames out, replies in, futures resolved."""

    def __init__(
        self, pool: WorkerPool, process: subprocess.Popen[bytes], sock: socket.socket
    ) -> None:
        self.pool = pool
        self.process = process
        self.sock: socket.socket | None = sock
        self.transport: asyncio.Transport | None = None
        self.ready = False
        self.lost = False
        self.pending: dict[int, asyncio.Future[tuple[str, Any]]] = {}
        self._buffer = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # asyncio's own loop hands an asyncio.Transport; uvloop's (crawler.settings
        # ASYNCIO_EVENT_LOOP) has the same methods without subclassing it
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        buf = self._buffer
        buf += data
        size = FRAME_HEADER.size
        while len(buf) >= size:
            length, call_id = FRAME_HEADER.unpack_from(buf)
            if len(buf) < size + length:
                break
            try:
                status, value = pickle.loads(memoryview(buf)[size : size + length])
            except Exception as exc:  # e.g. an exception class that cannot be rebuilt here
                status, value = UNPICKLABLE, repr(exc)[:500]
            del buf[: size + length]
            if call_id == READY:
                self.ready = True
                self.pool._dispatch(self)
                continue
            future = self.pending.pop(call_id, None)
            if future is not None and not future.done():
                future.set_result((status, value))
            self.pool._dispatch(self)
        self.pool._offer_help()

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost, self.ready = True, False
        for future in self.pending.values():
            if not future.done():
                future.set_exception(WorkerLost(f"{self.pool.name} worker ended ({exc or 'EOF'})"))
        self.pending.clear()
        self.pool._worker_lost(self)

    def send(self, call: _Call) -> None:
        assert self.transport is not None
        call_id, payload, future, _ = call
        self.pending[call_id] = future
        self.transport.write(FRAME_HEADER.pack(len(payload), call_id) + payload)

    def close(self) -> None:
        """The worker reads EOF and exits. The socket is shut down here and now: a transport
        closes only on a later turn of the loop, which a blocking caller would never give."""
        if self.sock is not None:
            with contextlib.suppress(OSError):  # already gone
                self.sock.shutdown(socket.SHUT_RDWR)
        if self.transport is not None:
            self.transport.close()


def _said_ready(sock: socket.socket) -> bool:
    """Whether the worker at the other end of a socket not yet joined has sent its first frame
    (the ready one), or has closed its end; without reading or waiting."""
    try:
        sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)  # a byte of a frame, or b"" at EOF
    except BlockingIOError:
        return False  # nothing yet: still importing
    except OSError:
        pass  # reset: the worker has ended
    return True


def _factory(channel: _Channel) -> Callable[[], _Channel]:
    return lambda: channel


class WorkerPool:
    """Runs module-level functions in worker processes when warm, inline otherwise (see the
    module doc); ``name`` is what log lines call the workers."""

    def __init__(
        self,
        workers: int,
        on_remote: Callable[[], None] | None = None,
        *,
        warm: tuple[str, ...] = EXTRACTION_MODULES,
        name: str = "extraction",
        help_when: Callable[[], bool] | None = None,
    ) -> None:
        self.workers = workers
        self.on_remote = on_remote  # called after each call answered by a worker (a stat)
        self.help_when = help_when
        self.warm = warm
        self.name = name
        self.broken = False
        self.remote_calls = 0
        self.helped_calls = 0  # waiting calls this thread ran itself (help_when)
        self._helping = False
        self._started = False
        self._spawned: list[tuple[subprocess.Popen[bytes], socket.socket]] = []
        self._channels: list[_Channel] = []
        self._ids = itertools.count()
        self._waiting: deque[_Call] = deque()
        self._waiting_urgent: deque[_Call] = deque()

    # -- lifecycle ---------------------------------------------------------------------------

    def usable(self) -> bool:
        """Whether the next :meth:`run` goes to a worker (starts the workers on first call)."""
        if self.workers <= 0 or self.broken:
            return False
        self.start()
        return any(ch.ready for ch in self._channels)

    @property
    def processes(self) -> list[subprocess.Popen[bytes]]:
        """The worker processes joined on the loop (not those only spawned)."""
        return [channel.process for channel in self._channels]

    def spawn(self) -> None:
        """Start the worker processes now, without a running event loop; :meth:`start` (on the
        loop) joins them. Each one imports its ``warm`` modules meanwhile. If they cannot start,
        the pool runs inline, as when :meth:`start` fails."""
        if self._started or self.workers <= 0 or self.broken:
            return
        try:
            self._spawn_missing()
        except Exception as exc:  # no processes here: the pool stays inline
            self._give_up(exc)

    def start(self) -> None:
        """Start the workers now (once), so that they are warm by the first call; needs a
        running asyncio loop, else the pool stays inline."""
        if self._started or self.workers <= 0 or self.broken:
            return
        self._started = True
        try:
            self._start()
        except Exception as exc:  # no loop, no processes here: stay inline
            self._give_up(exc)

    def _spawn_missing(self) -> None:
        """Spawn workers until there are ``workers`` of them waiting to be joined."""
        while len(self._spawned) < self.workers:
            self._spawned.append(self._popen())

    def _popen(self) -> tuple[subprocess.Popen[bytes], socket.socket]:
        """One worker process and the reactor's end of its socket."""
        env = {**os.environ, WORKER_ENV: "1"}
        # the worker imports crawler (and the functions it is sent) from where this process does
        paths = [str(Path(__file__).resolve().parents[1]), *sys.path]
        env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
        ours, theirs = socket.socketpair()
        try:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "crawler.runtime.poolworker",
                    str(theirs.fileno()),
                    *self.warm,
                ],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                env=env,
                # a process group of its own: Ctrl-C in a terminal reaches the crawl, which
                # stops its workers, not the workers themselves (they died with tracebacks)
                process_group=0,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        return process, ours

    def _start(self) -> None:
        loop = asyncio.get_running_loop()
        self._spawn_missing()  # none, or only some, spawned before the loop ran
        spawned, self._spawned = self._spawned, []
        for process, ours in spawned:
            channel = _Channel(self, process, ours)
            self._channels.append(channel)
            task = loop.create_task(loop.connect_accepted_socket(_factory(channel), ours))
            task.add_done_callback(self._connected)

    def _connected(self, task: asyncio.Task[Any]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self._give_up(task.exception())

    def _worker_lost(self, channel: _Channel) -> None:
        if not self.broken and channel in self._channels:
            self._give_up(WorkerLost(f"worker pid {channel.process.pid} ended"))

    def _give_up(self, exc: BaseException | None) -> None:
        if not self.broken:
            log.warning("%s workers unusable (%r): running inline from now on", self.name, exc)
        self.broken = True
        self.shutdown()

    def shutdown(self) -> None:
        """Close every worker's socket and wait for the processes (killing stragglers).

        A worker that has said it is ready leaves on its own when it reads EOF (its exit hooks
        run). One still importing has been sent nothing and would read EOF only once its
        imports are done, up to half a second that a short crawl would spend waiting at its
        end: it is terminated instead.
        """
        for queue in (self._waiting_urgent, self._waiting):
            while queue:
                future = queue.popleft()[2]
                if not future.done():
                    future.set_exception(WorkerLost(f"{self.name} workers shut down"))
        channels, self._channels = self._channels, []
        spawned, self._spawned = self._spawned, []
        leaving: list[subprocess.Popen[bytes]] = []
        importing: list[subprocess.Popen[bytes]] = []
        for channel in channels:
            (leaving if channel.ready or channel.lost else importing).append(channel.process)
            channel.close()
        for process, ours in spawned:  # spawned, never joined
            (leaving if _said_ready(ours) else importing).append(process)
            with contextlib.suppress(OSError):
                ours.shutdown(socket.SHUT_RDWR)
            ours.close()
        for process in importing:
            with contextlib.suppress(OSError):  # already gone
                process.terminate()
        for process in (*leaving, *importing):
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    # -- calls -------------------------------------------------------------------------------

    async def run(self, fn: Callable[..., T], *args: Any, urgent: bool = False, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)``, in a worker when the pool is warm; its exceptions propagate.

        ``urgent`` calls go to a worker before every waiting ordinary one: the spider marks list
        pages so, because each list page leads to the next one (the crawl's critical path),
        while article pages only need to be done eventually.
        """
        if not self.usable():
            return fn(*args, **kwargs)
        call_id = next(self._ids)
        try:
            payload = pickle.dumps((fn, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # e.g. a lambda: this call inline, the pool stays
            log.debug("cannot send %r to a worker (%r): inline", fn, exc)
            return fn(*args, **kwargs)
        future: asyncio.Future[tuple[str, Any]] = asyncio.get_running_loop().create_future()
        call = (call_id, payload, future, functools.partial(fn, *args, **kwargs))
        (self._waiting_urgent if urgent else self._waiting).append(call)
        for channel in self._channels:
            self._dispatch(channel)
        self._offer_help()
        try:
            status, value = await future
        except WorkerLost:
            return fn(*args, **kwargs)
        if status == HELPED:
            return value  # type: ignore[no-any-return]
        if status == HELPED_RAISED:
            raise value
        if status == UNPICKLABLE:
            log.debug("result of %r cannot come back from a worker (%s): inline", fn, value)
            return fn(*args, **kwargs)
        self.remote_calls += 1
        if self.on_remote is not None:
            self.on_remote()
        if status == RAISED:
            raise value
        return value  # type: ignore[no-any-return]

    def _dispatch(self, channel: _Channel) -> None:
        """Give a ready worker waiting calls, urgent first, up to ``IN_FLIGHT`` at a time: a
        short queue in the worker keeps it busy, the rest wait here where urgent ones can
        overtake them."""
        if not channel.ready or channel.lost:
            return
        while len(channel.pending) < IN_FLIGHT and (self._waiting_urgent or self._waiting):
            queue = self._waiting_urgent or self._waiting
            call = queue.popleft()
            if not call[2].done():  # not cancelled meanwhile
                channel.send(call)

    def _offer_help(self) -> None:
        """Have this thread take a waiting call on the loop's next turn, if ``help_when`` says
        it is idle (checked there, not here: a caller may be about to start a download)."""
        if self._helping or self.help_when is None or not (self._waiting or self._waiting_urgent):
            return
        self._helping = True
        asyncio.get_running_loop().call_soon(self._help)

    def _help(self) -> None:
        """Run the newest waiting call here (a worker takes the oldest), then offer again: one
        call per turn, so replies and downloads are handled in between."""
        self._helping = False
        if self.help_when is None or not self.help_when():
            return
        queue = self._waiting or self._waiting_urgent
        while queue:
            _, _, future, call = queue.pop()
            if future.done():  # cancelled meanwhile
                continue
            try:
                result = (HELPED, call())
            except Exception as exc:
                result = (HELPED_RAISED, exc)
            if not future.done():
                future.set_result(result)
            self.helped_calls += 1
            break
        self._offer_help()
