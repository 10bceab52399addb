"""One ``lessonc build``: plan from the cache, render what is stale (in worker processes), write.

On top of :mod:`lessonc.pipeline`, which loads, renders and writes one lesson
atomically; this module decides what to do, and :mod:`lessonc.course.workers` in
which process. Each lesson's task (:mod:`lessonc.course.lesson_task`) writes its own
folder, after claiming its id; a lesson whose id another took first comes back with its
outputs, and the first of the two in course order keeps the folder, whatever the order
workers finish in.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
import time
from collections.abc import Callable, Sequence
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
from lessonc.course.lesson_task import (
    LessonTask,
    LessonWrite,
    claim_ids,
    settle,
)
from lessonc.course.model import (
    Course,
    InvalidCourse,
    course_file_in,
    discover,
    folder_course,
    is_course_file,
    listed_lessons,
    load_course,
)
from lessonc.course.workers import LessonProcesses
from lessonc.diagnostics import Diagnostic, display_path
from lessonc.output_root import (
    OutputNotOurs,
    check_root,
    recover_interrupted_swaps,
    source_folders,
)
from lessonc.output_stats import OutputStats
from lessonc.outputs import BuildOptions
from lessonc.paths import Refused, read_file
from lessonc.pipeline import BuildReport, LessonResult

if TYPE_CHECKING:
    from lessonc.course.outputs.summary import LessonSummary


def build(
    paths: Sequence[Path],
    out_root: Path,
    formats: Sequence[str],
    options: BuildOptions,
    *,
    epoch_from_sources: bool = False,
    jobs: int | None = 1,
    force: bool = False,
    fail_fast: bool = False,
    progress: Callable[[LessonResult, int], None] | None = None,
) -> BuildReport:
    """Build every lesson named by ``paths`` into ``out_root/<lesson id>/``.

    One folder or one course file makes a course: its lessons, plus the course
    home page, deck and quiz at ``out_root``, and lesson folders of lessons no
    longer in the course removed. Lessons whose outputs are current are
    skipped unless ``force``; ``jobs`` > 1 builds in worker processes (same
    bytes); None picks a number: one process for a few lessons, else one a CPU.
    With ``epoch_from_sources`` each lesson is stamped with its source's
    modification time instead of ``options.source_date_epoch`` (used when
    SOURCE_DATE_EPOCH is not set, so an edited lesson gets a newer stamp).
    ``progress(result, total)`` is called once per lesson as it finishes, in order.
    """
    recover_interrupted_swaps(out_root)
    run = BuildRun(
        out_root=out_root,
        formats=tuple(formats),
        options=options,
        epoch_from_sources=epoch_from_sources,
        jobs=None if jobs is None else max(1, jobs),
        force=force,
        fail_fast=fail_fast,
        progress=progress,
    )
    return run.execute(paths)


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
    jobs: int | None = 1
    """Worker processes; None: chosen by the number of lessons to build (see
    :func:`worker_count`)."""
    force: bool = False
    fail_fast: bool = False
    progress: Callable[[LessonResult, int], None] | None = None
    sources: frozenset[Path] = frozenset()
    """The folders of the lesson sources (and the course's): no output may replace them."""
    _processes: LessonProcesses = field(init=False)

    def __post_init__(self) -> None:
        self._processes = LessonProcesses(self.jobs)

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
            self.options.edition,
        )
        previous = lesson_folders(self.out_root)
        # Checking that skipped lessons' outputs are intact would otherwise read and
        # hash every output of the course on each rebuild: most of a no-op rebuild.
        stats = OutputStats(self.out_root, file_sha256)
        plans = self._plan_lessons(files, inputs, previous, stats.sha256)
        course_key = self._course_key(course, plans, inputs) if course else None
        course_stale = course is not None and (
            self.force or not _course_current(self.out_root, course_key, stats.sha256)
        )
        stats.save()
        if course_stale and course is not None and course.file and course.source is None:
            course = load_course(course.file)  # a shallow course: now its titles are needed
        summary_formats = self.formats if course_stale else None
        for plan in plans:
            stale = plan.current_id is None
            if stale or course_stale:
                plan.task = LessonTask(
                    plan.path, self.formats if stale else (), plan.options, summary_formats
                )
        if course_stale and course is not None and "html" in self.formats:
            self._write_shared_assets(course, report)
            if not report.ok:
                return report
        summaries = self._run(plans, inputs, previous, report, course)
        if course is None or not report.ok or len(report.results) < len(plans):
            return report
        from lessonc.course.finish import finish_course

        timestamp = max([p.options.source_date_epoch for p in plans] + [self._course_epoch(course)])
        finish_course(
            self.out_root, course, previous, report,
            course_key if course_stale else None, self.formats, self.options, timestamp, summaries,
            spare_cpu=self._processes.workers > 1,
        )  # fmt: skip
        return report

    def _write_shared_assets(self, course: Course, report: BuildReport) -> None:
        """The assets the course's lesson pages share, written before any page that links them."""
        from lessonc.course.finish import write_shared_assets
        from lessonc.outputs.html import course_page_assets

        where = display_path(course.file or course.root)
        try:
            assets = course_page_assets(
                self.options.template_dirs, with_audio=self.options.with_audio
            )
            write_shared_assets(self.out_root, assets)
        except OutputNotOurs as error:
            report.diagnostics.append(
                Diagnostic(where, 1, 1, "output-not-ours", str(error), error.hint)
            )
        except OSError as error:
            report.diagnostics.append(
                Diagnostic(
                    where, 1, 1, "write-failed",
                    f"cannot write the course files: {error.strerror or error}",
                    "check free disk space and permissions of the output folder",
                )
            )  # fmt: skip

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
        sha256_of: Callable[[Path], str],
    ) -> list[LessonPlan]:
        index = source_index(previous)
        claimed: set[str] = set()
        plans: list[LessonPlan] = []
        for path in files:
            try:
                # Through the stat record, as outputs are: a rebuild with nothing to do
                # reads no source either.
                sha, options = sha256_of(path), self._lesson_options(path)
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
                    sha256_of,
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
                **({"edition": inputs.edition} if inputs.edition != "student" else {}),
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
        """Run the tasks (each writes its lesson), then report each lesson in plan order."""
        entries = {e.path: e for e in course.lessons} if course else {}
        claimed = {p.current_id: p.path for p in plans if p.current_id}
        summaries: dict[Path, LessonSummary] = {}
        building = any(p.task for p in plans)
        # Ids are claimed only when some lesson is built: a rebuild with nothing to do
        # would otherwise create and remove a file for every lesson.
        with (
            tempfile.TemporaryDirectory(prefix="lessonc-ids-")
            if building
            else contextlib.nullcontext("")
        ) as claims_folder:
            claims = Path(claims_folder) / "ids"
            if building:
                claim_ids(claims, claimed)  # a current lesson's id is taken before any is built
            write = LessonWrite(self.out_root, inputs, self.formats, self.sources, claims)
            tasks = [replace(p.task, write=write) for p in plans if p.task]
            outcomes = self._processes.outcomes(tasks)
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
                        settle(outcome, plan.path, plan.options, write, claimed, course, entries)
                    report.results.append(result)
                    if self.progress is not None:
                        self.progress(result, len(plans))
                    if self.fail_fast and not result.ok:
                        break
                else:
                    # Run the generator to its end: the worker processes and the thread
                    # that fed them are gone before the course files are made (a fork
                    # there must find no other thread).
                    for _ in outcomes:
                        pass
            finally:
                outcomes.close()
        return summaries


def _audio_key(options: BuildOptions) -> str:
    return json.dumps([options.audio_format, options.with_audio, list(options.speech_command)])


def _course_current(out_root: Path, key: str | None, sha256_of: Callable[[Path], str]) -> bool:
    manifest = read_manifest(out_root / COURSE_MANIFEST)
    if manifest is None or manifest.get("cache") != key:
        return False
    return outputs_intact(out_root, manifest["outputs"], sha256_of)


def timer() -> Callable[[], float]:
    """Seconds since the call (for the closing summary)."""
    start = time.perf_counter()
    return lambda: time.perf_counter() - start
