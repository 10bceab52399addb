"""Same source and SOURCE_DATE_EPOCH: byte-identical outputs, wherever and whenever built."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from hardening.support import ALL_FORMATS, run_lessonc, small_lesson, snapshot


def _build_twice(tmp_path: Path, folders: tuple[str, str]) -> list[Path]:
    """Build the same lesson from ``folders`` (relative to tmp_path), from other cwds, 1.1 s apart."""
    builds = []
    for number, folder in enumerate(folders):
        lesson = small_lesson(tmp_path / folder)
        cwd = tmp_path / f"cwd-{number}"
        cwd.mkdir()
        out = tmp_path / f"site-{number}"
        done = run_lessonc("build", str(lesson), "-o", str(out), "--format", ALL_FORMATS, cwd=cwd)
        assert done.returncode == 0, done.stderr
        builds.append(out / "pdf-minimal")
        time.sleep(1.1)  # a clock that leaks into any output now shows
    return builds


def _check_manifest(build: Path) -> None:
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    recorded = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    assert recorded == {p: h for p, h in snapshot(build).items() if p != "manifest.json"}
    assert {o["format"] for o in manifest["outputs"]} == set(ALL_FORMATS.split(","))


@pytest.mark.slow
def test_two_builds_at_different_times_and_cwds_are_identical(tmp_path: Path) -> None:
    first, second = _build_twice(tmp_path, ("lesson", "lesson"))
    files = snapshot(first)
    assert {".html", ".pdf", ".apkg", ".json", ".gift", ".zip"} <= {Path(p).suffix for p in files}
    assert files == snapshot(second)
    _check_manifest(first)


@pytest.mark.slow
def test_outputs_do_not_depend_on_the_checkout_folder(tmp_path: Path) -> None:
    first, second = _build_twice(tmp_path, ("a/lesson", "b/deeper/lesson"))
    assert snapshot(first) == snapshot(second)
