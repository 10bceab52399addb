"""One ``lessonc build``: plan from the cache, render what is stale (in worker processes), write.

On top of :mod:`lessonc.pipeline`, which loads, renders and writes one lesson
atomically; this module decides what to do and in which process. Workers
return artifacts rather than writing, so the parent can refuse a second lesson
with an id already taken before anything lands in its folder, and writes in
course order whatever the order workers finish in.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Sequence
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
from lessonc.output_stats import OutputStats
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
    import multiprocessing.context

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


@dataclass(frozen=True)
class LessonWrite:
    """Where and how a worker writes the lessons it builds (the same for every lesson)."""

    out_root: Path
    inputs: KeyInputs
    formats: tuple[str, ...]
    """Every format of the build: outputs of others are carried over from the last one."""
    source_folders: frozenset[Path]
    claims: Path
    """A folder private to this build: a file per lesson id taken (see :func:`_claim`)."""


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

        outcome.summary = summarise(
            loaded.for_students(),
            task.summary_formats,
            artifacts,
            shuffled=task.options.shuffle_seed is not None,
        )
    if task.write is not None and task.formats and result.ok:
        claims = task.write.claims

        def claim() -> None:
            _claim(claims, loaded.lesson.id)

        try:
            write_lesson(task.write, task.path, task.options, outcome, artifacts, claim)
        except _IdTaken:
            outcome.contested = True
            outcome.artifacts = artifacts
    return outcome


def _claim(claims: Path, lesson_id: str) -> None:
    """Take ``lesson_id`` for this lesson, or raise :class:`_IdTaken`; called under the output
    folder's lock, so the lesson that took it has finished writing its folder."""
    try:
        os.close(os.open(claims / lesson_id, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        raise _IdTaken(lesson_id) from None


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
    where = display_path(path)
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
    _workers: int = field(default=1, init=False)
    """The worker processes this build ran: more than one means CPUs to spare for the end."""

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
            spare_cpu=self._workers > 1,
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
        ) as claims:
            for lesson_id in claimed if building else ():
                _claim(
                    Path(claims), lesson_id
                )  # a current lesson's id is taken before any is built
            write = LessonWrite(self.out_root, inputs, self.formats, self.sources, Path(claims))
            tasks = [replace(p.task, write=write) for p in plans if p.task]
            outcomes = self._outcomes(tasks)
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
                        self._finish(plan, outcome, write, claimed, course, entries.get(plan.path))
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

    def _finish(
        self,
        plan: LessonPlan,
        outcome: TaskOutcome,
        write: LessonWrite,
        claimed: dict[str, Path],
        course: Course | None,
        entry: CourseLesson | None,
    ) -> None:
        """Refuse a taken id; write a contested lesson that came first in plan order."""
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
            # A later lesson that won the race to the folder lost it again when the
            # earlier one was written here: the folder is the earlier lesson's.
            result.outputs = []
        if lesson_id is None or not result.ok:
            result.status = "failed"
            return
        claimed[lesson_id] = plan.path
        if outcome.contested:
            # A later lesson with this id was written first by another worker; the
            # first in plan order keeps the folder, as in a build with one process.
            write_lesson(write, plan.path, plan.options, outcome, outcome.artifacts)
            if not result.ok:
                result.status = "failed"

    def _outcomes(self, tasks: list[LessonTask]) -> Generator[TaskOutcome, None, None]:
        """Each task's outcome, in task order; in worker processes when that pays."""
        workers = worker_count(self.jobs, tasks)
        if workers == 1:
            if any("pdf" in task.formats for task in tasks):
                # WeasyPrint loads in its own process while lessons are checked
                # and their other formats rendered (the PDF renders last).
                from lessonc.outputs.pdf import prepare

                prepare()
            for task in tasks:
                yield run_task(task)
            return
        # Imported here: a build of one lesson, or of a few, never starts a worker, and
        # these cost a one-lesson build a tenth of its start-up over the libraries it needs.
        from concurrent.futures import ProcessPoolExecutor

        context = _warm_context(tasks)
        if context is not None and not any("pdf" in task.formats for task in tasks):
            # The first lesson, here, before forking: it builds the models' validators and
            # compiles the templates (a fifth of a second), which every worker would
            # otherwise do again for itself; and meanwhile the machine shows how many
            # CPUs other programs leave free. Not with a handout: its renderer process
            # starts a thread, and a thread must not be running when the workers fork.
            from lessonc.course.free_cpus import CpuWatch, workers_for

            watch = CpuWatch(usable_cpus())
            yield run_task(tasks[0])
            tasks = tasks[1:]
            workers = workers_for(min(workers, len(tasks)), watch.free_cpus())
            if workers == 1:
                yield from map(run_task, tasks)
                return
        self._workers = workers
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_set_up_worker
        )
        # A few chunks a worker: one message a chunk rather than a lesson, and
        # still a chunk left for the worker that finishes first.
        chunk = max(1, min(len(tasks) // (workers * _CHUNKS_PER_WORKER), _LARGEST_CHUNK))
        # Forked workers share the parent's objects until they write to them, and the
        # collector's first pass would write to every one: out of its sight, they stay
        # shared. A fork context starts every worker in map(), so the freeze ends there.
        gc.freeze()
        try:
            results = pool.map(run_task, tasks, chunksize=chunk)
        finally:
            gc.unfreeze()
        try:
            yield from results
        except BaseException:
            # Ctrl-C, --fail-fast or an error: drop the queued lessons and do not
            # wait here for the running ones (a `with` block would).
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()


_CHUNKS_PER_WORKER = 4
_LARGEST_CHUNK = 8
_LESSONS_PER_WORKER = 8
"""Fewer lessons than this for each worker, and one process builds them faster: a worker
costs its start and its messages, and a few lessons take a few tens of milliseconds."""


def worker_count(jobs: int | None, tasks: Sequence[LessonTask]) -> int:
    """How many processes build ``tasks``: ``jobs`` at most; by default one a CPU, but one
    process in all for a few lessons."""
    if jobs is not None:
        return max(1, min(jobs, len(tasks)))
    stale = sum(1 for task in tasks if task.formats)
    return max(1, min(default_jobs(), stale // _LESSONS_PER_WORKER))


def _warm_context(tasks: Sequence[LessonTask]) -> multiprocessing.context.BaseContext | None:
    """Fork after importing what every worker needs, where forking is safe, so that
    workers start with the models and renderers loaded instead of each importing them."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return None  # a thread may hold a lock a forked child would never see released
    import lessonc.validation
    from lessonc.outputs import get_renderer

    for name in sorted({name for task in tasks for name in task.formats}):
        if name != "pdf":  # the handout renders in a process of its own
            get_renderer(name)
    if any(task.summary_formats for task in tasks):
        import lessonc.course.outputs.summary  # noqa: F401
    return multiprocessing.get_context("fork")


def _set_up_worker() -> None:
    # Ctrl-C reaches the whole process group. A worker killed by it mid-queue
    # can leave the pool's shutdown waiting for ever; so workers ignore it and
    # the parent alone decides (it cancels what is queued and exits).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker outlives a parent that was killed or left with os._exit: it waits
    # on a queue whose other end its siblings keep open. On Linux the kernel
    # can end it with its parent.
    import ctypes
    import ctypes.util

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


_PR_SET_PDEATHSIG = 1


def _audio_key(options: BuildOptions) -> str:
    return json.dumps([options.audio_format, options.with_audio, list(options.speech_command)])


def _course_current(out_root: Path, key: str | None, sha256_of: Callable[[Path], str]) -> bool:
    manifest = read_manifest(out_root / COURSE_MANIFEST)
    if manifest is None or manifest.get("cache") != key:
        return False
    return outputs_intact(out_root, manifest["outputs"], sha256_of)


def default_jobs() -> int:
    """Worker processes by default: the CPUs this process may use."""
    return len(usable_cpus())


def usable_cpus() -> set[int]:
    """The CPUs this process may run on."""
    try:
        return os.sched_getaffinity(0)
    except AttributeError:  # not on every platform
        return set(range(os.cpu_count() or 1))


def timer() -> Callable[[], float]:
    """Seconds since the call (for the closing summary)."""
    start = time.perf_counter()
    return lambda: time.perf_counter() - start
