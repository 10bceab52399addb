"""One lesson's work in a build: load, render, write its folder, summarise it for the course.

Runs in a worker process or in the build's own (see :mod:`lessonc.course.workers`):
the worker writes the lesson's folder itself and sends back only what the course
outputs and the closing report need. Back in the build's process, in course order,
:func:`settle` decides between two lessons with one id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lessonc.cache import KeyInputs
from lessonc.collector import collector_paused
from lessonc.diagnostics import Diagnostic, display_path
from lessonc.output_root import OutputNotOurs
from lessonc.outputs import Artifact, BuildOptions
from lessonc.pipeline import (
    InvalidLesson,
    LessonResult,
    SourceIdentity,
    load_lesson,
    render,
    write_outputs,
    written_for,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from lessonc.course.model import Course, CourseLesson
    from lessonc.course.outputs.summary import LessonSummary


@dataclass(frozen=True)
class LessonWrite:
    """Where and how a worker writes the lessons it builds (the same for every lesson)."""

    out_root: Path
    inputs: KeyInputs
    formats: tuple[str, ...]
    """Every format of the build: outputs of others are carried over from the last one."""
    source_folders: frozenset[Path]
    claims: Path
    """A file private to this build: the lesson ids taken, a line each (see :func:`claim_id`)."""


@dataclass(frozen=True)
class LessonTask:
    """Work for one process: render ``formats`` (maybe none) and write them, maybe summarise."""

    path: Path
    formats: tuple[str, ...]
    options: BuildOptions
    summary_formats: tuple[str, ...] | None
    write: LessonWrite | None = None


@dataclass
class TaskOutcome:
    """What a worker sends back: its lesson is written, so this is small.

    Only a lesson whose id another lesson of the build took first (``contested``)
    comes back with its artifacts: the parent decides, in plan order, which one
    keeps the folder.
    """

    result: LessonResult
    id_position: tuple[int, int] = (1, 1)
    summary: LessonSummary | None = None
    contested: bool = False
    artifacts: list[tuple[str, Artifact]] = field(default_factory=list)
    source_sha256: str = ""


class _IdTaken(Exception):
    """Another lesson of this build took the id first."""


def run_task(task: LessonTask) -> TaskOutcome:
    """Load, render, write and summarise one lesson (in a worker process or in this one)."""
    # A lesson's work makes tens of thousands of objects and next to no reference cycles
    # (the few it makes are bounded by the source's size caps, and collected once the
    # collector is back on). Run with the collector on, it scanned them in hundreds of
    # passes a build: measured, 0.7-1.0 ms a lesson of collector time against 0.25-0.3
    # (0.06 since the page's templates leave no cycles: see lessonc.template_cycles).
    with collector_paused():
        return _run_task(task)


def _run_task(task: LessonTask) -> TaskOutcome:
    result = LessonResult(task.path, None)
    try:
        loaded = load_lesson(task.path)
    except InvalidLesson as error:
        result.diagnostics.extend(error.diagnostics)
        result.status = "failed"
        return TaskOutcome(result)
    result.lesson_id = loaded.lesson.id
    where = loaded.source.position(("id",))
    outcome = TaskOutcome(result, (where.line, where.col), source_sha256=loaded.source.sha256)
    artifacts: list[tuple[str, Artifact]] = []
    if task.formats:
        artifacts, problems = render(loaded, task.formats, task.options)
        result.diagnostics.extend(problems)
    if task.summary_formats is not None and result.ok:
        from lessonc.course.outputs.summary import summarise

        with written_for(loaded.lesson):  # as the lesson's own outputs wrote its text
            outcome.summary = summarise(
                loaded.for_students(),
                task.summary_formats,
                artifacts,
                shuffled=task.options.shuffle_seed is not None,
            )
    if task.write is not None and task.formats and result.ok:
        claims = task.write.claims

        def claim() -> None:
            claim_id(claims, loaded.lesson.id)

        try:
            write_lesson(task.write, task.path, task.options, outcome, artifacts, claim)
        except _IdTaken:
            outcome.contested = True
            outcome.artifacts = artifacts
    return outcome


def claim_id(claims: Path, lesson_id: str) -> None:
    """Take ``lesson_id`` for this lesson, or raise :class:`_IdTaken`; called under the output
    folder's lock, so the lesson that took it has finished writing its folder, and no other
    process reads or appends to ``claims`` meanwhile."""
    # One file for the build rather than one a lesson: on ext4 without a journal, making a
    # file just after many were deleted costs a fifth of a millisecond to a millisecond, as
    # much as the lesson's other writes together; reading a few kilobytes of ids costs
    # microseconds.
    with claims.open("a+", encoding="utf-8") as taken:
        taken.seek(0)
        if lesson_id in taken.read().splitlines():
            raise _IdTaken(lesson_id)
        taken.write(f"{lesson_id}\n")


def claim_ids(claims: Path, lesson_ids: Iterable[str]) -> None:
    """Take ``lesson_ids`` before any lesson is built (no worker writes yet)."""
    claims.write_text("".join(f"{lesson_id}\n" for lesson_id in lesson_ids), encoding="utf-8")


def settle(
    outcome: TaskOutcome,
    path: Path,
    options: BuildOptions,
    write: LessonWrite,
    claimed: dict[str, Path],
    course: Course | None,
    entries: Mapping[Path, CourseLesson],
) -> None:
    """In the build's process, in plan order: refuse an id an earlier lesson has (``claimed``:
    id → source), and write a contested lesson that came first in plan order."""
    result = outcome.result
    lesson_id = result.lesson_id
    if lesson_id is not None and claimed.get(lesson_id, path) != path:
        message = f"lesson id '{lesson_id}' is also used by {display_path(claimed[lesson_id])}"
        hint = "every lesson needs its own id: it names the output folder"
        entry = entries.get(path)
        if course is not None and entry is not None and course.source is not None:
            problem = course.diagnostic(entry, "course-duplicate-id", message, hint)
        else:
            line, col = outcome.id_position
            problem = Diagnostic(display_path(path), line, col, "duplicate-lesson", message, hint)
        result.diagnostics.append(problem)
        # A later lesson that won the race to the folder lost it again when the
        # earlier one was written here: the folder is the earlier lesson's.
        result.outputs = []
    if lesson_id is None or not result.ok:
        result.status = "failed"
        return
    claimed[lesson_id] = path
    if outcome.contested:
        # A later lesson with this id was written first by another worker; the
        # first in plan order keeps the folder, as in a build with one process.
        write_lesson(write, path, options, outcome, outcome.artifacts)
        if not result.ok:
            result.status = "failed"


def write_lesson(
    write: LessonWrite,
    path: Path,
    options: BuildOptions,
    outcome: TaskOutcome,
    artifacts: list[tuple[str, Artifact]],
    claim: Callable[[], None] | None = None,
) -> None:
    """Write one lesson's outputs into ``out_root/<id>/``; problems go into its result."""
    result = outcome.result
    lesson_id = result.lesson_id
    assert lesson_id is not None
    target = write.out_root / lesson_id
    line, col = outcome.id_position
    try:
        written = write_outputs(
            target,
            artifacts,
            SourceIdentity(lesson_id, path.name, outcome.source_sha256),
            write.formats,
            options,
            cache_keys=write.inputs.keys(
                outcome.source_sha256, write.formats, options.source_date_epoch
            ),
            source_folders=write.source_folders,
            claim=claim,
        )
    except OutputNotOurs as error:
        result.status = "failed"
        result.diagnostics.append(
            Diagnostic(display_path(path), line, col, "output-not-ours", str(error), error.hint)
        )
        return
    except OSError as error:
        result.status = "failed"
        result.diagnostics.append(
            Diagnostic(
                display_path(target), 1, 1, "write-failed",
                f"cannot write the outputs: {error.strerror or error}",
                "check free disk space and permissions of the output folder",
            )
        )  # fmt: skip
        return
    result.outputs = written.paths
    if written.stale_notes:
        from lessonc.anki_updates import stale_notes_warning

        where = display_path(path)
        result.diagnostics.append(stale_notes_warning(where, line, col, written.stale_notes))
