"""Every file lessonc reads goes through one gate (:mod:`lessonc.paths`), on every route.

The attacks: a lesson file that is a symlink to a secret (named on the command
line, found in a course folder, listed by a course file, served), a course
file that is such a symlink, a theme file that is one; ``/dev/zero``, a FIFO,
a socket and a huge sparse file as lessons; a symlink planted where
``lessonc templates export`` writes. Each runs in its own ``lessonc`` process
with a time limit, so a regression that reads without end or blocks on a FIFO
fails here instead of hanging the suite. The secret's text must never show.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hardening.support import FAST_FORMATS, cli_env, lessonc_command, run_lessonc, small_lesson
from hardening.test_sandbox import AUDIT_HOOK
from lessonc.serve import ENDPOINT

TIME_LIMIT = 30.0
TOKEN = "sk_live_SECRET_TOKEN_4f1d9c"
"""Shaped as a YAML key: a lesson loader that read the secret would print it in
``unknown key '…'``, as it once printed the first line of /etc/shadow."""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A checkout with a good lesson, and a secret beside it (outside every allowed root)."""
    secrets = tmp_path / "home" / ".secrets"
    secrets.mkdir(parents=True)
    (secrets / "token.yaml").write_text(f"{TOKEN}: 1\n", encoding="utf-8")
    root = tmp_path / "repo"
    small_lesson(root / "content")
    return root


def _secret(repo: Path) -> Path:
    return repo.parent / "home" / ".secrets" / "token.yaml"


def _assert_refused(done: subprocess.CompletedProcess[str], code: str, where: str) -> None:
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert f"{where}: error[{code}]" in output, output
    assert "Traceback" not in output
    assert TOKEN not in output, "the secret's text reached the output"
    assert ".secrets" not in output, "the link's target was named"


# -- symlinks out of the allowed folder, by route -------------------------------------------


@pytest.mark.parametrize("command", ["validate", "lint", "build"])
def test_an_explicit_path_that_links_outside_its_folder_is_refused(
    repo: Path, command: str
) -> None:
    (repo / "content" / "link.yaml").symlink_to(_secret(repo))
    extra = ["-o", "out", "-f", "quiz"] if command == "build" else []
    done = run_lessonc(command, "content/link.yaml", *extra, cwd=repo, timeout=TIME_LIMIT)
    _assert_refused(done, "file-outside", "content/link.yaml:1:1")
    assert not (repo / "out").exists() or not any((repo / "out").iterdir())


def test_an_explicit_link_inside_its_folder_is_read(repo: Path) -> None:
    (repo / "content" / "alias.yaml").symlink_to("pdf-minimal.yaml")
    done = run_lessonc("validate", "content/alias.yaml", cwd=repo, timeout=TIME_LIMIT)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_folder_course_refuses_a_lesson_that_links_outside_it(repo: Path, command: str) -> None:
    (repo / "content" / "evil.yaml").symlink_to(_secret(repo))
    extra = ["-o", "out", "-f", "quiz"] if command == "build" else []
    done = run_lessonc(command, "content", *extra, cwd=repo, timeout=TIME_LIMIT)
    _assert_refused(done, "file-outside", "content/evil.yaml:1:1")
    assert "outside the course folder" in done.stderr


def test_a_course_file_entry_that_links_outside_is_refused(repo: Path) -> None:
    (repo / "content" / "evil.yaml").symlink_to(_secret(repo))
    (repo / "content" / "course.yaml").write_text(
        "title: A course\nchapters:\n  - title: One\n    lessons: [pdf-minimal.yaml, evil.yaml]\n",
        encoding="utf-8",
    )
    done = run_lessonc("validate", "content/course.yaml", cwd=repo, timeout=TIME_LIMIT)
    _assert_refused(done, "course-lesson-missing", "content/course.yaml:4:33")


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_course_file_that_links_outside_is_refused(repo: Path, command: str) -> None:
    (repo / "content" / "course.yaml").symlink_to(_secret(repo))
    extra = ["-o", "out", "-f", "quiz"] if command == "build" else []
    done = run_lessonc(command, "content/course.yaml", *extra, cwd=repo, timeout=TIME_LIMIT)
    _assert_refused(done, "file-outside", "content/course.yaml:1:1")


