"""``lessonc serve``: rebuild on save, serve the build on localhost, reload the open page.

The written build files stay exactly what ``lessonc build`` writes: the reload
script is added to HTML responses on their way out. The page's own
Content-Security-Policy (``default-src 'none'; script-src 'self'``) forbids
fetch and EventSource, and the author should see the page under its real
policy, so the script polls by loading a same-origin script,
``/__lessonc__/status.js``, instead of relaxing the policy.
"""

from __future__ import annotations

import functools
import html
import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from lessonc.diagnostics import Diagnostic, sort_key
from lessonc.outputs import BuildOptions

ENDPOINT = "/__lessonc__/"
POLL_MILLISECONDS = 700

RELOAD_SCRIPT = """\
(function () {
  "use strict";
  var known = Number(document.currentScript.dataset.build);
  var overlay = null;
  function show(status) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "lessonc-overlay";
      overlay.setAttribute("role", "alert");
      Object.assign(overlay.style, {
        position: "fixed", inset: "0", zIndex: "2147483647", overflow: "auto",
        margin: "0", padding: "1.5rem", background: "rgba(20, 20, 24, 0.94)",
        color: "#ffd7d7", font: "14px/1.5 ui-monospace, monospace", whiteSpace: "pre-wrap"
      });
      document.body.appendChild(overlay);
    }
    var heading = "lessonc: the last save did not build; the page shows the last good build.\\n\\n";
    overlay.textContent = heading + status.diagnostics
      .filter(function (d) { return d.severity === "error"; })
      .map(function (d) { return d.text; }).join("\\n\\n");
  }
  function hide() {
    if (overlay) { overlay.remove(); overlay = null; }
  }
  window.__lessoncStatus = function (status) {
    if (status.build !== known && status.ok) { location.reload(); return; }
    known = status.build;
    if (status.ok) { hide(); } else { show(status); }
  };
  function poll() {
    var script = document.createElement("script");
    script.src = "/__lessonc__/status.js?t=" + Date.now();
    script.onload = script.onerror = function () {
      script.remove();
      setTimeout(poll, POLL_MILLISECONDS);
    };
    document.head.appendChild(script);
  }
  poll();
})();
""".replace("POLL_MILLISECONDS", str(POLL_MILLISECONDS))


@dataclass
class BuildState:
    """The outcome of the latest build, shared by the watcher and the HTTP threads."""

    build: int = 0
    ok: bool = False
    lesson_ids: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> dict[str, Any]:
        """The status as JSON data: build number, ok, and each diagnostic with its text."""
        with self.lock:
            return {
                "build": self.build,
                "ok": self.ok,
                "lessons": list(self.lesson_ids),
                "diagnostics": [
                    {**d.to_json(), "text": d.format_text()}
                    for d in sorted(self.diagnostics, key=sort_key)
                ],
            }


def inject_reload(page: bytes, build: int) -> bytes:
    """The HTML page with the reload script added before ``</body>`` (or at its end)."""
    tag = f'<script src="{ENDPOINT}reload.js" data-build="{build}" defer></script>\n'.encode()
    index = page.lower().rfind(b"</body>")
    if index < 0:
        return page + tag
    return page[:index] + tag + page[index:]


class _Handler(SimpleHTTPRequestHandler):
    state: BuildState  # set on the subclass made per server

    def log_message(self, format: str, *args: Any) -> None:
        # Every poll would print a line; the terminal is for build results.
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        if path.startswith(ENDPOINT):
            self._endpoint(path.removeprefix(ENDPOINT))
        elif path == "/":
            self._root()
        elif path.endswith((".html", "/")) and Path(self.translate_path(path)).exists():
            self._html(Path(self.translate_path(path)))
        else:
            super().do_GET()

    def _send(self, body: bytes, content_type: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _endpoint(self, name: str) -> None:
        status = self.state.snapshot()
        if name == "reload.js":
            self._send(RELOAD_SCRIPT.encode(), "text/javascript; charset=utf-8")
        elif name == "status":
            self._send(json.dumps(status).encode(), "application/json")
        elif name == "status.js":
            payload = f"window.__lessoncStatus({json.dumps(status)});\n"
            self._send(payload.encode(), "text/javascript; charset=utf-8")
        else:
            self.send_error(HTTPStatus.NOT_FOUND)

    def _html(self, target: Path) -> None:
        if target.is_dir():
            if not (target / "index.html").is_file():
                super().do_GET()
                return
            if not self.path.split("?")[0].endswith("/"):
                super().do_GET()  # the base handler redirects to the slash form
                return
            target = target / "index.html"
        try:
            page = target.read_bytes()
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        build = self.state.snapshot()["build"]
        self._send(inject_reload(page, build), "text/html; charset=utf-8")

    def _root(self) -> None:
        status = self.state.snapshot()
        lessons = [i for i in status["lessons"] if Path(self.translate_path(f"/{i}/")).is_dir()]
        if len(lessons) == 1:
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", f"/{lessons[0]}/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        items = "".join(
            f'<li><a href="/{html.escape(i)}/">{html.escape(i)}</a></li>' for i in lessons
        )
        body = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            "<title>lessonc serve</title></head><body><h1>lessonc serve</h1>"
            f"<ul>{items or '<li>No lesson has built yet.</li>'}</ul></body></html>"
        )
        self._send(inject_reload(body.encode(), status["build"]), "text/html; charset=utf-8")


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
        handler = type("Handler", (_Handler,), {"state": self.state})
        self._http = ThreadingHTTPServer(
            ("127.0.0.1", port), functools.partial(handler, directory=str(out_root))
        )
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
        from lessonc.pipeline import build

        started = time.perf_counter()
        # force: a change to an image or a template must show even when the
        # lesson source itself is unchanged.
        report = build(self.paths, self.out_root, self.formats, self.options,
                       epoch_from_sources=True, force=True)  # fmt: skip
        diagnostics = report.all_diagnostics
        with self.state.lock:
            self.state.build += 1
            self.state.ok = report.ok
            self.state.diagnostics = diagnostics
            built = [r.lesson_id for r in report.results if r.ok and r.lesson_id]
            self.state.lesson_ids = list(dict.fromkeys([*self.state.lesson_ids, *built]))
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
        """Stop answering requests and release the port."""
        self._http.shutdown()
        self._http.server_close()
