"""Courses: course files and folders, course outputs, the cache, parallel builds, removal."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import FIXTURES, run_cli
from course.course_support import COURSE, copy_course, edit_lesson
from lessonc.course.build_run import build
from lessonc.course.model import InvalidCourse, lesson_number_key, load_course
from lessonc.course.outputs.site import course_language
from lessonc.course.outputs.summary import LessonSummary
from lessonc.outputs import BuildOptions
from lessonc.pipeline import BuildReport
from outputs.anki_support import fresh_collection, import_package

OPTIONS = BuildOptions(source_date_epoch=1_700_000_000)
FORMATS = ["html", "anki", "quiz"]
LESSON_IDS = [
    "what-is-learning", "data-and-labels", "linear-models", "attention", "foundation-models",
]  # fmt: skip


def build_course(source: Path, out: Path, **kwargs: object) -> BuildReport:
    report = build([source], out, FORMATS, OPTIONS, **kwargs)  # type: ignore[arg-type]
    assert report.ok, report.all_diagnostics
    return report


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture course built once (html, anki, quiz) for the read-only tests."""
    out = tmp_path_factory.mktemp("built") / "out"
    build_course(COURSE / "course.yaml", out)
    return out


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.targets.append(value)


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.extend(value for name, value in attrs if name == "id" and value)


def _ids(page: Path) -> list[str]:
    parser = _Ids()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.ids


def test_no_dead_link_in_any_page(built: Path) -> None:
    pages = sorted(built.rglob("*.html"))
    assert len(pages) >= 2 + len(LESSON_IDS)  # home, lesson pages, the navigation page
    checked: set[tuple[str, str]] = set()
    for page in pages:
        assert len(set(_ids(page))) == len(_ids(page)), f"{page} repeats an id"
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for target in parser.targets:
            parts = urlsplit(target)
            if parts.scheme:  # external links
                continue
            resolved = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            assert resolved.is_file(), f"{page.relative_to(built)} links to missing {target}"
            if parts.fragment and resolved.suffix == ".html":
                assert unquote(parts.fragment) in _ids(resolved), f"{page}: no {target}"
            checked.add((str(page.relative_to(built)), target))
    assert len(checked) > 30
    for lesson_id in LESSON_IDS:  # each lesson page's way back into the course
        page = f"{lesson_id}/index.html"
        assert {
            (page, "../index.html"),
            (page, f"../_course/lessons.html#at-{lesson_id}"),
            (page, "../_course/reading-order.js"),
        } <= checked


def test_home_page_lists_chapters_and_lessons_in_course_order(built: Path) -> None:
    home = (built / "index.html").read_text(encoding="utf-8")
    positions = [home.index(f'href="{lesson_id}/index.html"') for lesson_id in LESSON_IDS]
    assert positions == sorted(positions)
    for chapter in ("Foundations", "Models", "Modern Topics"):
        assert chapter in home


def test_home_page_offers_the_course_files_that_were_built(built: Path) -> None:
    home = (built / "index.html").read_text(encoding="utf-8")
    for name in ("course.apkg", "course-quiz.json"):  # resolved by the dead-link test
        assert f'<a href="{name}">' in home
    assert "course.pdf" not in home  # this build has no pdf format


def _place(navigation: str, lesson_id: str) -> str:
    """A lesson's section of the navigation page."""
    start = navigation.index(f'<section class="lesson-place" id="at-{lesson_id}"')
    return navigation[start : navigation.index("</section>", start)]


def test_navigation_page_links_each_lesson_s_previous_and_next(built: Path) -> None:
    navigation = (built / "_course" / "lessons.html").read_text(encoding="utf-8")
    middle = _place(navigation, "linear-models")
    assert 'rel="prev" href="#at-data-and-labels"' in middle
    assert 'rel="next" href="#at-attention"' in middle
    assert 'href="../linear-models/index.html"' in middle
    assert 'href="../index.html#chapter-2"' in middle  # its chapter on the home page
    first = _place(navigation, "what-is-learning")
    assert 'rel="prev"' not in first and 'rel="next" href="#at-data-and-labels"' in first
    assert 'rel="next"' not in _place(navigation, "foundation-models")
    # Every lesson once, in reading order; no page a lesson any more.
    assert re.findall(r'<section class="lesson-place" id="at-([^"]+)"', navigation) == LESSON_IDS
    assert not (built / "_course" / "lessons").exists()


