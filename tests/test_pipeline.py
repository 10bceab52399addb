"""The build pipeline: outputs land atomically, a failing lesson leaves the last good build alone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLE, FIXTURES, run_cli
from lessonc.course.build_run import build
from lessonc.course.model import discover
from lessonc.outputs import BuildOptions

OPTIONS = BuildOptions(source_date_epoch=1_700_000_000)
COURSE = FIXTURES / "course"
COURSE_IDS = ("what-is-learning", "data-and-labels", "linear-models", "attention")


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


# --- the output folder: lessonc replaces only what it made --------------------------------

ID_LINE = 11
"""The line of ``id:`` in the example lesson."""


def lesson_with_id(folder: Path, lesson_id: str) -> Path:
    """A copy of the example lesson whose id is ``lesson_id``."""
    source = copy_example(folder)
    text = source.read_text(encoding="utf-8")
    assert text.splitlines()[ID_LINE - 1] == "id: foundation-models"
    source.write_text(text.replace("id: foundation-models", f"id: {lesson_id}", 1), "utf-8")
    return source


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_a_folder_lessonc_did_not_make_is_never_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    source = lesson_with_id(Path("content"), "docs")
    (Path("site") / "docs").mkdir(parents=True)
    (Path("site") / "docs" / "guide.md").write_text("the user's own page\n", encoding="utf-8")
    done = run_cli(["build", str(source), "-o", "site", "-f", "quiz"])
    assert done.exit_code == 1
    assert f"content/foundation-models.yaml:{ID_LINE}:5: error[output-not-ours]:" in done.stderr
    assert "site/docs" in done.stderr and "hint:" in done.stderr
    assert tree(Path("site")) == {"docs/guide.md": b"the user's own page\n"}
    # A file where the folder would go, and a folder holding a manifest.json that is not lessonc's.
    (Path("site") / "docs" / "guide.md").rename(Path("site") / "guide.md")
    (Path("site") / "docs").rmdir()
    (Path("site") / "docs").write_text("a file\n", encoding="utf-8")
    assert run_cli(["build", str(source), "-o", "site", "-f", "quiz"]).exit_code == 1
    assert (Path("site") / "docs").read_text(encoding="utf-8") == "a file\n"
    (Path("site") / "docs").unlink()
    (Path("site") / "docs").mkdir()
    (Path("site") / "docs" / "manifest.json").write_text('{"name": "my web app"}\n', "utf-8")
    report = build([source], Path("site"), ["quiz"], OPTIONS)
    assert [d.code for d in report.all_diagnostics] == ["output-not-ours"]
    assert tree(Path("site") / "docs") == {"manifest.json": b'{"name": "my web app"}\n'}


def test_files_put_into_a_lesson_folder_are_not_deleted(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build([EXAMPLE], out, ["quiz"], OPTIONS).ok
    (out / "foundation-models" / "notes.txt").write_text("mine\n", encoding="utf-8")
    report = build([EXAMPLE], out, ["quiz"], OPTIONS, force=True)
    [problem] = report.all_diagnostics
    assert (problem.code, problem.line) == ("output-not-ours", ID_LINE)
    assert "notes.txt" in problem.message
    assert (out / "foundation-models" / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    (out / "foundation-models" / "notes.txt").unlink()
    assert build([EXAMPLE], out, ["quiz"], OPTIONS, force=True).ok


def test_a_lesson_is_never_written_over_its_own_source_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    source = lesson_with_id(Path("content"), "content")
    before = tree(Path("content"))
    done = run_cli(["build", str(source), "-o", ".", "-f", "quiz"])
    assert done.exit_code == 1
    assert f"content/foundation-models.yaml:{ID_LINE}:5: error[output-not-ours]:" in done.stderr
    assert tree(Path("content")) == before
    # Even when the source folder holds a manifest that looks like lessonc's own.
    manifest = {"lessonc": "0", "lesson": "content", "outputs": []}
    (Path("content") / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    before = tree(Path("content"))
    report = build([source], Path("."), ["quiz"], OPTIONS)
    assert [d.code for d in report.all_diagnostics] == ["output-not-ours"]
    assert tree(Path("content")) == before
    # Nor over a folder that holds the source further down.
    nested = lesson_with_id(Path("course") / "lessons", "course")
    report = build([nested], Path("."), ["quiz"], OPTIONS)
    assert [d.code for d in report.all_diagnostics] == ["output-not-ours"]


def test_output_root_that_is_a_source_folder_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    source = copy_example(Path("content"))
    before = tree(Path("content"))
    for out in ("content", "content/.", str((tmp_path / "content").resolve())):
        done = run_cli(["build", str(source), "-o", out, "-f", "quiz"])
        assert done.exit_code == 2, done.stderr
        assert "Traceback" not in done.stderr and "content" in done.stderr
        assert tree(Path("content")) == before
    done = run_cli(["build", "content", "-o", "content", "-f", "quiz"])  # a course of the folder
    assert done.exit_code == 2, done.stderr
    assert tree(Path("content")) == before


def test_output_beside_or_below_the_sources_is_fine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    source = copy_example(Path("content"))
    assert run_cli(["build", str(source), "-o", "build", "-f", "quiz"]).exit_code == 0
    assert run_cli(["build", "content", "-o", "site", "-f", "quiz"]).exit_code == 0
    assert (Path("site") / "course-quiz.json").is_file()
    monkeypatch.chdir(tmp_path / "content")  # `lessonc build lesson.yaml` where the lesson is
    assert run_cli(["build", "foundation-models.yaml", "-f", "quiz"]).exit_code == 0
    assert (Path("build") / "foundation-models" / "quiz.json").is_file()


def test_course_files_never_overwrite_a_file_lessonc_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("<p>my own home page</p>\n", encoding="utf-8")
    report = build([COURSE], out, ["html", "quiz"], OPTIONS)
    problems = [d for d in report.all_diagnostics if d.is_error]
    assert [d.code for d in problems] == ["output-not-ours"]
    assert "index.html" in problems[0].message
    assert (out / "index.html").read_text(encoding="utf-8") == "<p>my own home page</p>\n"
    # The lesson pages are written, and so are the assets they share (and only those are
    # claimed): the course's own files are not.
    manifest = json.loads((out / "course-manifest.json").read_text(encoding="utf-8"))
    assert manifest["cache"] == ""
    assert manifest["outputs"]
    assert all(o["path"].startswith("_course/assets/") for o in manifest["outputs"])
    assert all((out / lesson_id / "index.html").is_file() for lesson_id in COURSE_IDS)
    (out / "index.html").unlink()
    assert build([COURSE], out, ["html", "quiz"], OPTIONS).ok
    assert (out / "_course" / "reading-order.js").is_file()


def test_a_lesson_that_left_the_course_keeps_files_lessonc_did_not_write(tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(COURSE, course)
    out = tmp_path / "out"
    assert build([course], out, ["quiz"], OPTIONS).ok
    (out / "attention" / "notes.txt").write_text("mine\n", encoding="utf-8")
    (course / "lessons" / "attention.yaml").unlink()
    course_file = course / "course.yaml"
    course_file.write_text(
        course_file.read_text(encoding="utf-8").replace("      - lessons/attention.yaml\n", ""),
        encoding="utf-8",
    )
    report = build([course], out, ["quiz"], OPTIONS)
    assert report.removed == []
    assert [(d.code, d.is_error) for d in report.all_diagnostics] == [("output-not-ours", False)]
    assert (out / "attention" / "notes.txt").read_text(encoding="utf-8") == "mine\n"


def test_links_in_the_output_folder_are_never_written_through(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    assert build([EXAMPLE], elsewhere, ["quiz"], OPTIONS).ok
    before = tree(elsewhere)
    out = tmp_path / "out"
    out.mkdir()
    # A lesson folder that is a link, even to a folder lessonc made, is not replaced.
    (out / "foundation-models").symlink_to(elsewhere / "foundation-models")
    report = build([EXAMPLE], out, ["quiz"], OPTIONS, force=True)
    assert [(d.code, d.line) for d in report.all_diagnostics] == [("output-not-ours", ID_LINE)]
    (out / "foundation-models").unlink()
    # Nor do course files go through a linked _course folder.
    (out / "_course").symlink_to(elsewhere, target_is_directory=True)
    report = build([COURSE], out, ["html"], OPTIONS)
    assert [d.code for d in report.all_diagnostics if d.is_error] == ["output-not-ours"]
    assert tree(elsewhere) == before
