"""The course files' writing: pending ones (the course deck) written as their bytes come."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lessonc.course.finish import COURSE_MANIFEST, write_course_outputs
from lessonc.course.outputs import PendingArtifact
from lessonc.output_root import OutputNotOurs
from lessonc.outputs import Artifact


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _first_build(root: Path) -> dict[str, bytes]:
    write_course_outputs(
        root,
        [Artifact("index.html", b"old home"), Artifact("_course/lessons/a.html", b"old a")],
        "key-1",
        pending=[PendingArtifact("course.apkg", lambda: b"old deck")],
    )
    return _files(root)


def test_a_pending_file_is_written_once_the_others_wait_beside_their_places(
    tmp_path: Path,
) -> None:
    _first_build(tmp_path)
    seen: dict[str, bytes] = {}

    def make_deck() -> bytes:
        # The deck's bytes are asked for once the other files are written, not yet in place.
        seen.update(_files(tmp_path))
        return b"new deck"

    written = write_course_outputs(
        tmp_path,
        [Artifact("index.html", b"new home"), Artifact("_course/lessons/a.html", b"new a")],
        "key-2",
        pending=[PendingArtifact("course.apkg", make_deck)],
    )
    assert seen["index.html"] == b"old home" and seen[".index.html.new"] == b"new home"
    assert seen["_course/lessons/.a.html.new"] == b"new a"
    assert written == ["_course/lessons/a.html", "course.apkg", "index.html"]
    files = _files(tmp_path)
    assert files.pop(COURSE_MANIFEST)
    assert files == {
        "index.html": b"new home", "_course/lessons/a.html": b"new a", "course.apkg": b"new deck"
    }  # fmt: skip
    manifest = json.loads((tmp_path / COURSE_MANIFEST).read_text(encoding="utf-8"))
    assert manifest["cache"] == "key-2"
    assert {entry["path"]: entry["size"] for entry in manifest["outputs"]}["course.apkg"] == 8


def test_a_pending_file_that_cannot_be_made_leaves_every_course_file_as_it_was(
    tmp_path: Path,
) -> None:
    before = _first_build(tmp_path)

    def failing_deck() -> bytes:
        raise RuntimeError("the deck's process failed, and so did making it here")

    with pytest.raises(RuntimeError):
        write_course_outputs(
            tmp_path,
            [Artifact("index.html", b"new home"), Artifact("_course/lessons/b.html", b"new b")],
            "key-2",
            pending=[PendingArtifact("course.apkg", failing_deck)],
        )
    assert _files(tmp_path) == before  # no file replaced, none left half-way
    assert not (tmp_path / "_course" / "lessons" / "b.html").exists()


def test_a_pending_file_takes_over_only_a_file_of_its_very_bytes(tmp_path: Path) -> None:
    # No course manifest: a file already where the deck goes is ours only if it holds the
    # very bytes this build makes, so those are waited for before anything is written.
    (tmp_path / "course.apkg").write_bytes(b"same deck")
    write_course_outputs(
        tmp_path,
        [Artifact("index.html", b"home")],
        "key",
        pending=[PendingArtifact("course.apkg", lambda: b"same deck")],
    )
    assert (tmp_path / "index.html").read_bytes() == b"home"

    other = tmp_path / "other"
    other.mkdir()
    (other / "course.apkg").write_bytes(b"the user's own deck")
    with pytest.raises(OutputNotOurs):
        write_course_outputs(
            other,
            [Artifact("index.html", b"home")],
            "key",
            pending=[PendingArtifact("course.apkg", lambda: b"our deck")],
        )
    assert _files(other) == {"course.apkg": b"the user's own deck"}


def test_files_the_build_no_longer_makes_go_with_the_folders_they_leave_empty(
    tmp_path: Path,
) -> None:
    # An older lessonc wrote a navigation page a lesson, under _course/lessons/.
    _first_build(tmp_path)
    (tmp_path / "_course" / "notes.txt").write_bytes(b"the user's own file")
    written = write_course_outputs(
        tmp_path,
        [Artifact("index.html", b"new home"), Artifact("_course/lessons.html", b"all places")],
        "key-2",
    )
    assert written == ["_course/lessons.html", "index.html"]
    assert not (tmp_path / "_course" / "lessons").exists()
    assert not (tmp_path / "course.apkg").exists()
    # The folder above still holds a file: it stays, with that file.
    assert (tmp_path / "_course" / "notes.txt").read_bytes() == b"the user's own file"
