"""The HTTP side of ``lessonc serve``: answers only its own pages, only to this machine's browser.

The preview holds unpublished lesson text and, in the status channel, every
diagnostic with the source it quotes. Any web page the author visits can make
the browser send requests to 127.0.0.1, and a DNS-rebinding name can make that
page same-origin with the preview. So every request is checked before anything
is read: the ``Host`` must be this server's own (127.0.0.1:PORT or
localhost:PORT), a foreign ``Origin`` or a cross-site ``Sec-Fetch-Site`` is
refused, and the path must be plain (no NUL, ``..``, bad percent-encoding).

The status reaches the page over Server-Sent Events (``lessonc.serve_page``
says how the page script reaches them under the page's own policy).
"""

from __future__ import annotations

import html
import json
import mimetypes
import os
import re
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from lessonc.diagnostics import Diagnostic, sort_key
from lessonc.serve_page import (
    ENDPOINT,
    PAGE_CSP,
    RELOAD_SCRIPT,
    WORKER_CSP,
    WORKER_SCRIPT,
    inject_reload,
    page_policy,
)

KEEPALIVE_SECONDS = 15.0
"""An idle event stream sends a comment this often, so a closed tab ends its thread."""
MAX_TARGET = 2048
"""Longer request paths are refused: no page of a build has a path near this long."""

SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
)


@dataclass
class BuildState:
    """The outcome of the latest build, shared by the watcher and the HTTP threads."""

    build: int = 0
    ok: bool = False
    lesson_ids: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    closing: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self.lock)

    def snapshot(self) -> dict[str, Any]:
        """The status as JSON data: build number, ok, and each diagnostic with its text."""
        with self.lock:
            return self._snapshot()

    def _snapshot(self) -> dict[str, Any]:
        return {
            "build": self.build,
            "ok": self.ok,
            "lessons": list(self.lesson_ids),
            "diagnostics": [
                {**d.to_json(), "text": d.format_text()}
                for d in sorted(self.diagnostics, key=sort_key)
            ],
        }

    def next_snapshot(self, seen: int, timeout: float) -> dict[str, Any] | None:
        """The status once its build differs from ``seen``; None on timeout or when closing."""
        with self.changed:
            self.changed.wait_for(lambda: self.build != seen or self.closing, timeout)
            if self.closing or self.build == seen:
                return None
            return self._snapshot()

    def close(self) -> None:
        """End every open event stream."""
        with self.changed:
            self.closing = True
            self.changed.notify_all()


class BadRequest(ValueError):
    """A request path lessonc serve refuses to look up (answered 400)."""


_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def request_segments(target: str) -> tuple[list[str], bool]:
    """The decoded path segments of a request target, and whether it ends with a slash.

    Raises BadRequest for anything a browser following the build's own links
    never asks for: NUL and other control characters, ``..`` and ``.``
    segments, backslashes, invalid percent-encoding or UTF-8, over-long paths.
    """
    if len(target) > MAX_TARGET:
        raise BadRequest(f"path longer than {MAX_TARGET} characters")
    if not target.startswith("/"):
        raise BadRequest("not a path")
    # Not urlsplit: it would read "//host/x" as a host and a path.
    path = target.split("?", 1)[0].split("#", 1)[0]
    if _BAD_PERCENT.search(path):
        raise BadRequest("invalid percent-encoding")
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        raise BadRequest("path is not UTF-8") from None
    if _CONTROL.search(decoded):
        raise BadRequest("NUL or control character in the path")
    if "\\" in decoded:
        raise BadRequest("backslash in the path")
    segments = [s for s in decoded.split("/") if s]
    if any(s in (".", "..") for s in segments):
        raise BadRequest("'.' or '..' in the path")
    return segments, decoded.endswith("/")


class PreviewServer(ThreadingHTTPServer):
    """Serves ``root`` to this machine's browser, with the build status from ``state``."""

    # SO_REUSEPORT would let a second process take over a port this one listens on.
    allow_reuse_port = False
    daemon_threads = True

    def __init__(
        self, port: int, root: Path, state: BuildState, log: Callable[[str], None]
    ) -> None:
        self.root = root.resolve()
        self.state = state
        self.log = log
        super().__init__(("127.0.0.1", port), PreviewHandler)
        real = self.server_address[1]
        # Browsers leave out the port when it is HTTP's default.
        suffixes = (f":{real}", "") if real == 80 else (f":{real}",)
        self.hosts = frozenset(
            f"{name}{end}" for name in ("127.0.0.1", "localhost") for end in suffixes
        )
        self.origins = frozenset(f"http://{host}" for host in self.hosts)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return  # the browser closed a tab or cancelled a request: nothing to say
        if os.environ.get("LESSONC_DEBUG"):
            traceback.print_exc()
        self.log(f"lessonc serve: could not answer a request: {type(error).__name__}: {error!a}")


