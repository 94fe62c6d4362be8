"""One extraction worker: ``python -m crawler.spiders.poolworker FD`` (started by the pool).

Reads frames (length, pickle of ``(call id, function, args, kwargs)``) from the socket ``FD``
and answers each with ``(call id, status, value)``: the result, the exception raised, or a
note that the result could not be pickled. It says it is ready once the extraction modules are
imported, and exits when the reactor closes its end. See :mod:`crawler.spiders.pool`.
"""

from __future__ import annotations

import pickle
import socket
import sys
from typing import Any, BinaryIO

from crawler.spiders.pool import FRAME_HEADER, OK, RAISED, READY, UNPICKLABLE


def _write(out: BinaryIO, reply: tuple[int, str, Any]) -> None:
    try:
        payload = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        payload = pickle.dumps((reply[0], UNPICKLABLE, repr(exc)[:500]))
    out.write(FRAME_HEADER.pack(len(payload)))
    out.write(payload)
    out.flush()


def serve(sock: socket.socket) -> None:
    """Answer calls until the other end closes the socket."""
    import crawler.extract.article
    import crawler.extract.listing  # noqa: F401  (the warm-up: later calls start at once)

    stream: BinaryIO = sock.makefile("rwb", buffering=1 << 16)  # type: ignore[assignment]
    _write(stream, (READY, OK, None))
    size = FRAME_HEADER.size
    while True:
        header = stream.read(size)
        if len(header) < size:
            return
        (length,) = FRAME_HEADER.unpack(header)
        call_id, fn, args, kwargs = pickle.loads(stream.read(length))
        try:
            reply: tuple[int, str, Any] = (call_id, OK, fn(*args, **kwargs))
        except Exception as exc:
            reply = (call_id, RAISED, exc)
        try:
            _write(stream, reply)
        except (BrokenPipeError, ConnectionResetError):
            return


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    serve(socket.socket(fileno=int(args[0])))


if __name__ == "__main__":
    main()
