"""The least time of a few calls, the figure the in-process benches report (bench/stats.py,
bench/reports.py, bench/meetings_visible.py): the least is the call's own cost, the rest is the
shared machine's noise."""

import time
from collections.abc import Callable


def _best(rounds: int, fn: Callable[[], object], clock: Callable[[], float]) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = clock()
        fn()
        best = min(best, clock() - started)
    return best


def best_wall(rounds: int, fn: Callable[[], object]) -> float:
    """The least wall-clock time of `rounds` calls of `fn`, in seconds."""
    return _best(rounds, fn, time.perf_counter)


def best_cpu(rounds: int, fn: Callable[[], object]) -> float:
    """The least CPU time of this process over `rounds` calls: the call's own work (with SQLite
    also the database's, in process; PostgreSQL's server is outside it), whatever the load."""
    return _best(rounds, fn, time.process_time)
