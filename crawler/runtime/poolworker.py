"""One pool worker: ``python -m crawler.runtime.poolworker FD [MODULE ...]`` (started by the pool).

Reads frames (length and call id, then a pickle of ``(function, args, kwargs)``) from the
socket ``FD`` and answers each under the same call id with a pickle of ``(status, value)``: the
result, the exception raised, or a note that the result could not be pickled. It says it is
ready once the ``MODULE`` arguments are imported, and exits when the reactor closes its end.
See :mod:`crawler.runtime.pool`.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import pickle
import socket
import sys
from typing import Any, BinaryIO

from crawler.runtime.pool import EXTRACTION_MODULES, FRAME_HEADER, OK, RAISED, READY, UNPICKLABLE

#: added to the worker's nice value (docs/performance.md: ≈ 5 % more pages/s on two CPUs)
WORKER_NICENESS = 10


def _write(out: BinaryIO, call_id: int, status: str, value: Any) -> None:
    try:
        payload = pickle.dumps((status, value), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        payload = pickle.dumps((UNPICKLABLE, repr(exc)[:500]))
    out.write(FRAME_HEADER.pack(len(payload), call_id))
    out.write(payload)
    out.flush()


def serve(sock: socket.socket, warm: list[str] | tuple[str, ...] = EXTRACTION_MODULES) -> None:
    """Answer calls until the other end closes the socket; ``warm`` modules are imported first
    so that later calls start at once. A reset or broken connection is a close too: the pool
    may shut a worker down before it is ready, or while a reply is unread."""
    for module in warm:
        importlib.import_module(module)

    stream: BinaryIO = sock.makefile("rwb", buffering=1 << 16)  # type: ignore[assignment]
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        _write(stream, READY, OK, None)
        _answer(stream)


def _answer(stream: BinaryIO) -> None:
    size = FRAME_HEADER.size
    while True:
        header = stream.read(size)
        if len(header) < size:
            return
        length, call_id = FRAME_HEADER.unpack(header)
        fn, args, kwargs = pickle.loads(stream.read(length))
        try:
            status, value = OK, fn(*args, **kwargs)
        except Exception as exc:
            status, value = RAISED, exc
        _write(stream, call_id, status, value)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    with contextlib.suppress(OSError):
        # the reactor thread downloads, schedules and stores for every page, so when it and a
        # worker share a CPU the scheduler should favour it (docs/performance.md)
        os.nice(WORKER_NICENESS)
    from crawler.extensions import logfilters
    from crawler.settings import LOG_LEVEL

    # the worker logs through logging's last resort (stderr): the same filters as the crawl's
    # process keep a library's traceback (readability's) out of an operator's terminal
    logfilters.install(LOG_LEVEL)
    serve(socket.socket(fileno=int(args[0])), args[1:] or EXTRACTION_MODULES)
    exit_now()


def exit_now() -> None:
    """End the worker by the interpreter's ordinary exit, without its final collections.

    The crawl's end waits for its workers (:meth:`crawler.runtime.pool.WorkerPool.shutdown`), and
    tearing down a process that has imported SQLAlchemy (the writer) or lxml spent ≈ 0.2 s in
    garbage collection. ``gc.freeze()`` moves every live object out of the collector's reach,
    so the atexit hooks (the writer's engine disposal, logging's flush) run as usual and the
    exit skips the collections.
    """
    gc.freeze()
    sys.exit(0)


if __name__ == "__main__":
    main()
