"""`lessonc serve`: a real server in a child process rebuilds on a real save and reports errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import ROOT
from lessonc.scaffold import write_starter
from lessonc.serve import ENDPOINT, inject_reload

TIMEOUT = 30.0

pytestmark = pytest.mark.slow


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _status(base: str) -> dict[str, object]:
    code, body = _get(base + ENDPOINT.lstrip("/") + "status")
    assert code == 200
    data: dict[str, object] = json.loads(body)
    return data


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, Path, subprocess.Popen[str]]]:
    """A `lessonc serve` child on a free port, serving a fresh starter lesson."""
    lesson = write_starter("served", tmp_path / "content")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    child = subprocess.Popen(
        [sys.executable, "-c", "from lessonc.cli import run; run()",
         "serve", str(lesson), "--port", "0", "-o", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        base = child.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:"), child.stderr.read() if child.stderr else ""
        yield base, lesson, out, child
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=TIMEOUT)


def test_serves_rebuilds_on_save_and_reports_errors(
    served: tuple[str, Path, Path, subprocess.Popen[str]],
) -> None:
    base, lesson, out, child = served
    code, page = _get(base)  # follows the redirect to the only lesson
    assert code == 200
    assert "<title>Served · " in page
    assert f'src="{ENDPOINT}reload.js"' in page
    written = (out / "served" / "index.html").read_text(encoding="utf-8")
    assert ENDPOINT not in written, "the reload script must not reach the build files"
    first = _status(base)
    assert first["ok"] is True

    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace('title: "Served"', 'title: "Edited while serving"'), "utf-8")
    _until(lambda: "<title>Edited while serving" in _get(base + "served/")[1], "the new title")
    assert _status(base)["build"] != first["build"]

    broken = text.replace("estimated_minutes: 20", "estimated_minutes: twenty")
    lesson.write_text(broken, "utf-8")
    _until(lambda: _status(base)["ok"] is False, "the failed build in the status")
    diagnostics = _status(base)["diagnostics"]
    assert isinstance(diagnostics, list)
    line = broken.splitlines().index("estimated_minutes: twenty") + 1
    assert any(f"served.yaml:{line}:20: error[" in d["text"] for d in diagnostics)
    # The last good build stays served under the overlay.
    assert "<title>Edited while serving" in _get(base + "served/")[1]
    code, script = _get(base + ENDPOINT.lstrip("/") + "status.js")
    assert script.startswith("window.__lessoncStatus(")

    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=TIMEOUT) == 0
    assert child.stderr is not None
    stderr = child.stderr.read()
    assert f"served.yaml:{line}:20: error[" in stderr
    assert "stopped" in stderr


def test_reload_script_goes_before_the_end_of_body() -> None:
    page = inject_reload(b"<html><body><p>x</p></BODY></html>", 7)
    assert page.endswith(b'data-build="7" defer></script>\n</BODY></html>')
    assert inject_reload(b"<p>bare</p>", 1).startswith(b"<p>bare</p><script")
