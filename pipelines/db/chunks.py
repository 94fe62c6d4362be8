"""IN lists a chunk at a time, the one place that says how long one may be.

Every query over a caller's set of values (a batch's URLs, a fleet's sites or runs) binds one
variable per value, and SQLite binds at most 999 variables a statement in builds before 3.32
(PostgreSQL has no such limit, but plans a very long list slowly). So such queries go through
:func:`chunks`: one statement per :data:`IN_LIST` values.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

#: values in one IN list: under SQLite's old limit of 999 variables, with room for the
#: statement's other parameters
IN_LIST = 500


def chunks(values: Iterable[T], size: int = IN_LIST) -> Iterator[list[T]]:
    """``values`` in their order, ``size`` at a time."""
    items = list(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]
