"""The processes a build's lessons are built in: this one for a few, else a pool of workers.

Workers are forked after importing what every lesson needs (where forking is safe),
each builds whole lessons (see :mod:`lessonc.course.lesson_task`), and the outcomes
come back in task order, whatever order the workers finish in.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import threading
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lessonc.course.lesson_task import LessonTask, TaskOutcome, run_task

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from lessonc.course.free_cpus import CpuWatch


@dataclass
class LessonProcesses:
    """Runs a build's lesson tasks; ``jobs`` as :func:`worker_count` takes it."""

    jobs: int | None
    workers: int = 1
    """The worker processes the build ran: more than one means CPUs to spare for the end."""
    _watch: CpuWatch | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        # Watched from the build's start (its plan, its imports, its first lesson: a third
        # of a second or so), not only from the warm-up: /proc/stat counts in ticks of
        # 10 ms, which over a tenth of a second made another program's share of the CPUs
        # uncertain by a third of a CPU, and one build in a few ran alone with both idle.
        if self.jobs != 1 and len(usable_cpus()) > 1:
            from lessonc.course.free_cpus import CpuWatch

            self._watch = CpuWatch(usable_cpus())

    def outcomes(self, tasks: list[LessonTask]) -> Generator[TaskOutcome, None, None]:
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
        from lessonc.course.free_cpus import CpuWatch, workers_for

        watch = self._watch or CpuWatch(usable_cpus())
        # A process aside compiles the templates only on a CPU that other programs leave
        # free so far: on a busy machine it would only take turns with this one.
        forking = _warm_for_fork(tasks, compile_aside=workers_for(2, watch.free_cpus()) > 1)
        if forking and not any("pdf" in task.formats for task in tasks):
            # The first lesson, here, before forking: it builds what the warm-up left to
            # build, which every worker would otherwise do again for itself; and by then
            # the machine has shown how many CPUs other programs leave free. Not with a
            # handout: its renderer process starts a thread, and a thread must not be
            # running when the workers fork.
            yield run_task(tasks[0])
            tasks = tasks[1:]
            workers = workers_for(min(workers, len(tasks)), watch.free_cpus())
            if workers == 1:
                yield from map(run_task, tasks)
                return
        # Imported only now: a build of a few lessons, or one that finds the machine busy,
        # starts no worker, and these cost a few hundredths of a second to import.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("fork") if forking else None
        self.workers = workers
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


def _warm_for_fork(tasks: Sequence[LessonTask], compile_aside: bool = True) -> bool:
    """Import what every worker needs, where forking is safe (then True), so that workers
    are forked with the models and renderers loaded instead of each importing them.

    With ``compile_aside``, the page's templates compile meanwhile in a process aside, on
    the CPU the start leaves idle (see :func:`_compile_page_templates_aside`)."""
    # os.fork is there exactly where multiprocessing offers the fork start method.
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False  # a thread may hold a lock a forked child would never see released
    compiling = _compile_page_templates_aside(tasks) if compile_aside else None
    try:
        import lessonc.validation
        from lessonc.model import Lesson
        from lessonc.outputs import get_renderer

        for name in sorted({name for task in tasks for name in task.formats}):
            if name != "pdf":  # the handout renders in a process of its own
                get_renderer(name)
        if any(task.summary_formats for task in tasks):
            import lessonc.course.outputs.summary  # noqa: F401
        # Its validator is built on first use (a tenth of a second's start-up when only a
        # few lessons are checked): built here, beside the templates compiling aside.
        Lesson.model_rebuild()
        if compiling is not None and any(task.summary_formats is not None for task in tasks):
            _compile_templates("course")  # for the course's pages, at the end
    finally:
        if compiling is not None:
            _wait_for(compiling)
    return True


def _compile_page_templates_aside(tasks: Sequence[LessonTask]) -> BaseProcess | None:
    """A process compiling the page's templates into the cache folder, while this one
    imports and builds what lessons need; this one then reads their code back.

    Only where the first lesson is rendered here before the workers start (no handout),
    with lessonc's own templates (a theme's compile on demand, as they always have)
    and a cache folder to keep them in.
    """
    import multiprocessing

    from lessonc import templating

    if any("pdf" in task.formats or task.options.template_dirs for task in tasks):
        return None
    if (
        not any("html" in task.formats for task in tasks)
        or templating.builtin_cache_folder() is None
    ):
        return None
    for stream in (sys.stdout, sys.stderr):  # else the child would write their buffers again
        stream.flush()
    process = multiprocessing.get_context("fork").Process(
        target=_compile_aside, args=("html",), daemon=True
    )
    try:
        process.start()
    except OSError:  # no process to spare: templates compile here, as they are needed
        return None
    return process


def _compile_aside(subfolder: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent alone answers Ctrl-C
    _compile_templates(subfolder)


def _compile_templates(subfolder: str) -> None:
    from lessonc import templating
    from lessonc.outputs.html import page_environment

    # A template that fails to compile fails again where the build uses it, and is
    # reported there.
    with contextlib.suppress(Exception):
        env = page_environment() if subfolder == "html" else templating.environment(subfolder)
        templating.compile_into_cache(env)


_COMPILE_WAIT_SECONDS = 5.0
"""Far more than compiling takes (a tenth of a second); past it, the build compiles itself."""


def _wait_for(compiling: BaseProcess) -> None:
    compiling.join(_COMPILE_WAIT_SECONDS)
    if compiling.is_alive():
        compiling.terminate()
        compiling.join()


def _set_up_worker() -> None:
    # Ctrl-C reaches the whole process group. A worker killed by it mid-queue
    # can leave the pool's shutdown waiting for ever; so workers ignore it and
    # the parent alone decides (it cancels what is queued and exits).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker outlives a parent that was killed or left with os._exit: it waits
    # on a queue whose other end its siblings keep open. On Linux the kernel
    # can end it with its parent.
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        # The running program's own symbols, libc's among them: ctypes.util.find_library
        # would run `ldconfig -p` in a subprocess at every worker's start.
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


_PR_SET_PDEATHSIG = 1


def default_jobs() -> int:
    """Worker processes by default: the CPUs this process may use."""
    return len(usable_cpus())


def usable_cpus() -> set[int]:
    """The CPUs this process may run on."""
    try:
        return os.sched_getaffinity(0)
    except AttributeError:  # not on every platform
        return set(range(os.cpu_count() or 1))
