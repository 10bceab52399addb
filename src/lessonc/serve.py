"""``lessonc serve``: rebuild on save, serve the build on localhost, reload the open page.

The written build files stay exactly what ``lessonc build`` writes: the reload
script is added to HTML responses on their way out (``lessonc.serve_http``,
which also keeps the preview to this machine's browser).
"""

from __future__ import annotations

import errno
import socket
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lessonc.diagnostics import sort_key
from lessonc.outputs import BuildOptions
from lessonc.serve_http import BuildState, PreviewServer
from lessonc.serve_page import ENDPOINT, inject_reload

__all__ = ["ENDPOINT", "BuildState", "DevServer", "ListenError", "inject_reload"]


class ListenError(Exception):
    """The port cannot be listened on; the message says why and which port to try instead."""


def _free_port_near(port: int) -> int | None:
    """A port after ``port`` that is free right now (a suggestion: it may be taken later)."""
    for candidate in range(port + 1, min(port + 20, 65535) + 1):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return candidate
    return None


def listen_error(port: int, error: OSError) -> ListenError:
    """What to tell the author when 127.0.0.1:``port`` cannot be listened on."""
    if error.errno == errno.EADDRINUSE:
        why = "the port is in use (by another program, or another lessonc serve)"
    elif error.errno == errno.EACCES:
        why = "permission denied (ports below 1024 need root)"
    else:
        why = error.strerror or str(error)
    free = _free_port_near(max(port, 1023))
    hint = f"--port {free}" if free else "--port <a free port>"
    return ListenError(
        f"cannot listen on 127.0.0.1:{port}: {why}; try {hint}, or --port 0 for any free port"
    )


class DevServer:
    """Builds lessons into ``out_root``, serves that folder on 127.0.0.1 and rebuilds on demand."""

    def __init__(
        self,
        paths: Sequence[Path],
        out_root: Path,
        formats: Sequence[str],
        options: BuildOptions,
        *,
        port: int = 8000,
        echo: Callable[[str], None] = print,
    ) -> None:
        self.paths = list(paths)
        self.out_root = out_root
        self.formats = list(formats)
        self.options = options
        self.state = BuildState()
        self._echo = echo
        out_root.mkdir(parents=True, exist_ok=True)
        try:
            self._http = PreviewServer(port, out_root, self.state, echo)
        except OSError as error:
            raise listen_error(port, error) from None
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Where the build is served (the port is the real one when 0 was asked for)."""
        return f"http://127.0.0.1:{self._http.server_address[1]}/"

    def start(self) -> None:
        """Build once, then start answering requests in a background thread."""
        self.rebuild()
        self._thread.start()

    def rebuild(self) -> bool:
        """Build every lesson again; report the outcome in the terminal and to the page."""
        from lessonc.course.build_run import build

        started = time.perf_counter()
        # force: a change to an image or a template must show even when the
        # lesson source itself is unchanged.
        report = build(self.paths, self.out_root, self.formats, self.options,
                       epoch_from_sources=True, force=True)  # fmt: skip
        diagnostics = report.all_diagnostics
        with self.state.changed:
            self.state.build += 1
            self.state.ok = report.ok
            self.state.diagnostics = diagnostics
            built = [r.lesson_id for r in report.results if r.ok and r.lesson_id]
            self.state.lesson_ids = list(dict.fromkeys([*self.state.lesson_ids, *built]))
            self.state.changed.notify_all()  # every open page's event stream
        for diagnostic in sorted(diagnostics, key=sort_key):
            self._echo(diagnostic.format_text())
        seconds = time.perf_counter() - started
        verdict = "built" if report.ok else "failed (serving the last good build)"
        self._echo(f"[{time.strftime('%H:%M:%S')}] {verdict} in {seconds:.2f}s")
        return report.ok

    def watch_targets(self) -> list[Path]:
        """Folders to watch: each lesson's folder (its images too) and the template folders."""
        folders = [p if p.is_dir() else p.parent for p in self.paths]
        folders += list(self.options.template_dirs)
        return list(dict.fromkeys(f.resolve() for f in folders))

    def watch(self, stop: threading.Event | None = None) -> None:
        """Rebuild after every change until ``stop`` is set (or Ctrl-C, which propagates)."""
        from watchfiles import DefaultFilter, watch

        out = self.out_root.resolve()

        class _SkipOutput(DefaultFilter):
            # The build writes under out_root, which may sit inside a watched folder.
            def __call__(self, change: Any, path: str) -> bool:
                return not Path(path).resolve().is_relative_to(out) and super().__call__(
                    change, path
                )

        for _changes in watch(
            *self.watch_targets(), watch_filter=_SkipOutput(), stop_event=stop,
            debounce=200, step=50,
        ):  # fmt: skip
            self.rebuild()

    def stop(self) -> None:
        """Stop answering requests (open event streams too) and release the port."""
        self.state.close()
        self._http.shutdown()
        self._http.server_close()
