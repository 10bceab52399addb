"""course.pdf read back: front matter, contents page numbers, outline, links, reproducibility, cache."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pypdf import PdfReader

from conftest import FIXTURES
from lessonc.course.build_run import build
from lessonc.course.model import load_course
from lessonc.course.outputs import CourseOutputError, OrderedChapter, ordered_chapters
from lessonc.course.outputs.handbook import COURSE_PDF, HandbookError, course_pdf
from lessonc.course.outputs.summary import summarise
from lessonc.outputs import BuildOptions
from lessonc.pipeline import BuildReport, load_lesson

COURSE = FIXTURES / "course"
EPOCH = 1_700_000_000
OPTIONS = BuildOptions(source_date_epoch=EPOCH)
FORMATS = ["html", "pdf"]
CHAPTERS = ["1. Foundations", "2. Models", "3. Modern Topics"]
LESSONS = [  # (id, number, title) in course order
    ("what-is-learning", "1.1", "What Is Learning?"),
    ("data-and-labels", "1.2", "Data and Labels"),
    ("linear-models", "2.1", "Linear Models"),
    ("attention", "3.2", "Attention"),
    ("foundation-models", "3.10", "Foundation Models"),
]

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def build_course(source: Path, out: Path, formats: list[str] = FORMATS) -> BuildReport:
    report = build([source], out, formats, OPTIONS)
    assert report.ok, report.all_diagnostics
    return report


def page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


@dataclass(frozen=True)
class Built:
    out: Path
    reader: PdfReader
    pages: list[str]
    """Each page's text, as pdftotext lays it out."""
    handout_pages: dict[str, int]
    """Each lesson's own handout's page count."""
    report: BuildReport

    @property
    def front_pages(self) -> int:
        return len(self.pages) - sum(self.handout_pages.values())

    def first_page(self, lesson_id: str) -> int:
        """Where the lesson should start (1-based): the front matter, then earlier handouts."""
        earlier = [i for i, _, _ in LESSONS[: [i for i, _, _ in LESSONS].index(lesson_id)]]
        return self.front_pages + sum(self.handout_pages[i] for i in earlier) + 1


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The fixture course built once with the PDF; its course.pdf read back."""
    out = tmp_path_factory.mktemp("handbook") / "out"
    report = build_course(COURSE / "course.yaml", out)
    path = out / COURSE_PDF
    handout_pages = {
        lesson_id: len(PdfReader(out / lesson_id / "handout.pdf").pages)
        for lesson_id, _, _ in LESSONS
    }
    return Built(out, PdfReader(path), page_texts(path), handout_pages, report)


def outline_entries(reader: PdfReader) -> Iterator[tuple[int, str, int]]:
    """(depth, title, 1-based page) of every outline entry, depth first."""

    def walk(entries: list[Any], depth: int) -> Iterator[tuple[int, str, int]]:
        for entry in entries:
            if isinstance(entry, list):
                yield from walk(entry, depth + 1)
            else:
                page = reader.get_destination_page_number(entry)
                assert page is not None
                yield depth, entry.title, page + 1

    yield from walk(reader.outline, 0)


def test_course_pdf_is_a_course_output(built: Built) -> None:
    assert COURSE_PDF in built.report.course_outputs
    assert (built.out / COURSE_PDF).read_bytes().startswith(b"%PDF-")


def test_page_count_is_front_matter_plus_every_handout(built: Built) -> None:
    assert len(built.reader.pages) == len(built.pages)
    # A title page, then the contents (one page for five lessons).
    assert built.front_pages == 2
    assert "Fixture Course" in built.pages[0]
    assert "A small course for the course tests." in built.pages[0]
    assert "Contents" in built.pages[1]


def test_contents_give_the_page_each_lesson_really_starts_on(built: Built) -> None:
    contents = "\n".join(built.pages[: built.front_pages])
    for chapter in ("Foundations", "Models", "Modern Topics"):
        assert chapter in contents
    for lesson_id, number, title in LESSONS:
        row = re.search(
            rf"{re.escape(number)}\s+{re.escape(title)}\s*\.+\s*(\d+)\s*$", contents, re.M
        )
        assert row is not None, f"no contents row for {number} {title}"
        page = int(row.group(1))
        assert page == built.first_page(lesson_id)
        start = built.pages[page - 1]
        assert title in start and f"Lesson {number}" in start  # the handout's title block
        assert f"Lesson {number}" not in built.pages[page - 2]  # and not the page before


def test_outline_is_course_then_chapters_then_lessons_at_their_pages(built: Built) -> None:
    entries = list(outline_entries(built.reader))
    assert entries[0] == (0, "Fixture Course", 1)
    assert [t for depth, t, _ in entries if depth == 0] == ["Fixture Course"]
    assert [t for depth, t, _ in entries if depth == 1] == CHAPTERS
    lessons = [(t, page) for depth, t, page in entries if depth == 2]
    assert lessons == [
        (f"{number} {title}", built.first_page(lesson_id)) for lesson_id, number, title in LESSONS
    ]
    chapters = {t: page for depth, t, page in entries if depth == 1}
    assert chapters["2. Models"] == built.first_page("linear-models")


def test_each_lesson_keeps_its_own_outline_under_it(built: Built) -> None:
    entries = list(outline_entries(built.reader))
    for index, (lesson_id, number, title) in enumerate(LESSONS):
        at = entries.index((2, f"{number} {title}", built.first_page(lesson_id)))
        own = []
        for depth, entry_title, page in entries[at + 1 :]:
            if depth <= 2:
                break
            own.append(entry_title)
            last_page = built.first_page(lesson_id) + built.handout_pages[lesson_id] - 1
            assert built.first_page(lesson_id) <= page <= last_page, (lesson_id, entry_title)
        assert {"Objectives", "Practice questions", "Answer key"} <= set(own), lesson_id
        assert title not in own  # the handout's title entry is the lesson's entry
        assert index == 0 or own  # every lesson, not only the first


def test_links_lead_into_the_right_lesson(built: Built) -> None:
    """Contents rows lead to the lessons' first pages; each handout's links stay in its pages."""
    destinations = built.reader.named_destinations
    page_of = {
        name: built.reader.get_destination_page_number(d) + 1  # type: ignore[operator]
        for name, d in destinations.items()
    }
    for lesson_id, _, _ in LESSONS:
        assert page_of[f"lesson-{lesson_id}"] == built.first_page(lesson_id)
        assert page_of[f"{lesson_id}/objectives"] == built.first_page(lesson_id)
        last = built.first_page(lesson_id) + built.handout_pages[lesson_id] - 1
        assert page_of[f"{lesson_id}/answer-key"] == last
    linked: list[tuple[int, str]] = []
    for number, page in enumerate(built.reader.pages, 1):
        for annotation in page.get("/Annots", None) or []:
            target = annotation.get_object().get("/Dest")
            if isinstance(target, str):
                assert target in destinations, target
                linked.append((number, target))
    contents_links = {t for n, t in linked if n <= built.front_pages}
    assert contents_links == {f"lesson-{lesson_id}" for lesson_id, _, _ in LESSONS}
    for lesson_id, _, _ in LESSONS:
        first = built.first_page(lesson_id)
        pages = range(first, first + built.handout_pages[lesson_id])
        assert {t.split("/")[0] for n, t in linked if n in pages} == {lesson_id}


def test_metadata_is_stamped_with_the_build_timestamp(built: Built) -> None:
    metadata = built.reader.metadata
    assert metadata is not None
    assert metadata["/Title"] == "Fixture Course"
    assert metadata["/CreationDate"] == metadata["/ModDate"] == "D:20231114221320Z"
    assert built.reader.root_object["/Lang"] == "en"


def test_two_builds_give_identical_bytes(built: Built, tmp_path: Path) -> None:
    build_course(COURSE / "course.yaml", tmp_path / "again")
    assert (tmp_path / "again" / COURSE_PDF).read_bytes() == (built.out / COURSE_PDF).read_bytes()


def test_a_build_with_nothing_changed_does_not_rewrite_it(built: Built) -> None:
    path = built.out / COURSE_PDF
    before = path.stat()
    again = build_course(COURSE / "course.yaml", built.out)
    assert {r.status for r in again.results} == {"skipped"}
    assert again.course_outputs == []
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_build_without_pdf_makes_no_course_pdf(tmp_path: Path) -> None:
    report = build_course(COURSE / "course.yaml", tmp_path / "out", ["html", "quiz"])
    assert "course-quiz.json" in report.course_outputs
    assert not (tmp_path / "out" / COURSE_PDF).exists()


def test_an_edited_lesson_is_merged_with_the_handouts_kept_on_disk(tmp_path: Path) -> None:
    source = tmp_path / "course"
    shutil.copytree(COURSE, source)
    out = tmp_path / "out"
    build_course(source / "course.yaml", out, ["pdf"])
    lesson = source / "lessons" / "linear-models.yaml"
    text = lesson.read_text(encoding="utf-8")
    assert 'title: "Linear Models"' in text
    lesson.write_text(text.replace('title: "Linear Models"', 'title: "Straight Lines"'), "utf-8")
    again = build_course(source / "course.yaml", out, ["pdf"])
    assert [r.status for r in again.results].count("skipped") == len(LESSONS) - 1
    assert COURSE_PDF in again.course_outputs
    pages = page_texts(out / COURSE_PDF)
    assert "2.1 Straight Lines" in re.sub(r"\s+", " ", pages[1])
    counts = [len(PdfReader(out / i / "handout.pdf").pages) for i, _, _ in LESSONS]
    assert len(pages) == 2 + sum(counts)
    assert "Straight Lines" in pages[2 + sum(counts[:2])]


def test_a_course_with_a_failed_lesson_writes_no_course_pdf(tmp_path: Path) -> None:
    source = tmp_path / "course"
    shutil.copytree(COURSE, source)
    broken = source / "lessons" / "foundation-models.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "\nnot_a_key: 1\n", "utf-8")
    report = build([source / "course.yaml"], tmp_path / "out", ["pdf"], OPTIONS)
    assert not report.ok
    assert (tmp_path / "out" / "attention" / "handout.pdf").is_file()  # the others were built
    assert not (tmp_path / "out" / COURSE_PDF).exists()
    assert report.course_outputs == []


def encrypt(pdf: Path) -> None:
    with pikepdf.open(pdf, allow_overwriting_input=True) as readable:
        readable.save(pdf, encryption=pikepdf.Encryption(user="secret", owner="secret"))


def chapters_of(course_file: Path) -> list[OrderedChapter]:
    course = load_course(course_file)
    summaries = {e.path: summarise(load_lesson(e.path), ["pdf"]) for e in course.lessons}
    return ordered_chapters(course, summaries)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        pytest.param(
            lambda pdf: pdf.write_bytes(b"%PDF-1.7\nnot a PDF"), "not a readable PDF", id="damaged"
        ),
        pytest.param(
            lambda pdf: pdf.write_bytes(pdf.read_bytes()[:-2000]),
            "not a readable PDF",
            id="truncated",
        ),
        pytest.param(lambda pdf: pdf.unlink(), "cannot read the handout", id="missing"),
        pytest.param(encrypt, "not a readable PDF", id="encrypted"),
    ],
)
def test_a_handout_damaged_on_disk_is_a_handbook_error(
    built: Built, tmp_path: Path, damage: Callable[[Path], object], message: str
) -> None:
    """Read back, not repaired, and the error is one the build reports as a course file's.

    A build rewrites a lesson whose outputs changed on disk, so only a handout damaged
    after that check reaches the merge: the course PDF is asked for directly.
    """
    out = tmp_path / "out"
    shutil.copytree(built.out, out)
    damage(out / "attention" / "handout.pdf")
    with pytest.raises(HandbookError, match="the handout of 'attention'") as caught:
        course_pdf(
            title="Fixture Course", description=None, language="en",
            chapters=chapters_of(COURSE / "course.yaml"), out_root=out, paper="a4",
            timestamp=EPOCH, template_dirs=[],
        )  # fmt: skip
    assert message in str(caught.value)
    assert str(out) not in str(caught.value)  # the lesson id says which file
    assert isinstance(caught.value, CourseOutputError)  # what the build reports, located


def test_every_named_destination_of_a_handout_is_kept_under_its_lesson(built: Built) -> None:
    """Not only those a link uses: each stays addressable as course.pdf#<lesson id>/<name>."""
    destinations = set(built.reader.named_destinations)
    for lesson_id, _, _ in LESSONS:
        own = set(PdfReader(built.out / lesson_id / "handout.pdf").named_destinations)
        assert {f"{lesson_id}/{name}" for name in own} <= destinations
