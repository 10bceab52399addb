"""The course's SCORM packages: one SCO per lesson in course order, each its lesson's own page."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import FIXTURES
from lessonc.course.build_run import build
from lessonc.outputs import BuildOptions

COURSE = FIXTURES / "course"
ORDER = ["what-is-learning", "data-and-labels", "linear-models", "attention", "foundation-models"]
FORMATS = ["html", "scorm12", "scorm2004"]


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """The fixture course with a course pass mark of 60 and one lesson that sets 90."""
    folder = tmp_path / "course"
    shutil.copytree(COURSE, folder)
    course_file = folder / "course.yaml"
    course_file.write_text(
        course_file.read_text(encoding="utf-8") + "scorm: {pass_percent: 60}\n", encoding="utf-8"
    )
    lesson = folder / "lessons" / "attention.yaml"
    lesson.write_text(
        lesson.read_text(encoding="utf-8") + "scorm: {pass_percent: 90}\n", encoding="utf-8"
    )
    return folder


def _build(course: Path, out: Path, epoch: int = 1_700_000_000) -> None:
    report = build([course], out, FORMATS, BuildOptions(source_date_epoch=epoch))
    assert report.ok, [d.format_text() for d in report.all_diagnostics if d.is_error]


@pytest.mark.parametrize("version", ["scorm12", "scorm2004"])
def test_one_sco_per_lesson_in_course_order_with_its_own_files(
    course: Path, tmp_path: Path, version: str
) -> None:
    out = tmp_path / "out"
    _build(course, out)
    with zipfile.ZipFile(out / f"course-{version}.zip") as archive:
        names = set(archive.namelist())
        root = etree.fromstring(archive.read("imsmanifest.xml"))
        for lesson in ORDER:
            # The lesson's folder in the course package is its own package, unchanged.
            with zipfile.ZipFile(out / lesson / f"{lesson}-{version}.zip") as own:
                for name in set(own.namelist()) - {"imsmanifest.xml"}:
                    assert archive.read(f"{lesson}/{name}") == own.read(name)
    ns = {"cp": root.nsmap[None]}
    items = root.xpath("//cp:organization/cp:item", namespaces=ns)
    assert [item.get("identifierref") for item in items] == [f"resource-{id}" for id in ORDER]
    resources = root.xpath("//cp:resource", namespaces=ns)
    assert [r.get("href") for r in resources] == [f"{id}/index.html" for id in ORDER]
    listed = root.xpath("//cp:resource/cp:file/@href", namespaces=ns)
    assert sorted(listed) == sorted(names - {"imsmanifest.xml"})
    if version == "scorm12":
        marks = [item.findtext("{*}masteryscore") for item in items]
        assert marks == ["60", "60", "60", "90", "60"]
    else:
        marks = [item.findtext(".//{*}minNormalizedMeasure") for item in items]
        assert marks == ["0.60", "0.60", "0.60", "0.90", "0.60"]


def test_the_course_packages_are_reproducible(course: Path, tmp_path: Path) -> None:
    _build(course, tmp_path / "one")
    _build(course, tmp_path / "two")
    for version in ("scorm12", "scorm2004"):
        name = f"course-{version}.zip"
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_the_home_page_offers_the_packages(course: Path, tmp_path: Path) -> None:
    _build(course, tmp_path / "out")
    home = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'href="course-scorm12.zip"' in home and 'href="course-scorm2004.zip"' in home
