"""course-quiz.json: every lesson's quiz in one file, its images found from where it lies."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from conftest import FIXTURES
from lessonc.course.build_run import build
from lessonc.outputs import BuildOptions

OPTIONS = BuildOptions(source_date_epoch=1_700_000_000)
_SRC = re.compile(r'<img\b[^>]*\ssrc="([^"]*)"')


def _image_sources(document: object) -> list[str]:
    found: list[str] = []
    if isinstance(document, dict):
        for value in document.values():
            found += _image_sources(value)
    elif isinstance(document, list):
        for value in document:
            found += _image_sources(value)
    elif isinstance(document, str):
        found += _SRC.findall(document)
    return found


def test_the_images_of_the_course_quiz_resolve_from_the_course_folder(tmp_path: Path) -> None:
    lessons = tmp_path / "lessons"
    shutil.copytree(FIXTURES / "richtext", lessons)
    out = tmp_path / "out"
    report = build([lessons], out, ["quiz"], OPTIONS)
    assert report.ok, report.all_diagnostics
    course = json.loads((out / "course-quiz.json").read_text("utf-8"))
    [lesson] = course["lessons"]
    sources = _image_sources(course)
    assert sources, "the fixture's practice shows an image"
    for source in sources:
        assert source.startswith(f"{lesson['lesson']['id']}/media/")
        assert (out / source).is_file()
    # The lesson's own quiz.json names the same files from its folder.
    own = json.loads((out / lesson["lesson"]["id"] / "quiz.json").read_text("utf-8"))
    assert [f"{lesson['lesson']['id']}/{s}" for s in _image_sources(own)] == sources
    # Apart from where the images are found, the documents are the same.
    assert (
        json.loads(json.dumps(own).replace('src=\\"media/', f'src=\\"{own["lesson"]["id"]}/media/'))
        == lesson
    )
