"""The course deck, made in a forked process while the parent makes the other course files."""

from __future__ import annotations

import threading

import pytest

from conftest import EXAMPLE, FIXTURES
from lessonc.cache import KeyInputs
from lessonc.course.lesson_task import LessonTask, LessonWrite, run_task
from lessonc.course.outputs import deck
from lessonc.course.outputs.deck import CourseDeckJob
from lessonc.course.outputs.summary import LessonSummary
from lessonc.outputs import BuildOptions

EPOCH = 1_700_000_000
OPTIONS = BuildOptions(source_date_epoch=EPOCH, in_course=True)


@pytest.fixture(scope="module")
def summaries(tmp_path_factory: pytest.TempPathFactory) -> list[LessonSummary]:
    folder = tmp_path_factory.mktemp("deck")
    claims = folder / "claims"
    write = LessonWrite(folder / "out", KeyInputs("", "a4", None), ("anki",), frozenset(), claims)
    sources = [EXAMPLE, *sorted((FIXTURES / "course" / "lessons").glob("*.yaml"))[:2]]
    found = []
    for source in sources:
        outcome = run_task(LessonTask(source, ("anki",), OPTIONS, ("anki",), write))
        assert outcome.summary is not None, outcome.result.diagnostics
        found.append(outcome.summary)
    return found


def test_the_deck_made_in_another_process_is_the_deck_made_here(
    summaries: list[LessonSummary],
) -> None:
    made_here = CourseDeckJob(summaries, EPOCH, in_background=False)
    assert not made_here.in_background
    here = made_here.result()
    with CourseDeckJob(summaries, EPOCH, in_background=True) as job:
        if threading.active_count() == 1:
            assert job._process is not None and job.in_background
        assert job.result() == here
        assert not job.in_background  # taken: nothing runs any more
    assert here[:2] == b"PK"


def test_a_failure_in_that_process_is_raised_here_with_no_traceback_there(
    summaries: list[LessonSummary],
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    def broken(_parts: object, _timestamp: int) -> bytes:
        raise ValueError("a note with no fields")

    monkeypatch.setattr(deck, "course_deck", broken)  # in the forked process too
    with (
        CourseDeckJob(summaries, EPOCH, in_background=True) as job,
        pytest.raises(ValueError, match="a note with no fields"),
    ):
        job.result()
    assert "Traceback" not in capfd.readouterr().err


def test_closing_stops_a_deck_no_one_waits_for(summaries: list[LessonSummary]) -> None:
    job = CourseDeckJob(summaries, EPOCH, in_background=True)
    job.close()  # the other course files failed: nothing is left running
    assert job._process is None