def test_a_theme_file_that_links_outside_is_refused(repo: Path) -> None:
    theme = repo / "theme" / "html" / "assets"
    theme.mkdir(parents=True)
    (theme / "theme.css").symlink_to(_secret(repo))
    done = run_lessonc(
        "build", "content/pdf-minimal.yaml", "-o", "out", "-f", "html", "--templates", "theme",
        cwd=repo, timeout=TIME_LIMIT,
    )  # fmt: skip
    _assert_refused(done, "file-outside", "theme/html/assets/theme.css:1:1")
    assert "outside the templates folder" in done.stderr


def test_the_secret_is_never_opened_on_any_route(repo: Path, tmp_path: Path) -> None:
    (repo / "content" / "link.yaml").symlink_to(_secret(repo))
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(AUDIT_HOOK, encoding="utf-8")
    log = tmp_path / "audit.jsonl"
    for args in (["validate", "content/link.yaml"], ["validate", "content"]):
        done = run_lessonc(
            *args, cwd=repo, timeout=TIME_LIMIT, PYTHONPATH=str(hook), LESSONC_AUDIT_LOG=str(log)
        )
        assert done.returncode == 1, done.stderr
    opened = [json.loads(line).get("open", "") for line in log.read_text().splitlines()]
    assert any(path.endswith("pdf-minimal.yaml") for path in opened), "the hook saw nothing"
    # By base name, so no spelling of its path (through the link or not) slips by.
    assert not [path for path in opened if os.path.basename(path) == "token.yaml"]


@pytest.fixture
def serve_child(repo: Path) -> Iterator[subprocess.Popen[str]]:
    """``lessonc serve content/link.yaml`` in a child, where link.yaml leads to the secret."""
    (repo / "content" / "link.yaml").symlink_to(_secret(repo))
    child = subprocess.Popen(
        lessonc_command("serve", "content/link.yaml", "--port", "0", "-o", "out"),
        cwd=repo, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        yield child
    finally:
        child.kill()
        child.wait(timeout=TIME_LIMIT)


@pytest.mark.slow
def test_serve_refuses_a_lesson_that_links_outside(serve_child: subprocess.Popen[str]) -> None:
    import urllib.request

    assert serve_child.stdout is not None
    base = serve_child.stdout.readline().strip()
    assert base.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(base + ENDPOINT.lstrip("/") + "status", timeout=5) as response:
        status = json.loads(response.read().decode("utf-8"))
    assert status["ok"] is False
    texts = [d["text"] for d in status["diagnostics"]]
    assert any("content/link.yaml:1:1: error[file-outside]" in t for t in texts), texts
    assert TOKEN not in json.dumps(status)


# -- what is not a regular file, and what is too large ---------------------------------------


def _fifo(folder: Path) -> Path:
    path = folder / "fifo.yaml"
    os.mkfifo(path)
    return path


@contextlib.contextmanager
def _socket(folder: Path) -> Iterator[Path]:
    path = folder / "socket.yaml"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        yield path
    finally:
        server.close()


@pytest.mark.parametrize("command", ["validate", "build"])
def test_dev_zero_is_refused_before_it_is_read(tmp_path: Path, command: str) -> None:
    extra = ["-o", str(tmp_path / "out"), "-f", "quiz"] if command == "build" else []
    started = time.monotonic()
    done = run_lessonc(command, "/dev/zero", *extra, timeout=TIME_LIMIT)
    assert "/dev/zero:1:1: error[source-unreadable]" in done.stderr
    assert "character device" in done.stderr
    assert done.returncode == 1
    assert time.monotonic() - started < TIME_LIMIT


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_fifo_is_refused_without_blocking(tmp_path: Path, command: str) -> None:
    fifo = _fifo(tmp_path)
    extra = ["-o", str(tmp_path / "out"), "-f", "quiz"] if command == "build" else []
    done = run_lessonc(command, str(fifo), *extra, timeout=TIME_LIMIT)  # a hang raises here
    assert done.returncode == 1
    assert "error[source-unreadable]: cannot read it: it is a FIFO" in done.stderr


def test_a_fifo_and_a_link_to_a_device_in_a_course_folder_are_reported(repo: Path) -> None:
    _fifo(repo / "content")
    (repo / "content" / "zero.yaml").symlink_to("/dev/zero")
    done = run_lessonc("validate", "content", cwd=repo, timeout=TIME_LIMIT)
    assert done.returncode == 1
    assert "content/fifo.yaml:1:1: error[source-unreadable]" in done.stderr
    # /dev/zero is outside the course folder: refused for that before its kind matters.
    assert "content/zero.yaml:1:1: error[file-outside]" in done.stderr


def test_a_fifo_theme_file_is_refused_without_blocking(repo: Path) -> None:
    theme = repo / "theme" / "html" / "assets"
    theme.mkdir(parents=True)
    os.mkfifo(theme / "theme.css")
    done = run_lessonc(
        "build", "content/pdf-minimal.yaml", "-o", "out", "-f", "html", "--templates", "theme",
        cwd=repo, timeout=TIME_LIMIT,
    )  # fmt: skip
    assert done.returncode == 1
    assert "theme/html/assets/theme.css:1:1: error[source-unreadable]" in done.stderr


def test_a_socket_is_refused(tmp_path: Path) -> None:
    with _socket(tmp_path) as path:
        done = run_lessonc("validate", str(path), timeout=TIME_LIMIT)
        assert done.returncode == 1
        assert "error[source-unreadable]: cannot read it: it is a socket" in done.stderr


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path, command: str) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as handle:
        handle.truncate(8 * 1024**3)  # sparse: 8 GiB that take no disk
    extra = ["-o", str(tmp_path / "out"), "-f", FAST_FORMATS] if command == "build" else []
    started = time.monotonic()
    done = run_lessonc(command, str(huge), *extra, timeout=TIME_LIMIT)
    assert done.returncode == 1
    assert "error[source-too-large]: the file is 8,589,934,592 bytes" in done.stderr
    assert time.monotonic() - started < 10, "the file was read (or hashed) before refusing it"


