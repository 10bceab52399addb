"""Run WeasyPrint in a child process with a time limit.

Layout of crafted CSS can take very long or loop, and a thread cannot be
stopped, so rendering happens in a child process that is killed at the
deadline. Starting a fresh interpreter per PDF costs about a second (importing
WeasyPrint dominates), so on platforms that have it the 'forkserver' start
method is used with WeasyPrint preloaded and warmed up (see
:mod:`lessonc.outputs.pdf.preload`): the server loads it once and each render
is a cheap fork of that clean, single-threaded server (never of the caller,
which may run threads), so the caller never imports WeasyPrint. A process
forked from the one that started the server (a 'fork' process pool worker)
cannot reach that server in CPython; there WeasyPrint is loaded once in the
process and each render forks from it, provided no other thread runs. 'spawn'
is the last resort: slower, same isolation.

As with any multiprocessing start method but 'fork', a script that renders
PDFs through lessonc's API must guard its entry point with
``if __name__ == "__main__":`` (the child re-imports the main script); the
``lessonc`` command and ``python -m lessonc`` already do.
"""

from __future__ import annotations

import importlib
import multiprocessing
import threading
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext

from lessonc.outputs.pdf.worker import RenderRequest, RenderResult, render

RENDER_TIMEOUT_SECONDS = 120.0
"""A handout renders in seconds; past this the child is killed and the build fails."""

_PRELOAD = ["lessonc.outputs.pdf.process", "lessonc.outputs.pdf.preload"]


class RenderTimeout(Exception):
    """The child did not finish within the time limit and was killed."""


def _context() -> BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        try:
            forkserver.ensure_running()
            return context
        except ChildProcessError:
            # This process is an os.fork() copy (a 'fork' process pool worker) of
            # the one that started the server; CPython cannot reach it from here.
            pass
    if "fork" in methods and threading.active_count() == 1:
        # Forking a single-threaded process is safe: load and warm WeasyPrint
        # here once, and every render forks from this warm state.
        importlib.import_module("lessonc.outputs.pdf.preload")
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def warm_up() -> None:
    """Start the fork server now, so WeasyPrint loads while the caller prepares the HTML."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        _context()


def _child(sender: Connection, request: RenderRequest) -> None:
    try:
        result = render(request)
    except Exception as error:  # reported to the parent instead of a bare exit code
        result = RenderResult(None, error=f"{type(error).__name__}: {error}")
    sender.send(result)
    sender.close()


def render_isolated(
    request: RenderRequest, timeout: float = RENDER_TIMEOUT_SECONDS
) -> RenderResult:
    """Render in a child process; raises :class:`RenderTimeout` past ``timeout`` seconds."""
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, request), name="lessonc-pdf")  # type: ignore[attr-defined]
    child.start()
    sender.close()  # the child holds the only writer, so its death reads as EOF
    try:
        if not receiver.poll(timeout):
            raise RenderTimeout(f"rendering took longer than {timeout:g} s")
        try:
            result: RenderResult = receiver.recv()
        except EOFError:
            child.join(5)
            died = f"the renderer process died (exit code {child.exitcode})"
            return RenderResult(None, error=died)
        return result
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
