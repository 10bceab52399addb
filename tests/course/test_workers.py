"""How many processes build a build's lessons."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

import pytest

from conftest import EXAMPLE
from lessonc.course.lesson_task import LessonTask
from lessonc.course.workers import _set_up_worker, worker_count
from lessonc.outputs import BuildOptions

OPTIONS = BuildOptions(source_date_epoch=1_700_000_000)


@pytest.mark.parametrize(
    ("jobs", "stale", "expected"),
    [(None, 3, 1), (None, 15, 1), (2, 3, 2), (4, 2, 2), (1, 500, 1)],
)
def test_explicit_jobs_are_honoured_and_a_few_lessons_build_in_one_process(
    jobs: int | None, stale: int, expected: int
) -> None:
    tasks = [LessonTask(EXAMPLE, ("html",), OPTIONS, None)] * stale
    assert worker_count(jobs, tasks) == expected


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_a_worker_asks_the_kernel_to_end_it_with_its_parent() -> None:
    # Run in a forked child: the setting would otherwise stay on the test process.
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (the child reports through the pipe)
        _set_up_worker()
        libc = ctypes.CDLL(None, use_errno=True)
        found = ctypes.c_int(0)
        libc.prctl(_PR_GET_PDEATHSIG, ctypes.byref(found))
        os.write(write, str(found.value).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    with os.fdopen(read) as report:
        assert int(report.read()) == signal.SIGTERM


_PR_GET_PDEATHSIG = 2