def test_search_index_covers_titles_glossary_and_concepts(built: Path) -> None:
    script = (built / "_course" / "search-index.js").read_text(encoding="utf-8")
    match = re.fullmatch(r"window\.lessoncSearch = (.*);\n", script, flags=re.S)
    assert match is not None
    entries = json.loads(match.group(1))
    assert {e["kind"] for e in entries} == {"lesson", "glossary", "concept"}
    assert {
        "title": "Attention term",
        "href": "attention/index.html#term-attention-term",
    }.items() <= next(e for e in entries if e["title"] == "Attention term").items()
    for entry in entries:
        path = entry["href"].split("#")[0]
        assert (built / path).is_file()


def test_combined_quiz_has_every_lesson(built: Path) -> None:
    quiz = json.loads((built / "course-quiz.json").read_text(encoding="utf-8"))
    assert quiz["course"] == "Fixture Course"
    assert [q["lesson"]["id"] for q in quiz["lessons"]] == LESSON_IDS


def test_combined_quiz_is_written_as_json_dumps_would(built: Path) -> None:
    # Written by pydantic-core for speed; readers and diffs see standard indented JSON,
    # and each lesson's part holds the same data as its own quiz.json.
    text = (built / "course-quiz.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    own = (built / LESSON_IDS[0] / "quiz.json").read_text(encoding="utf-8")
    assert json.loads(own) == data["lessons"][0]


@pytest.mark.anki
def test_course_deck_and_lesson_decks_import_without_duplicates(
    built: Path, tmp_path: Path
) -> None:
    with fresh_collection(tmp_path) as collection:
        added = import_package(collection, built / "course.apkg")["new"]
        assert added == collection.note_count() > 0
        for lesson_id in LESSON_IDS:
            assert import_package(collection, built / lesson_id / "deck.apkg")["new"] == 0
        assert collection.note_count() == added
        names = {d.name for d in collection.decks.all_names_and_ids()}
        assert "Fixture Course::3. Modern Topics::3.10 Foundation Models" in names


def test_second_build_skips_everything_and_an_edit_rebuilds_only_that_lesson(
    tmp_path: Path,
) -> None:
    source = copy_course(tmp_path)
    out = tmp_path / "out"
    build_course(source, out)
    again = build_course(source, out)
    assert {r.status for r in again.results} == {"skipped"}
    assert again.course_outputs == []
    edit_lesson(source, "attention", "a short summary", "a new summary")
    third = build_course(source, out)
    assert [r.lesson_id for r in third.results if r.status == "built"] == ["attention"]
    assert "index.html" in third.course_outputs


def test_changed_or_deleted_output_is_rebuilt(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_course(COURSE, out)
    (out / "attention" / "quiz.json").write_text("{}", encoding="utf-8")
    (out / "linear-models" / "deck.apkg").unlink()
    report = build_course(COURSE, out)
    rebuilt = sorted(r.lesson_id or "" for r in report.results if r.status == "built")
    assert rebuilt == ["attention", "linear-models"]


def test_force_rebuilds_everything(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_course(COURSE, out)
    report = build_course(COURSE, out, force=True)
    assert {r.status for r in report.results} == {"built"}


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_two_jobs_give_the_same_bytes_as_one(tmp_path: Path) -> None:
    build_course(COURSE, tmp_path / "one", jobs=1)
    build_course(COURSE, tmp_path / "two", jobs=2)
    one, two = _tree(tmp_path / "one"), _tree(tmp_path / "two")
    assert one.keys() == two.keys()
    assert [name for name in one if one[name] != two[name]] == []


@pytest.mark.slow
@pytest.mark.parametrize("free", [1.0, 2.0])
def test_two_jobs_on_a_busy_or_a_quiet_machine_give_the_same_bytes_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, free: float
) -> None:
    # One CPU free: the first lesson's process builds them all; two: it forks two workers.
    from lessonc.course import free_cpus

    monkeypatch.setattr(free_cpus.CpuWatch, "free_cpus", lambda _self: free)
    build_course(COURSE, tmp_path / "one", jobs=1)
    report = build_course(COURSE, tmp_path / "two", jobs=2)
    assert {r.status for r in report.results} == {"built"}
    one, two = _tree(tmp_path / "one"), _tree(tmp_path / "two")
    assert one.keys() == two.keys()
    assert [name for name in one if one[name] != two[name]] == []


def test_removed_lesson_loses_its_outputs(tmp_path: Path) -> None:
    source = copy_course(tmp_path)
    out = tmp_path / "out"
    (out / "not-lessonc").mkdir(parents=True)  # no manifest: never touched
    build_course(source, out)
    course_file = source / "course.yaml"
    course_file.write_text(
        course_file.read_text(encoding="utf-8")
        .replace("      - lessons/linear-models.yaml\n", "      - lessons/attention.yaml\n", 1)
        .replace(
            "      - lessons/attention.yaml\n      - lessons/foundation",
            "      - lessons/foundation",
        ),
        encoding="utf-8",
    )
    report = build_course(source, out)
    assert report.removed == ["linear-models"]
    assert not (out / "linear-models").exists()
    assert not (out / "_course" / "lessons" / "linear-models.html").exists()
    assert (out / "not-lessonc").is_dir()
    assert 'href="linear-models/index.html"' not in (out / "index.html").read_text("utf-8")


def test_a_course_build_keeps_a_lesson_built_on_its_own_in_the_same_folder(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    assert build([FIXTURES / "pdf" / "minimal.yaml"], out, ("quiz",), OPTIONS).ok
    report = build_course(COURSE / "course.yaml", out)
    assert report.removed == []  # not a lesson that left the course: it never was in it
    assert (out / "pdf-minimal" / "quiz.json").is_file()


def test_failing_lesson_does_not_stop_the_others(tmp_path: Path) -> None:
    source = copy_course(tmp_path)
    edit_lesson(source, "data-and-labels", "estimated_minutes: 5", "estimated_minutes: x")
    report = build([source], tmp_path / "out", FORMATS, OPTIONS)
    assert not report.ok
    assert [r.status for r in report.results].count("failed") == 1
    assert (tmp_path / "out" / "foundation-models" / "index.html").is_file()
    stopped = build([source], tmp_path / "out2", FORMATS, OPTIONS, fail_fast=True)
    assert len(stopped.results) == 2


def _course_errors(tmp_path: Path, text: str) -> list[tuple[int, str]]:
    source = copy_course(tmp_path)
    (source / "course.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InvalidCourse) as caught:
        load_course(source / "course.yaml")
    return [(d.line, d.code) for d in caught.value.diagnostics]


def test_course_file_mistakes_are_located(tmp_path: Path) -> None:
    text = (
        "title: Broken\n"  # 1
        "chapters:\n"  # 2
        "  - title: One\n"  # 3
        "    lessons:\n"  # 4
        "      - lessons/attention.yaml\n"  # 5
        "      - lessons/missing.yaml\n"  # 6
        "      - lessons/attention.yaml\n"  # 7
        "      - ../outside.yaml\n"  # 8
    )
    assert _course_errors(tmp_path, text) == [
        (6, "course-lesson-missing"), (7, "course-duplicate-lesson"), (8, "course-lesson-missing"),
    ]  # fmt: skip


def test_unknown_key_in_course_file_is_located(tmp_path: Path) -> None:
    text = "title: T\nchapters:\n  - title: One\n    lesson: []\n"
    assert (4, "unknown-key") in _course_errors(tmp_path, text)


def test_lesson_id_clash_points_into_the_course_file(tmp_path: Path) -> None:
    source = copy_course(tmp_path)
    edit_lesson(source, "attention", "id: attention", "id: linear-models")
    report = build([source], tmp_path / "out", FORMATS, OPTIONS)
    problems = [d for d in report.all_diagnostics if d.code == "course-duplicate-id"]
    assert len(problems) == 1
    assert problems[0].file.endswith("course.yaml")
    assert problems[0].line == 18  # the attention entry


def test_folder_without_course_file_orders_by_lesson_number(tmp_path: Path) -> None:
    folder = tmp_path / "lessons"
    shutil.copytree(COURSE / "lessons", folder)
    out = tmp_path / "out"
    build([folder], out, ["html"], OPTIONS)
    home = (out / "index.html").read_text(encoding="utf-8")
    positions = [home.index(f'href="{lesson_id}/index.html"') for lesson_id in LESSON_IDS]
    assert positions == sorted(positions)  # 3.2 before 3.10


def test_natural_order_of_lesson_numbers() -> None:
    numbers = ["15.10", "2.3", "15.1", "15.2"]
    assert sorted(numbers, key=lesson_number_key) == ["2.3", "15.1", "15.2", "15.10"]


def test_cli_reports_skipped_lessons_and_a_summary(tmp_path: Path) -> None:
    args = ["build", str(COURSE), "-o", str(tmp_path / "out"), "-f", "quiz", "--jobs", "1"]
    env = {"SOURCE_DATE_EPOCH": "1700000000"}
    assert run_cli(args, env).exit_code == 0
    second = run_cli(args, env)
    assert second.exit_code == 0
    assert second.stdout.count("up to date") == len(LESSON_IDS)
    assert "lessons skipped (up to date): 5" in second.stderr


def test_course_paths_go_through_the_lesson_gate(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("id: secret\n", encoding="utf-8")
    course_dir = tmp_path / "course"
    course_dir.mkdir()
    (course_dir / "linked").symlink_to(outside)
    (course_dir / "course.yaml").write_text(
        "title: C\nchapters:\n  - title: One\n    lessons:\n"
        "      - linked/secret.yaml\n      - '%252e%252e/outside/secret.yaml'\n      - .hidden.yaml\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidCourse) as caught:
        load_course(course_dir / "course.yaml")
    found = [(d.line, d.code) for d in caught.value.diagnostics]
    assert found == [
        (5, "course-lesson-missing"),
        (6, "course-lesson-missing"),
        (7, "course-lesson-missing"),
    ]
    messages = " ".join(d.message for d in caught.value.diagnostics)
    assert "outside the course folder" in messages
    assert "not a relative path" in messages
    assert "hidden" in messages


def _summary(lesson_id: str, language: str) -> LessonSummary:
    return LessonSummary(lesson_id, lesson_id, "1.1", "Course", 1, "One", language)


@pytest.mark.parametrize(
    ("languages", "expected"),
    [
        (["de", "en", "de"], "de"),
        (["fr", "de"], "fr"),  # a tie: the first in course order
        (["en", "fr", "fr", "en"], "en"),
        ([], "en"),
    ],
)
def test_course_pages_take_the_lessons_most_common_language(
    languages: list[str], expected: str
) -> None:
    lessons = [_summary(f"l{n}", language) for n, language in enumerate(languages)]
    assert course_language(lessons) == expected


def test_course_pages_are_marked_with_the_lessons_language(tmp_path: Path) -> None:
    source = copy_course(tmp_path)
    for lesson_id in LESSON_IDS[:3]:
        edit_lesson(source, lesson_id, "\nchapter:", "\nlanguage: he\nchapter:")
    out = tmp_path / "out"
    build([source], out, ["html"], OPTIONS)
    for page in (out / "index.html", out / "_course" / "lessons.html"):
        assert '<html lang="he" dir="rtl">' in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("target", ["course.yaml", "."])
def test_validate_checks_the_course_file_and_every_lesson_it_lists(target: str) -> None:
    result = run_cli(["validate", str(COURSE / target)])
    assert result.exit_code == 0, result.stderr
    assert [line.split(": ok:")[0].rsplit("/", 1)[-1] for line in result.stdout.splitlines()] == [
        f"{lesson_id}.yaml" for lesson_id in LESSON_IDS
    ]


def test_validate_refuses_two_lessons_with_one_id(tmp_path: Path) -> None:
    folder = tmp_path / "lessons"
    shutil.copytree(COURSE / "lessons", folder)
    shutil.copy(folder / "attention.yaml", folder / "attention-copy.yaml")
    result = run_cli(["validate", str(folder)])
    assert result.exit_code == 1
    # Files are read in name order, so the second with the id is attention.yaml.
    assert re.search(
        r"attention\.yaml:\d+:\d+: error\[duplicate-lesson\]: lesson id 'attention' is also"
        r" used by \S*attention-copy\.yaml",
        result.stderr,
    )


def test_unknown_key_in_course_file_suggests_the_key_meant(tmp_path: Path) -> None:
    source = copy_course(tmp_path)
    course_file = source / "course.yaml"
    text = course_file.read_text(encoding="utf-8")
    course_file.write_text(text.replace("\ntitle:", "\ntitel:", 1), encoding="utf-8")
    with pytest.raises(InvalidCourse) as caught:
        load_course(course_file)
    # One message for the typo, not a second one for the 'title' it leaves missing.
    assert [(d.code, d.message, d.hint) for d in caught.value.diagnostics] == [
        ("unknown-key", "unknown key 'titel'", "did you mean 'title'?")
    ]


def test_validate_counts_the_course_file_in_its_summary(tmp_path: Path) -> None:
    source = copy_course(tmp_path)
    course_file = source / "course.yaml"
    good = course_file.read_text(encoding="utf-8")
    course_file.write_text(good.replace("\ntitle:", "\ntitel:", 1), encoding="utf-8")
    result = run_cli(["validate", str(course_file)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "1 error in 1 of 1 file"
    course_file.write_text(good, encoding="utf-8")
    lesson = source / "lessons" / "attention.yaml"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "extra: 1\n", encoding="utf-8")
    result = run_cli(["validate", str(source)])
    assert result.stderr.splitlines()[-1] == f"1 error in 1 of {len(LESSON_IDS) + 1} files"