# -- templates export never writes through a symlink ----------------------------------------


def test_templates_export_refuses_a_dangling_symlink_in_the_destination(tmp_path: Path) -> None:
    theme = tmp_path / "theme" / "html"
    theme.mkdir(parents=True)
    victim = tmp_path / "home" / ".bashrc"
    victim.parent.mkdir()
    (theme / "lesson.html.j2").symlink_to(victim)  # dangling: the victim does not exist yet
    for force in ([], ["--force"]):
        done = run_lessonc("templates", "export", str(tmp_path / "theme"), *force)
        assert done.returncode == 2
        assert "is a symlink; not writing through it" in done.stderr
        assert not victim.exists(), "export wrote through the dangling symlink"
    assert [p.name for p in theme.iterdir()] == ["lesson.html.j2"], "export wrote something"


def test_templates_export_refuses_a_symlinked_folder_in_the_destination(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "theme").mkdir()
    (tmp_path / "theme" / "html").symlink_to(elsewhere)
    done = run_lessonc("templates", "export", str(tmp_path / "theme"), "--force")
    assert done.returncode == 2
    assert "theme/html is a symlink" in done.stderr
    assert not any(elsewhere.iterdir())


def test_templates_export_overwrites_only_with_force(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    mine = theme / "html" / "lesson.html.j2"
    mine.parent.mkdir(parents=True)
    mine.write_text("mine", encoding="utf-8")
    done = run_lessonc("templates", "export", str(theme))
    assert done.returncode == 2
    assert "exist already" in done.stderr and "--force" in done.stderr
    assert mine.read_text(encoding="utf-8") == "mine"
    assert not (theme / "html" / "base.html.j2").exists(), "nothing is written when one exists"
    done = run_lessonc("templates", "export", str(theme), "--force")
    assert done.returncode == 0, done.stderr
    assert "{% extends" in mine.read_text(encoding="utf-8")
    assert not list(theme.rglob("*.tmp"))
