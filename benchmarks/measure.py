"""Measurements shared by the benchmark scripts (run as ``python benchmarks/NAME.py``)."""

from __future__ import annotations

import resource


def peak_rss_mib() -> float:
    """Peak RSS of this process: VmHWM (reset by exec, unlike ru_maxrss, which a child started by
    fork+exec inherits from its parent), else ru_maxrss."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
