"""One ``lessonc build``: plan from the cache, render what is stale (in worker processes), write.

On top of :mod:`lessonc.pipeline`, which loads, renders and writes one lesson
atomically; this module decides what to do and in which process. Workers
return artifacts rather than writing, so the parent can refuse a second lesson
with an id already taken before anything lands in its folder, and writes in
course order whatever the order workers finish in.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import hashlib
import json
import os
import signal
import time
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lessonc import __version__
from lessonc.cache import (
    KeyInputs,
    combined_key,
    file_sha256,
    is_current,
    lesson_folders,
    outputs_intact,
    read_manifest,
    source_index,
    templates_digest,
)
from lessonc.course.finish import COURSE_MANIFEST
from lessonc.course.model import (
    Course,
    CourseLesson,
    InvalidCourse,
    course_file_in,
    discover,
    folder_course,
    is_course_file,
    listed_lessons,
    load_course,
)
from lessonc.diagnostics import Diagnostic, display_path
from lessonc.output_root import (
    OutputNotOurs,
    check_root,
    recover_interrupted_swaps,
    source_folders,
)
from lessonc.outputs import Artifact, BuildOptions
from lessonc.paths import Refused, read_file
from lessonc.pipeline import (
    BuildReport,
    InvalidLesson,
    LessonResult,
    SourceIdentity,
    load_lesson,
    render,
    write_outputs,
)

if TYPE_CHECKING:
    from lessonc.course.outputs.summary import LessonSummary


def build(
    paths: Sequence[Path],
    out_root: Path,
    formats: Sequence[str],
    options: BuildOptions,
    *,
    epoch_from_sources: bool = False,
    jobs: int = 1,
    force: bool = False,
    fail_fast: bool = False,
    progress: Callable[[LessonResult, int], None] | None = None,
) -> BuildReport:
    """Build every lesson named by ``paths`` into ``out_root/<lesson id>/``.

    One folder or one course file makes a course: its lessons, plus the course
    home page, deck and quiz at ``out_root``, and lesson folders of lessons no
    longer in the course removed. Lessons whose outputs are current are
    skipped unless ``force``; ``jobs`` > 1 renders in worker processes (same
    bytes). With ``epoch_from_sources`` each lesson is stamped with its
    source's modification time instead of ``options.source_date_epoch`` (used
    when SOURCE_DATE_EPOCH is not set, so an edited lesson gets a newer stamp).
    ``progress(result, total)`` is called once per lesson as it finishes, in order.
    """
    recover_interrupted_swaps(out_root)
    run = BuildRun(
        out_root=out_root,
        formats=tuple(formats),
        options=options,
        epoch_from_sources=epoch_from_sources,
        jobs=max(1, jobs),
        force=force,
        fail_fast=fail_fast,
        progress=progress,
    )
    return run.execute(paths)


@dataclass(frozen=True)
class LessonTask:
    """Work for one process: render ``formats`` (maybe none) and maybe summarise for the course."""

    path: Path
    formats: tuple[str, ...]
    options: BuildOptions
    summary_formats: tuple[str, ...] | None


@dataclass
class TaskOutcome:
    """What a worker sends back: small except for the artifacts."""

    result: LessonResult
    artifacts: list[tuple[str, Artifact]] = field(default_factory=list)
    source_sha256: str = ""
    id_position: tuple[int, int] = (1, 1)
    summary: LessonSummary | None = None


def run_task(task: LessonTask) -> TaskOutcome:
    """Load, render and summarise one lesson (in a worker process or in this one)."""
    result = LessonResult(task.path, None)
    try:
        loaded = load_lesson(task.path)
    except InvalidLesson as error:
        result.diagnostics.extend(error.diagnostics)
        result.status = "failed"
        return TaskOutcome(result)
    result.lesson_id = loaded.lesson.id
    artifacts: list[tuple[str, Artifact]] = []
    if task.formats:
        artifacts, problems = render(loaded, task.formats, task.options)
        result.diagnostics.extend(problems)
    summary = None
    if task.summary_formats is not None and result.ok:
        from lessonc.course.outputs.summary import summarise

        summary = summarise(loaded, task.summary_formats)
    where = loaded.source.position(("id",))
    return TaskOutcome(
        result, artifacts if result.ok else [], loaded.source.sha256, (where.line, where.col),
        summary,
    )  # fmt: skip


@dataclass
class LessonPlan:
    path: Path
    sha256: str
    options: BuildOptions
    current_id: str | None
    task: LessonTask | None = None


@dataclass
class BuildRun:
    """The settings of one build; :meth:`execute` runs it."""

    out_root: Path
    formats: tuple[str, ...]
    options: BuildOptions
    epoch_from_sources: bool = False
    jobs: int = 1
    force: bool = False
    fail_fast: bool = False
    progress: Callable[[LessonResult, int], None] | None = None
    sources: frozenset[Path] = frozenset()
    """The folders of the lesson sources (and the course's): no output may replace them."""

    def execute(self, paths: Sequence[Path]) -> BuildReport:
        """Build ``paths``; see :func:`build`.

        Raises :class:`~lessonc.output_root.UnsafeOutputRoot` before anything is
        written when the output folder is itself a folder of lesson sources.
        """
        report = BuildReport()
        course, files = self._plan_sources(paths, report)
        if not report.ok:
            return report
        self.sources = source_folders(files, [course.root] if course else [])
        check_root(self.out_root, self.sources)
        if course is not None:  # one BuildRun makes one build, so this cannot leak into another
            self.options = replace(self.options, in_course=True)
        inputs = KeyInputs(
            templates_digest(self.options.template_dirs),
            self.options.paper,
            self.options.shuffle_seed,
            self.options.in_course,
            _audio_key(self.options) if "audio" in self.formats or self.options.with_audio else "",
        )
        previous = lesson_folders(self.out_root)
        plans = self._plan_lessons(files, inputs, previous)
        course_key = self._course_key(course, plans, inputs) if course else None
        course_stale = course is not None and (
            self.force or not _course_current(self.out_root, course_key)
        )
        if course_stale and course is not None and course.file and course.source is None:
            course = load_course(course.file)  # a shallow course: now its titles are needed
        summary_formats = self.formats if course_stale else None
        for plan in plans:
            stale = plan.current_id is None
            if stale or course_stale:
                plan.task = LessonTask(
                    plan.path, self.formats if stale else (), plan.options, summary_formats
                )
        summaries = self._run(plans, inputs, previous, report, course)
        if course is None or not report.ok or len(report.results) < len(plans):
            return report
        from lessonc.course.finish import finish_course

        timestamp = max([p.options.source_date_epoch for p in plans] + [self._course_epoch(course)])
        finish_course(
            self.out_root, course, previous, report,
            course_key if course_stale else None, self.formats, self.options, timestamp, summaries,
        )  # fmt: skip
        return report

    def _plan_sources(
        self, paths: Sequence[Path], report: BuildReport
    ) -> tuple[Course | None, list[Path]]:
        if len(paths) == 1 and (paths[0].is_dir() or is_course_file(paths[0])):
            path = paths[0]
            course_file = course_file_in(path) if path.is_dir() else path
            try:
                if course_file is None:
                    course = folder_course(path)
                else:
                    course = self._course_from_file(course_file)
            except InvalidCourse as error:
                report.diagnostics.extend(error.diagnostics)
                return None, []
            return course, [entry.path for entry in course.lessons]
        files, report.diagnostics = discover(paths)
        return None, files

    def _course_from_file(self, path: Path) -> Course:
        """The course file's lesson list as the last build recorded it, else the file loaded."""
        if not self.force:
            try:  # through the path gate: load_course reports a refused file
                sha = hashlib.sha256(read_file(path)).hexdigest()
            except Refused:
                sha = ""
            manifest = read_manifest(self.out_root / COURSE_MANIFEST) or {}
            shallow = listed_lessons(path, sha, manifest.get("course_file"))
            if shallow is not None:
                return shallow
        return load_course(path)

    def _lesson_options(self, path: Path) -> BuildOptions:
        if not self.epoch_from_sources:
            return self.options
        return replace(self.options, source_date_epoch=int(path.stat().st_mtime))

    def _course_epoch(self, course: Course) -> int:
        if self.epoch_from_sources and course.file is not None:
            return int(course.file.stat().st_mtime)
        return self.options.source_date_epoch

    def _plan_lessons(
        self,
        files: list[Path],
        inputs: KeyInputs,
        previous: dict[str, tuple[Path, dict[str, Any]]],
    ) -> list[LessonPlan]:
        index = source_index(previous)
        claimed: set[str] = set()
        plans: list[LessonPlan] = []
        for path in files:
            try:
                sha, options = file_sha256(path), self._lesson_options(path)
            except OSError:
                plans.append(LessonPlan(path, "", self.options, None))
                continue
            current_id = index.get((path.name, sha))
            if current_id is not None and (
                self.force
                or current_id in claimed
                or not is_current(
                    *previous[current_id],
                    inputs.keys(sha, self.formats, options.source_date_epoch),
                )
            ):
                current_id = None
            if current_id is not None:
                claimed.add(current_id)
            plans.append(LessonPlan(path, sha, options, current_id))
        return plans

    def _course_key(self, course: Course, plans: list[LessonPlan], inputs: KeyInputs) -> str:
        return combined_key(
            {
                "lessonc": __version__,
                "course": course.file_sha256,
                "lessons": [[p.path.name, p.sha256, p.options.source_date_epoch] for p in plans],
                "epoch": self._course_epoch(course),
                "formats": list(self.formats),
                "templates": inputs.templates,
                "paper": inputs.paper,
                "shuffle_seed": inputs.shuffle_seed,
            }
        )

    def _run(
        self,
        plans: list[LessonPlan],
        inputs: KeyInputs,
        previous: dict[str, tuple[Path, dict[str, Any]]],
        report: BuildReport,
        course: Course | None,
    ) -> dict[Path, LessonSummary]:
        """Run the tasks, then write and report each lesson in plan order."""
        entries = {e.path: e for e in course.lessons} if course else {}
        claimed = {p.current_id: p.path for p in plans if p.current_id}
        summaries: dict[Path, LessonSummary] = {}
        outcomes = self._outcomes([p.task for p in plans if p.task])
        try:
            for plan in plans:
                outcome = next(outcomes) if plan.task else None
                if outcome is not None and outcome.summary is not None:
                    summaries[plan.path] = outcome.summary
                if plan.current_id is not None:
                    _, manifest = previous[plan.current_id]
                    result = LessonResult(plan.path, plan.current_id, status="skipped")
                    result.outputs = sorted(str(o["path"]) for o in manifest["outputs"])
                else:
                    assert outcome is not None
                    result = outcome.result
                    self._finish(plan, outcome, inputs, claimed, course, entries.get(plan.path))
                report.results.append(result)
                if self.progress is not None:
                    self.progress(result, len(plans))
                if self.fail_fast and not result.ok:
                    break
        finally:
            outcomes.close()
        return summaries

    def _finish(
        self,
        plan: LessonPlan,
        outcome: TaskOutcome,
        inputs: KeyInputs,
        claimed: dict[str, Path],
        course: Course | None,
        entry: CourseLesson | None,
    ) -> None:
        """Refuse a taken id, else write the lesson's outputs; fills in the result."""
        result = outcome.result
        lesson_id = result.lesson_id
        if lesson_id is not None and claimed.get(lesson_id, plan.path) != plan.path:
            message = f"lesson id '{lesson_id}' is also used by {display_path(claimed[lesson_id])}"
            hint = "every lesson needs its own id: it names the output folder"
            if course is not None and entry is not None and course.source is not None:
                problem = course.diagnostic(entry, "course-duplicate-id", message, hint)
            else:
                line, col = outcome.id_position
                problem = Diagnostic(
                    display_path(plan.path), line, col, "duplicate-lesson", message, hint
                )
            result.diagnostics.append(problem)
        if lesson_id is None or not result.ok:
            result.status = "failed"
            return
        claimed[lesson_id] = plan.path
        target = self.out_root / lesson_id
        line, col = outcome.id_position
        where = display_path(plan.path)
        try:
            written = write_outputs(
                target,
                outcome.artifacts,
                SourceIdentity(lesson_id, plan.path.name, outcome.source_sha256),
                self.formats,
                plan.options,
                cache_keys=inputs.keys(
                    outcome.source_sha256, self.formats, plan.options.source_date_epoch
                ),
                source_folders=self.sources,
            )
        except OutputNotOurs as error:
            result.status = "failed"
            result.diagnostics.append(
                Diagnostic(where, line, col, "output-not-ours", str(error), error.hint)
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

            result.diagnostics.append(stale_notes_warning(where, line, col, written.stale_notes))

    def _outcomes(self, tasks: list[LessonTask]) -> Generator[TaskOutcome, None, None]:
        """Each task's outcome, in task order; in worker processes when jobs > 1."""
        if self.jobs == 1 or len(tasks) < 2:
            if any("pdf" in task.formats for task in tasks):
                # WeasyPrint loads in its own process while lessons are checked
                # and their other formats rendered (the PDF renders last).
                from lessonc.outputs.pdf import prepare

                prepare()
            for task in tasks:
                yield run_task(task)
            return
        pool = ProcessPoolExecutor(
            max_workers=min(self.jobs, len(tasks)), initializer=_set_up_worker
        )
        futures = [pool.submit(run_task, task) for task in tasks]
        try:
            for future in futures:
                yield future.result()
        except BaseException:
            # Ctrl-C, --fail-fast or an error: drop the queued lessons and do not
            # wait here for the running ones (a `with` block would).
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()


def _set_up_worker() -> None:
    # Ctrl-C reaches the whole process group. A worker killed by it mid-queue
    # can leave the pool's shutdown waiting for ever; so workers ignore it and
    # the parent alone decides (it cancels what is queued and exits).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker outlives a parent that was killed or left with os._exit: it waits
    # on a queue whose other end its siblings keep open. On Linux the kernel
    # can end it with its parent.
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


_PR_SET_PDEATHSIG = 1


def _audio_key(options: BuildOptions) -> str:
    return json.dumps([options.audio_format, options.with_audio, list(options.speech_command)])


def _course_current(out_root: Path, key: str | None) -> bool:
    manifest = read_manifest(out_root / COURSE_MANIFEST)
    if manifest is None or manifest.get("cache") != key:
        return False
    return outputs_intact(out_root, manifest["outputs"])


def default_jobs() -> int:
    """Worker processes by default: the CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def timer() -> Callable[[], float]:
    """Seconds since the call (for the closing summary)."""
    start = time.perf_counter()
    return lambda: time.perf_counter() - start