class PreviewHandler(BaseHTTPRequestHandler):
    """One request: checked first, then a page, a build file, or the status channel."""

    server: PreviewServer
    _policy: str | None = PAGE_CSP  # a page's own; the worker's; none for a PDF
    _head = False

    def version_string(self) -> str:
        return "lessonc"  # no Python version for anyone who asks

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a line per request would bury the build results in the terminal

    def log_error(self, format: str, *args: Any) -> None:
        # Called by send_error for requests the base class cannot parse.
        text = ascii(format % args)[1:-1][:300]
        self.server.log(f"lessonc serve: refused a request from {self.client_address[0]}: {text}")

    def end_headers(self) -> None:
        for name, value in SECURITY_HEADERS:
            self.send_header(name, value)
        if self._policy:
            self.send_header("Content-Security-Policy", self._policy)
        super().end_headers()

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _refuse(self, status: HTTPStatus, reason: str) -> None:
        shown = ascii(self.path[:200])
        self.server.log(
            f"lessonc serve: {status.value} {status.phrase} for {shown}"
            f" from {self.client_address[0]}: {reason}"
        )
        self._send(f"{status.value} {status.phrase}\n".encode(), "text/plain", status)

    def _send(
        self,
        body: bytes,
        content_type: str,
        status: HTTPStatus = HTTPStatus.OK,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if not self._head:
            self.wfile.write(body)

    def _not_found(self) -> None:
        self._send(b"404 Not Found\n", "text/plain", HTTPStatus.NOT_FOUND)

    def _answer(self, head: bool) -> None:
        self._head = head
        self._policy = PAGE_CSP
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1 or hosts[0].lower() not in self.server.hosts:
            self._refuse(HTTPStatus.MISDIRECTED_REQUEST, f"Host {ascii(hosts)[:100]}")
            return
        origin = self.headers.get("Origin")
        if origin is not None and origin not in self.server.origins:
            self._refuse(HTTPStatus.FORBIDDEN, f"request from another origin, {origin!a}")
            return
        try:
            segments, slash = request_segments(self.path)
        except BadRequest as error:
            self._refuse(HTTPStatus.BAD_REQUEST, str(error))
            return
        if segments[:1] == [ENDPOINT.strip("/")]:
            self._endpoint("/".join(segments[1:]))
        elif not segments:
            self._home()
        elif any(segment.startswith(".") for segment in segments):
            self._not_found()  # hidden, like the builds swapped aside: `.<id>.new-…`
        else:
            self._file(segments, slash)

    def _endpoint(self, name: str) -> None:
        site = self.headers.get("Sec-Fetch-Site")
        if site not in (None, "same-origin", "none"):
            # Another port of 127.0.0.1 is "same-site": still another origin.
            self._refuse(HTTPStatus.FORBIDDEN, f"status asked from a {site!a} page")
            return
        if name == "reload.js":
            self._send(RELOAD_SCRIPT.encode(), "text/javascript; charset=utf-8")
        elif name == "events-worker.js":
            self._policy = WORKER_CSP
            self._send(WORKER_SCRIPT.encode(), "text/javascript; charset=utf-8")
        elif name == "status":
            body = json.dumps(self.server.state.snapshot()).encode()
            self._send(body, "application/json")
        elif name == "events":
            self._events()
        else:
            self._not_found()

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.end_headers()
        if self._head:
            return
        state = self.server.state
        status: dict[str, Any] | None = state.snapshot()
        seen = -1
        self.wfile.write(b"retry: 1000\n\n")
        while not state.closing:
            if status is None:
                self.wfile.write(b": keep-alive\n\n")
            else:
                self.wfile.write(f"data: {json.dumps(status)}\n\n".encode())
                seen = status["build"]
            self.wfile.flush()
            status = state.next_snapshot(seen, KEEPALIVE_SECONDS)

    def _file(self, segments: list[str], slash: bool) -> None:
        try:
            self._lookup(segments, slash)
        except ConnectionError:
            raise
        except OSError:
            # A name too long for the file system, or a file a rebuild just swapped
            # away: files are read whole before the headers, so nothing was sent yet.
            self._not_found()

    def _lookup(self, segments: list[str], slash: bool) -> None:
        resolved = self.server.root.joinpath(*segments).resolve()
        if not resolved.is_relative_to(self.server.root):
            self._not_found()  # a symbolic link out of the build folder
        elif resolved.is_dir() and (resolved / "index.html").is_file():
            if slash:
                self._page(resolved / "index.html")
            else:
                # Made from the segments: "//host/" would send the browser elsewhere.
                location = "".join(f"/{quote(segment)}" for segment in segments) + "/"
                self._send(b"", "text/plain", HTTPStatus.MOVED_PERMANENTLY,
                           (("Location", location),))  # fmt: skip
        elif resolved.is_file() and not slash:
            if resolved.suffix == ".html":
                self._page(resolved)
            else:
                kind = mimetypes.guess_type(resolved.name)[0] or "application/octet-stream"
                if kind.startswith("text/") or kind == "application/javascript":
                    kind += "; charset=utf-8"
                if kind == "application/pdf":
                    # Chromium applies a PDF's policy to its own viewer, which
                    # then shows nothing; the handout holds no script anyway.
                    self._policy = None
                self._send(resolved.read_bytes(), kind)
        else:
            self._not_found()  # also a folder without index.html: no listings

    def _page(self, path: Path) -> None:
        page = path.read_bytes()
        self._policy = page_policy(page)
        build = self.server.state.snapshot()["build"]
        self._send(inject_reload(page, build), "text/html; charset=utf-8")

    def _home(self) -> None:
        status = self.server.state.snapshot()
        root = self.server.root
        lessons = [i for i in status["lessons"] if (root / i / "index.html").is_file()]
        if len(lessons) == 1:
            self._send(b"", "text/plain", HTTPStatus.FOUND, (("Location", f"/{lessons[0]}/"),))
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
