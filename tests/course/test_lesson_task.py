"""One lesson's task: the worker writes its own lesson and sends back little."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

from conftest import EXAMPLE
from lessonc.cache import KeyInputs
from lessonc.course.lesson_task import LessonTask, LessonWrite, run_task
from lessonc.outputs import BuildOptions

OPTIONS = BuildOptions(source_date_epoch=1_700_000_000)


def test_a_worker_writes_its_lesson_and_sends_back_only_a_small_summary(
    tmp_path: Path,
) -> None:
    claims = tmp_path / "claims"
    out = tmp_path / "out"
    write = LessonWrite(out, KeyInputs("", "a4", None), ("html", "quiz"), frozenset(), claims)
    task = LessonTask(EXAMPLE, ("html", "quiz"), OPTIONS, ("html",), write)
    outcome = run_task(task)
    assert outcome.result.ok, outcome.result.diagnostics
    assert outcome.artifacts == []
    assert "index.html" in outcome.result.outputs
    manifest = json.loads((out / "foundation-models" / "manifest.json").read_text("utf-8"))
    assert {o["path"] for o in manifest["outputs"]} == set(outcome.result.outputs)
    # The page and its assets stay in the worker: the parent gets search entries and ids.
    assert len(pickle.dumps(outcome)) < 8_000


def test_the_course_deck_and_quiz_parts_travel_packed(tmp_path: Path) -> None:
    claims = tmp_path / "claims"
    formats = ("html", "anki", "quiz")
    write = LessonWrite(tmp_path / "out", KeyInputs("", "a4", None), formats, frozenset(), claims)
    outcome = run_task(LessonTask(EXAMPLE, formats, OPTIONS, formats, write))
    assert outcome.result.ok, outcome.result.diagnostics
    summary = outcome.summary
    assert summary is not None and summary.deck is not None and summary.quiz is not None
    # Each part is one bytes object, not hundreds of note objects; the quiz, compressed, is
    # a fraction of the document it nests (the deck's pickle is not compressed: see PackedDeck).
    assert isinstance(summary.deck.data, bytes) and isinstance(summary.quiz.data, bytes)
    assert len(summary.quiz.data) * 3 < len(summary.quiz.unpack())
    assert len(pickle.dumps(outcome)) < len(summary.deck.data) + len(summary.quiz.data) + 12_000
    # The quiz part is the lesson's quiz.json, indented for its place in course-quiz.json.
    written = (tmp_path / "out" / "foundation-models" / "quiz.json").read_bytes()
    nested = summary.quiz.unpack()
    assert json.loads(nested) == json.loads(written)
    assert nested.replace(b"\n    ", b"\n") == b"    " + written.rstrip(b"\n")
    assert summary.deck.unpack().subdeck.notes


def test_a_lesson_is_built_with_the_collector_paused_and_left_as_found(tmp_path: Path) -> None:
    import gc

    passes: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            passes.append(info["generation"])

    thresholds = gc.get_threshold()
    gc.set_threshold(50)  # with the collector on, a lesson would set off hundreds of passes
    gc.callbacks.append(count)
    try:
        outcome = run_task(LessonTask(EXAMPLE, ("html",), OPTIONS, None))
    finally:
        gc.callbacks.remove(count)
        gc.set_threshold(*thresholds)
    assert outcome.result.ok, outcome.result.diagnostics
    # At most a pass as the pause begins and one as the collector is switched back on.
    assert len(passes) <= 2, passes
    assert gc.isenabled()
