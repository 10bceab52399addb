"""Helpers for the hardening tests: small lessons, folder snapshots, the CLI in a subprocess."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, ROOT

EPOCH = "1700000000"
SMALL = FIXTURES / "pdf" / "minimal.yaml"
FAST_FORMATS = "quiz,html,anki"
ALL_FORMATS = "html,pdf,anki,quiz,gift,qti,scorm12,scorm2004"


def small_lesson(folder: Path, lesson_id: str = "pdf-minimal", variant: str = "") -> Path:
    """A copy of the small fixture lesson (with its image) as ``lesson_id``; ``variant`` changes
    one chapter's text so two variants build to different bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "images").exists():
        shutil.copytree(SMALL.parent / "images", folder / "images")
    text = SMALL.read_text(encoding="utf-8").replace("id: pdf-minimal", f"id: {lesson_id}")
    text = text.replace('"A short summary."', f'"A short summary.{variant}"')
    path = folder / f"{lesson_id}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` by relative path, with its sha256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def cli_env(**extra: str) -> dict[str, str]:
    """The environment for ``python -m lessonc`` in a child: this checkout's sources first."""
    env = dict(os.environ)
    paths = [str(ROOT / "src"), *extra.pop("PYTHONPATH", "").split(os.pathsep)]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    env["SOURCE_DATE_EPOCH"] = EPOCH
    env.pop("GITHUB_ACTIONS", None)
    env.update(extra)
    return env


def lessonc_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "lessonc", *args]


def run_lessonc(
    *args: str, cwd: Path | None = None, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m lessonc ARGS`` in a child process with a time limit."""
    return subprocess.run(
        lessonc_command(*args),
        cwd=cwd,
        env=cli_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
