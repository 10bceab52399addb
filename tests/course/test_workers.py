"""How many processes build a build's lessons."""

from __future__ import annotations

import pytest

from conftest import EXAMPLE
from lessonc.course.lesson_task import LessonTask
from lessonc.course.workers import worker_count
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
