"""Teacher notes reach the teacher edition of the handout and nothing else.

The richtext fixture's lesson-level and last chapter's teacher notes each hold a marker.
It is built in every format, alone and as a course in the teacher edition, and every file
written is searched for the markers: zips are opened (pages, SCORM and QTI packages), the
decks imported into a collection with Anki, handouts read back with pdftotext.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from lessonc import i18n
from lessonc.editions import has_teacher_notes, student_view
from lessonc.pipeline import load_lesson
from outputs.anki_support import fresh_collection

LESSON_DIR = FIXTURES / "richtext"
MARKERS = ("TEACHER-LESSON-NOTE-5c9a", "TEACHER-CHAPTER-NOTE-b7e2")
FORMATS = "html,pdf,anki,quiz,gift,qti,scorm12,scorm2004,audio"
TEACHER_FILES = {"handout-teacher.pdf", "course-teacher.pdf"}
EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}


def _pdf_text(data: bytes, first_page: bool = False) -> str:
    pages = ["-f", "1", "-l", "1"] if first_page else []
    done = subprocess.run(
        ["pdftotext", *pages, "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def _letters(text: str) -> str:
    """Text without joiners and direction marks, which pdftotext drops or adds."""
    return re.sub("[\u200c\u200d\u202a-\u202e\u2066-\u2069]", "", text)


def _deck_text(data: bytes, scratch: Path) -> str:
    """Everything an .apkg puts into a collection: imported with Anki, then the collection's
    database and media read as they are on disk."""
    scratch.mkdir(parents=True)
    package = scratch / "deck.apkg"
    package.write_bytes(data)
    with fresh_collection(scratch, package) as collection:
        media = Path(collection.media.dir())
    stored = [scratch / "collection.anki2", *(sorted(media.iterdir()) if media.is_dir() else [])]
    return "\n".join(path.read_bytes().decode("utf-8", "replace") for path in stored)


def _texts(name: str, data: bytes, scratch: Path) -> list[str]:
    """The text of one output file as a reader could find it; a zip's members each in turn."""
    if name.endswith(".apkg"):
        return [_deck_text(data, scratch)]
    if name.endswith(".pdf"):
        return [_pdf_text(data), data.decode("latin-1")]
    if name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [
                text
                for index, member in enumerate(archive.namelist())
                for text in _texts(member, archive.read(member), scratch / f"{index}")
            ]
    return [data.decode("utf-8", "replace")]


def _leaks(root: Path, scratch: Path) -> dict[str, list[str]]:
    """Each output file under ``root`` (but the teacher editions) that holds a marker."""
    found: dict[str, list[str]] = {}
    for index, path in enumerate(sorted(p for p in root.rglob("*") if p.is_file())):
        if path.name in TEACHER_FILES:
            continue
        texts = _texts(path.name, path.read_bytes(), scratch / str(index))
        held = [marker for marker in MARKERS if any(marker in text for text in texts)]
        if held:
            found[str(path.relative_to(root))] = held
    return found


def test_the_student_view_has_no_teacher_notes() -> None:
    lesson = load_lesson(LESSON_DIR / "lesson.yaml").lesson
    assert has_teacher_notes(lesson)
    students = student_view(lesson)
    assert not has_teacher_notes(students)
    assert all(marker not in students.model_dump_json() for marker in MARKERS)
    assert students.chapters[-1].text == lesson.chapters[-1].text  # the rest is untouched


@pytest.mark.anki
@pytest.mark.slow
def test_a_student_build_holds_no_teacher_note_in_any_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli(
        ["build", str(LESSON_DIR / "lesson.yaml"), "-o", str(out), "-f", FORMATS], env=EPOCH
    )
    assert result.exit_code == 0, result.stderr
    built = out / "richtext-fixture"
    assert not (built / "handout-teacher.pdf").exists()
    assert _leaks(out, tmp_path / "scratch") == {}


@pytest.mark.anki
@pytest.mark.slow
def test_a_teacher_course_build_prints_them_only_in_the_teacher_handouts(tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(LESSON_DIR, course)
    out = tmp_path / "out"
    result = run_cli(
        ["build", str(course), "-o", str(out), "-f", FORMATS, "--edition", "teacher"], env=EPOCH
    )
    assert result.exit_code == 0, result.stderr
    assert _leaks(out, tmp_path / "scratch") == {}
    for teacher in (out / "richtext-fixture" / "handout-teacher.pdf", out / "course-teacher.pdf"):
        text = _pdf_text(teacher.read_bytes())
        assert all(marker in text for marker in MARKERS), teacher.name
    # Each says on its first page which edition it is; the students' handbook does not.
    words = i18n.for_language(load_lesson(LESSON_DIR / "lesson.yaml").lesson.language)
    edition = _letters(words.text("teacher_edition"))
    assert edition in _letters(_pdf_text((out / "course-teacher.pdf").read_bytes(), True))
    assert edition not in _letters(_pdf_text((out / "course.pdf").read_bytes()))
    # The teacher handout is recorded like any output, so the next build keeps or replaces it.
    manifest = (out / "richtext-fixture" / "manifest.json").read_text(encoding="utf-8")
    assert '"path": "handout-teacher.pdf"' in manifest
    assert '"path": "course-teacher.pdf"' in (out / "course-manifest.json").read_text("utf-8")
