"""The build pipeline: outputs land atomically, a failing lesson leaves the last good build alone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import EXAMPLE, FIXTURES
from lessonc.outputs import BuildOptions
from lessonc.pipeline import build, discover

OPTIONS = BuildOptions(source_date_epoch=1_700_000_000)


def copy_example(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "foundation-models.yaml"
    shutil.copy(EXAMPLE, target)
    return target


def test_build_writes_outputs_and_manifest(tmp_path: Path) -> None:
    report = build([EXAMPLE], tmp_path / "out", ["quiz"], OPTIONS)
    assert report.ok, report.all_diagnostics
    folder = tmp_path / "out" / "foundation-models"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["lesson"] == "foundation-models"
    assert manifest["source_date_epoch"] == OPTIONS.source_date_epoch
    for entry in manifest["outputs"]:
        data = (folder / entry["path"]).read_bytes()
        assert entry["size"] == len(data)
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


def test_failed_lesson_keeps_previous_outputs(tmp_path: Path) -> None:
    source = copy_example(tmp_path / "content")
    out = tmp_path / "out"
    assert build([source], out, ["quiz"], OPTIONS).ok
    before = {p.name: p.read_bytes() for p in (out / "foundation-models").iterdir()}
    source.write_text(
        source.read_text(encoding="utf-8").replace(
            "estimated_minutes: 25", "estimated_minutes: lots"
        ),
        encoding="utf-8",
    )
    report = build([source], out, ["quiz"], OPTIONS)
    assert not report.ok
    after = {p.name: p.read_bytes() for p in (out / "foundation-models").iterdir()}
    assert after == before


def test_rebuilding_one_format_keeps_the_others(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build([EXAMPLE], out, ["quiz", "html"], OPTIONS).ok
    assert build([EXAMPLE], out, ["quiz"], OPTIONS).ok
    folder = out / "foundation-models"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert {"html", "quiz"} <= {o["format"] for o in manifest["outputs"]}
    assert (folder / "index.html").is_file()


def test_two_lessons_with_one_id_are_an_error(tmp_path: Path) -> None:
    first = copy_example(tmp_path / "a")
    second = copy_example(tmp_path / "b")
    report = build([first, second], tmp_path / "out", ["quiz"], OPTIONS)
    codes = [d.code for d in report.all_diagnostics]
    assert codes == ["duplicate-lesson"]


def test_same_epoch_gives_identical_manifest(tmp_path: Path) -> None:
    build([EXAMPLE], tmp_path / "one", ["quiz"], OPTIONS)
    build([EXAMPLE], tmp_path / "two", ["quiz"], OPTIONS)
    one = (tmp_path / "one" / "foundation-models" / "manifest.json").read_bytes()
    two = (tmp_path / "two" / "foundation-models" / "manifest.json").read_bytes()
    assert one == two


def test_discover_folders_sorted_and_deduplicated() -> None:
    files, problems = discover([FIXTURES / "errors", FIXTURES / "errors" / "five-mistakes.yaml"])
    assert problems == []
    assert [f.name for f in files] == sorted({f.name for f in files})


def test_an_old_build_left_aside_by_a_kill_is_recovered(tmp_path: Path) -> None:
    source = copy_example(tmp_path / "content")
    out = tmp_path / "out"
    assert build([source], out, ["quiz"], OPTIONS).ok
    before = (out / "foundation-models" / "quiz.json").read_bytes()
    # What SIGKILL between the two renames of a swap leaves: the old build moved aside, no target.
    aside = out / ".foundation-models.old-killed"
    aside.mkdir()
    (out / "foundation-models").rename(aside / "foundation-models")
    source.write_text("id: [broken\n", encoding="utf-8")
    assert not build([source], out, ["quiz"], OPTIONS).ok
    assert (out / "foundation-models" / "quiz.json").read_bytes() == before
    assert not aside.exists()


def test_output_folder_is_as_readable_as_any_new_folder(tmp_path: Path) -> None:
    build([EXAMPLE], tmp_path / "out", ["quiz"], OPTIONS)
    (tmp_path / "plain").mkdir()
    expected = (tmp_path / "plain").stat().st_mode & 0o777
    assert (tmp_path / "out" / "foundation-models").stat().st_mode & 0o777 == expected
