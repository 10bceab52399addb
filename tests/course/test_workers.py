"""How many processes build a build's lessons, and what they find ready when they start."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE
from lessonc.course.lesson_task import LessonTask
from lessonc.course.workers import _compile_page_templates_aside, _set_up_worker, worker_count
from lessonc.outputs import BuildOptions
from lessonc.outputs.html import page_environment

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


_COMPILE_ASIDE = """
import sys
from pathlib import Path
from lessonc.course.lesson_task import LessonTask
from lessonc.course.workers import _compile_page_templates_aside, _wait_for
from lessonc.outputs import BuildOptions
task = LessonTask(Path(sys.argv[1]), ("html",), BuildOptions(source_date_epoch=0), None)
compiling = _compile_page_templates_aside([task] * 9)
assert compiling is not None
_wait_for(compiling)
"""


def test_the_pages_templates_compile_aside_into_an_empty_cache_folder(tmp_path: Path) -> None:
    # In a process of its own, as a build starts: this one has compiled them already.
    environment = {**os.environ, "LESSONC_CACHE_DIR": str(tmp_path)}
    subprocess.run(
        [sys.executable, "-c", _COMPILE_ASIDE, str(EXAMPLE)], env=environment, check=True
    )
    templates = page_environment().list_templates(extensions=("j2",))
    assert len(templates) > 10
    assert len(list(tmp_path.glob("templates/*/*.code"))) == len(templates)


def test_a_theme_or_a_handout_compiles_its_templates_where_it_renders(tmp_path: Path) -> None:
    themed = BuildOptions(source_date_epoch=1_700_000_000, template_dirs=(tmp_path,))
    for task in (
        LessonTask(EXAMPLE, ("html",), themed, None),  # a theme's code is compiled sandboxed
        LessonTask(EXAMPLE, ("html", "pdf"), OPTIONS, None),  # the workers start at once
        LessonTask(EXAMPLE, ("anki", "quiz"), OPTIONS, None),  # no page
    ):
        assert _compile_page_templates_aside([task] * 9) is None


def test_templates_compile_aside_only_while_other_programs_leave_a_cpu_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lessonc.course import free_cpus, workers
    from lessonc.course.lesson_task import KeyInputs, LessonWrite

    asked: list[int] = []
    monkeypatch.setattr(workers, "_compile_page_templates_aside", lambda t: asked.append(1))
    monkeypatch.setattr(workers.threading, "active_count", lambda: 1)  # whatever pytest runs
    write = LessonWrite(
        tmp_path / "out", KeyInputs("", "a4", None), ("html",), frozenset(), tmp_path / "ids"
    )
    tasks = [LessonTask(EXAMPLE, ("html",), OPTIONS, None, write)] * 2
    for free, expected in ((1.0, []), (1.9, [1])):
        asked.clear()
        monkeypatch.setattr(free_cpus.CpuWatch, "free_cpus", lambda self, free=free: free)
        assert len(list(workers.LessonProcesses(2).outcomes(tasks))) == 2
        assert asked == expected
