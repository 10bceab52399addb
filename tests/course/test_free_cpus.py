"""Fewer workers than ``--jobs`` when other programs keep CPUs busy."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from lessonc.course import free_cpus
from lessonc.course.free_cpus import CpuWatch, workers_for

# user nice system idle iowait irq softirq steal, per CPU (in clock ticks)
_STAT = "cpu  0 0 0 0 0 0 0 0\ncpu0 {a} 0 0 100 5 0 0 0\ncpu1 {b} 0 {c} 100 0 0 0 0\nintr 1 2\n"


@pytest.mark.parametrize(
    ("jobs", "free", "expected"),
    [(2, None, 2), (2, 2.0, 2), (2, 1.4, 1), (2, 1.6, 2), (2, 0.0, 1), (4, 2.6, 3), (1, 8.0, 1)],
)
def test_workers_are_the_free_cpus_rounded_within_the_jobs_asked(
    jobs: int, free: float | None, expected: int
) -> None:
    assert workers_for(jobs, free) == expected


def test_the_cpu_time_other_programs_used_meanwhile_is_what_is_not_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stat = tmp_path / "stat"
    stat.write_text(_STAT.format(a=0, b=0, c=0))
    monkeypatch.setattr(free_cpus, "_STAT", stat)
    clock = iter([10.0, 11.0])  # one second of wall time, none of it this process's
    monkeypatch.setattr(free_cpus.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(free_cpus, "_own_cpu", lambda: 3.0)
    watch = CpuWatch({0, 1})
    ticks = os.sysconf("SC_CLK_TCK")
    # Another program kept CPU 1 busy for the whole second (user and system time).
    stat.write_text(_STAT.format(a=0, b=ticks // 2, c=ticks - ticks // 2))
    assert watch.free_cpus() == pytest.approx(1.0)


def test_this_process_own_work_leaves_its_cpu_counted_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stat = tmp_path / "stat"
    stat.write_text(_STAT.format(a=0, b=0, c=0))
    monkeypatch.setattr(free_cpus, "_STAT", stat)
    clock, cpu = iter([0.0, 0.5]), iter([1.0, 1.5])  # half a second, all of it working here
    monkeypatch.setattr(free_cpus.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(free_cpus, "_own_cpu", lambda: next(cpu))
    watch = CpuWatch({0, 1})
    stat.write_text(_STAT.format(a=os.sysconf("SC_CLK_TCK") // 2, b=0, c=0))
    assert watch.free_cpus() == pytest.approx(2.0)


def test_a_cpu_outside_the_watched_set_does_not_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stat = tmp_path / "stat"
    stat.write_text(_STAT.format(a=0, b=0, c=0))
    monkeypatch.setattr(free_cpus, "_STAT", stat)
    clock = iter([0.0, 1.0])
    monkeypatch.setattr(free_cpus.time, "monotonic", lambda: next(clock))
    watch = CpuWatch({0})  # this process may only run on CPU 0; CPU 1 is someone else's
    stat.write_text(_STAT.format(a=0, b=os.sysconf("SC_CLK_TCK"), c=0))
    assert watch.free_cpus() == pytest.approx(1.0)


def test_no_verdict_without_proc_stat_or_after_too_short_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(free_cpus, "_STAT", tmp_path / "missing")
    assert CpuWatch({0}).free_cpus() is None
    monkeypatch.setattr(free_cpus, "_STAT", Path("/proc/stat"))
    assert CpuWatch({0}).free_cpus() is None  # measured over microseconds: no verdict


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="Linux only")
def test_on_this_machine_the_free_cpus_are_between_none_and_all() -> None:
    cpus = os.sched_getaffinity(0)
    watch = CpuWatch(cpus)
    total = 0
    while watch._sample().wall - watch._start.wall < 0.1:  # some work of its own
        total += sum(range(1000))
    free = watch.free_cpus()
    assert free is not None and 0.0 <= free <= len(cpus)


def test_a_child_this_process_waited_for_counts_as_its_own_work() -> None:
    # The page's templates compile in a forked process during the warm-up: its CPU time
    # is this build's, not another program's.
    before = free_cpus._own_cpu()
    child = os.fork()
    if child == 0:  # pragma: no cover (the child only burns CPU time)
        end = time.process_time() + 0.2
        while time.process_time() < end:
            pass
        os._exit(0)
    os.waitpid(child, 0)
    assert free_cpus._own_cpu() - before >= 0.15


def test_this_process_cpu_time_is_counted_finer_than_a_clock_tick() -> None:
    # /proc/stat counts in ticks of 10 ms: this process's own share must not add a tick's
    # uncertainty on top, or a short watch misjudges what other programs used.
    before = free_cpus._own_cpu()
    end = time.process_time() + 0.004
    while time.process_time() < end:
        pass
    assert 0.003 < free_cpus._own_cpu() - before < 0.008


def test_a_build_that_may_run_workers_watches_from_its_start() -> None:
    from lessonc.course.workers import LessonProcesses, usable_cpus

    if len(usable_cpus()) < 2:
        pytest.skip("one CPU: no worker to decide on")
    assert LessonProcesses(2)._watch is not None
    assert LessonProcesses(None)._watch is not None
    assert LessonProcesses(1)._watch is None
