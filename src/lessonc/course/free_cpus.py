"""How many CPUs other programs leave free, measured while this process works.

A ``--jobs 2`` build on a machine where another program keeps one CPU busy gains
nothing from its second worker: Linux usually shares CPU time out between sessions
(autogroups) and containers (cgroups), not between processes, so two workers together get
the one CPU that one process would get, and pay for the second process on top (its own
start, cold caches, results sent between processes). Measured this way, such a build
ran 4-5% slower than ``--jobs 1``. So a build first plans, warms up and builds one
lesson in its own process (which it needs to do anyway, to warm the workers it forks),
and counts the CPU time the rest of the machine used meanwhile: that, not the CPU
count, says how many workers can run at once.

Linux only (``/proc/stat``); elsewhere nothing is measured and ``--jobs`` is taken as
given.
"""

from __future__ import annotations

import os
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

_STAT = Path("/proc/stat")
_IDLE_FIELDS = (3, 4)
"""Of each ``cpuN`` line's times (user, nice, system, idle, iowait, …), the two that are
not work: a CPU waiting for the disk is free to run a worker."""


@dataclass(frozen=True)
class _Sample:
    wall: float
    own_cpu: float
    busy_ticks: int | None


def _busy_ticks(cpus: Collection[int]) -> int | None:
    """Clock ticks the CPUs in ``cpus`` have spent working since boot, or None if unknown."""
    try:
        lines = _STAT.read_text(encoding="ascii").splitlines()
    except (OSError, ValueError):
        return None
    total = 0
    for line in lines:
        name, _, rest = line.partition(" ")
        if not name.startswith("cpu") or name == "cpu" or int(name[3:]) not in cpus:
            continue
        times = [int(field) for field in rest.split()[:8]]
        total += sum(t for i, t in enumerate(times) if i not in _IDLE_FIELDS)
    return total


class CpuWatch:
    """Started before some work in this process; :meth:`free_cpus` after it."""

    def __init__(self, cpus: Collection[int]) -> None:
        self._cpus = cpus
        self._start = self._sample()

    def _sample(self) -> _Sample:
        return _Sample(time.monotonic(), _own_cpu(), _busy_ticks(self._cpus))

    def free_cpus(self) -> float | None:
        """The CPUs (of those watched) other programs left free meanwhile, or None if not
        known (no ``/proc/stat``, or too short a time to tell)."""
        end = self._sample()
        wall = end.wall - self._start.wall
        if end.busy_ticks is None or self._start.busy_ticks is None or wall < _SHORTEST:
            return None
        ticks_per_second = os.sysconf("SC_CLK_TCK")
        busy = (end.busy_ticks - self._start.busy_ticks) / ticks_per_second
        others = max(0.0, busy - (end.own_cpu - self._start.own_cpu))
        return max(0.0, len(self._cpus) - others / wall)


def _own_cpu() -> float:
    """CPU seconds of this process and of the children it has waited for: a process it
    forks for part of the work (the templates compiled aside) is not another program.

    From getrusage, to the microsecond: os.times counts in clock ticks (10 ms), as
    coarse again as /proc/stat on top of it."""
    try:
        import resource
    except ImportError:  # not a Unix: no /proc/stat either, so no verdict is drawn
        times = os.times()
        return times.user + times.system + times.children_user + times.children_system
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


_SHORTEST = 0.05
"""Below this, a few clock ticks (10 ms each) more or less would decide: no verdict."""


def workers_for(jobs: int, free: float | None) -> int:
    """``jobs`` workers, but no more than the free CPUs (rounded) and at least one."""
    if free is None:
        return jobs
    return max(1, min(jobs, int(free + 0.5)))
