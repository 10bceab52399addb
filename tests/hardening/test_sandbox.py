"""Building never opens a network connection and never reads outside the lesson folder.

Each build runs in a child whose ``sitecustomize`` installs an audit hook
(PEP 578): every connection, name lookup and opened file of the child (and of
the PDF fork server it starts) is logged. The hook writes through a descriptor
opened before it was installed, so logging never triggers itself.
"""

from __future__ import annotations

import json
import os
import site
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from hardening.support import ALL_FORMATS, run_lessonc, small_lesson

AUDIT_HOOK = """
import os, sys, json, socket
_fd = os.open(os.environ["LESSONC_AUDIT_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
_NET = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
        "socket.sendto", "socket.sendmsg", "http.client.connect", "urllib.Request", "ftplib.connect",
        "smtplib.connect"}
def _hook(event, args):
    if event in _NET:
        if args and isinstance(args[0], socket.socket) and args[0].family == socket.AF_UNIX:
            return  # multiprocessing talks to its PDF fork server over a Unix socket
        os.write(_fd, (json.dumps({"net": event, "args": repr(args)[:200]}) + "\\n").encode())
        raise PermissionError("network access during a lessonc build")
    if event == "open" and isinstance(args[0], (str, bytes)):
        path = os.fsdecode(args[0])
        os.write(_fd, (json.dumps({"open": os.path.abspath(path)}) + "\\n").encode())
sys.addaudithook(_hook)
"""

LINKS_AND_VIDEOS = """videos:
  - title: "A talk"
    url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
  - title: "Another talk"
    url: "https://vimeo.com/76979871"
  - title: "Plain http"
    url: "http://example.org/video.mp4"
references:
  - title: "On the Opportunities and Risks of Foundation Models"
    url: "https://arxiv.org/abs/2108.07258"
    note: "See [the site](https://example.org/page), <https://example.com> and [mail](mailto:a@example.org)."
"""


def _audited_build(
    tmp_path: Path, lesson: Path, formats: str
) -> tuple[int, str, list[dict[str, str]]]:
    hook_dir = tmp_path / "hook"
    hook_dir.mkdir(exist_ok=True)
    (hook_dir / "sitecustomize.py").write_text(AUDIT_HOOK, encoding="utf-8")
    log = tmp_path / "audit.jsonl"
    log.unlink(missing_ok=True)
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir(exist_ok=True)
    cwd = tmp_path / "cwd"
    cwd.mkdir(exist_ok=True)
    done = run_lessonc(
        "build", str(lesson), "-o", str(tmp_path / "out"), "--format", formats,
        cwd=cwd, PYTHONPATH=str(hook_dir), LESSONC_AUDIT_LOG=str(log), TMPDIR=str(private_tmp),
        LESSONC_CACHE_DIR=str(tmp_path / "cache"),
    )  # fmt: skip
    events = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert any("open" in e for e in events), "the audit hook recorded nothing"
    return done.returncode, done.stderr, events


def _lesson_with_links(folder: Path) -> Path:
    path = small_lesson(folder)
    text = path.read_text(encoding="utf-8").replace(
        '"The diagram is a small square."',
        '"The [diagram](https://example.org/diagram) is small; see https://example.net too."',
    )
    path.write_text(text + LINKS_AND_VIDEOS, encoding="utf-8")
    return path


@pytest.mark.slow
def test_a_lesson_full_of_urls_builds_without_any_connection(tmp_path: Path) -> None:
    lesson = _lesson_with_links(tmp_path / "lesson")
    code, stderr, events = _audited_build(tmp_path, lesson, ALL_FORMATS)
    assert code == 0, stderr
    assert [e for e in events if "net" in e] == []


def test_remote_images_are_refused_without_any_connection(tmp_path: Path) -> None:
    lesson = _lesson_with_links(tmp_path / "lesson")
    text = lesson.read_text(encoding="utf-8").replace(
        '"A stamp is a small square."',
        '"![a](http://127.0.0.1:9/x.png) ![b](https://example.org/y.png)"',
    )
    lesson.write_text(text, encoding="utf-8")
    code, stderr, events = _audited_build(tmp_path, lesson, "html,anki,pdf")
    assert code == 1 and "error[file-outside]" in stderr, stderr
    assert [e for e in events if "net" in e] == []


def _allowed_roots(tmp_path: Path) -> list[Path]:
    """Where a build may open files: Python and its packages, lessonc's own files, the system's
    device/proc/config trees, the build's lesson, output and temporary folders, and the user's
    cache folder (compiled templates, the models' field docstrings)."""
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages()}
    return [
        *(Path(p).resolve() for p in prefixes),
        (ROOT / "src" / "lessonc").resolve(),
        (ROOT / "templates").resolve(),
        *(Path(p) for p in ("/dev", "/proc", "/sys", "/etc", "/usr/share", "/usr/lib", "/lib")),
        *(tmp_path / name for name in ("lesson", "out", "tmp", "hook", "cache")),
    ]


@pytest.mark.slow
def test_a_build_opens_only_its_own_files(tmp_path: Path) -> None:
    lesson = _lesson_with_links(tmp_path / "lesson")
    code, stderr, events = _audited_build(tmp_path, lesson, ALL_FORMATS)
    assert code == 0, stderr
    allowed = _allowed_roots(tmp_path)
    opened = {Path(os.path.normpath(e["open"])) for e in events if "open" in e}
    stray = sorted(
        str(p) for p in opened
        if not any(p == root or p.is_relative_to(root) for root in allowed)
    )  # fmt: skip
    assert stray == []
    lesson_reads = {p for p in opened if p.is_relative_to(tmp_path / "lesson")}
    assert lesson_reads == {lesson, tmp_path / "lesson" / "images" / "diagram.png"}


def test_a_hostile_lesson_never_opens_the_secret(tmp_path: Path) -> None:
    """'..', encoded '..' and symlinks out of the folder: refused before any file is opened."""
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"SECRET")
    (tmp_path / "secret-dir").mkdir()
    (tmp_path / "secret-dir" / "key.png").write_bytes(b"SECRET")
    lesson = small_lesson(tmp_path / "lesson")
    images = tmp_path / "lesson" / "images"
    os.symlink("../../secret.png", images / "link.png")
    os.symlink(secret, images / "absolute-link.png")
    os.symlink("../../secret-dir", images / "dir-link")
    references = (
        "../secret.png", "%2e%2e/secret.png", "%252e%252e/secret.png", "images/link.png",
        "images/absolute-link.png", "images/dir-link/key.png", str(secret), secret.as_uri(),
        f"file://localhost{secret}", "data:image/svg+xml,%3Csvg%20onload=alert(1)%3E",
        "data:text/html;base64,PHNjcmlwdD4=",
    )  # fmt: skip
    hostile = " ".join(f"![x]({ref})" for ref in references)
    text = lesson.read_text(encoding="utf-8").replace(
        '"A stamp is a small square."', json.dumps(hostile)
    )
    lesson.write_text(text, encoding="utf-8")
    code, stderr, events = _audited_build(tmp_path, lesson, "html,anki,pdf")
    # Each reference once, in validation, however many formats were asked for.
    assert code == 1 and stderr.count("error[file-outside]") == len(references), stderr
    opened = {os.path.normpath(e["open"]) for e in events if "open" in e}
    # Only the test's own folder holds the secret (Python's stdlib has a 'secrets' module).
    touched = sorted(p for p in opened if p.startswith(str(tmp_path)) and "secret" in p)
    assert touched == []
