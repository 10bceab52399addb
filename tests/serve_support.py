"""Helpers for the `lessonc serve` tests: a real server in a child process, raw HTTP requests."""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from conftest import ROOT
from lessonc.scaffold import write_starter
from lessonc.serve import ENDPOINT

TIMEOUT = 30.0


class Served:
    """A `lessonc serve` child on a free port, serving a fresh starter lesson ``served``."""

    def __init__(self, folder: Path, source: Path | None = None) -> None:
        """Serve ``source`` (a course, say) instead of the starter lesson when given."""
        self.lesson = write_starter("served", folder / "content") if source is None else source
        self.out = folder / "out"
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        self.child = subprocess.Popen(
            [sys.executable, "-c", "from lessonc.cli import run; run()",
             "serve", str(self.lesson), "--port", "0", "-o", str(self.out)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        assert self.child.stdout is not None
        self.base = self.child.stdout.readline().strip()
        assert self.base.startswith("http://127.0.0.1:"), self.stop()
        self.port = int(self.base.rstrip("/").rsplit(":", 1)[1])

    def stop(self) -> str:
        """Stop with Ctrl-C as an author would; everything the server printed on stderr."""
        if self.child.poll() is None:
            self.child.send_signal(signal.SIGINT)
        try:
            self.child.wait(timeout=TIMEOUT)
        finally:
            if self.child.poll() is None:
                self.child.kill()
        assert self.child.stderr is not None
        return self.child.stderr.read()


def raw(port: int, request: bytes, *, reset: bool = False) -> tuple[int, dict[str, str], str]:
    """Send ``request`` as it is; the status, headers (lower-case names) and body.

    With ``reset``, the connection is torn down (RST) right after sending, unread.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(request)
        if reset:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return 0, {}, ""
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body.decode()


def get(
    port: int, path: str, host: str | None = None, extra: str = ""
) -> tuple[int, dict[str, str], str]:
    """A GET of ``path`` with ``Host: host`` (this server's by default) and extra header lines."""
    host_line = f"Host: {host or f'127.0.0.1:{port}'}\r\n"
    return raw(port, f"GET {path} HTTP/1.0\r\n{host_line}{extra}\r\n".encode("latin-1"))


def save(path: Path, text: str, condition: Callable[[], bool], what: str) -> None:
    """Save ``text`` until ``condition`` holds (the server's watcher starts just after it
    prints its address, so the first save may come before it watches)."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        path.write_text(text, encoding="utf-8")
        saved = time.monotonic()
        while time.monotonic() < min(saved + 2, deadline):
            if condition():
                return
            time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def status(server: Served) -> dict[str, object]:
    code, _, body = get(server.port, ENDPOINT + "status")
    assert code == 200
    data: dict[str, object] = json.loads(body)
    return data


def _page(server: Served) -> str:
    return get(server.port, "/served/")[2]


def page_of(server: Served) -> str:
    """The served lesson page, as the server sends it."""
    return get(server.port, "/served/")[2]
