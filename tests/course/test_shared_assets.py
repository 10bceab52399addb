"""The page assets a course's lesson pages share: one copy under ``_course/assets/``."""

from __future__ import annotations

import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

from course.course_support import COURSE, copy_course, edit_lesson
from lessonc.course.build_run import build
from lessonc.outputs import BuildOptions
from lessonc.pipeline import BuildReport

LESSON = COURSE / "lessons" / "attention.yaml"
OPTIONS = BuildOptions(source_date_epoch=1_700_000_000)
FORMATS = ["html", "quiz"]
IDS = ["what-is-learning", "data-and-labels", "linear-models", "attention", "foundation-models"]
SHARED = "_course/assets"
HASHED = re.compile(r"^(?P<stem>[a-z]+)\.[0-9a-f]{12}\.(?P<suffix>css|js)$")


class _Loads(HTMLParser):
    """The stylesheets and scripts a page loads."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and values.get("rel") == "stylesheet":
            self.found.append(values["href"] or "")
        elif tag == "script" and values.get("src"):
            self.found.append(values["src"] or "")


def loads(page: Path) -> list[str]:
    parser = _Loads()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.found


def built(source: Path, out: Path, formats: list[str] = FORMATS, **kwargs: object) -> BuildReport:
    report = build([source], out, formats, OPTIONS, **kwargs)  # type: ignore[arg-type]
    assert report.ok, report.all_diagnostics
    return report


def course_manifest(out: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((out / "course-manifest.json").read_text("utf-8"))
    return data


def listed(manifest: dict[str, object]) -> set[str]:
    outputs = manifest["outputs"]
    assert isinstance(outputs, list)
    return {str(entry["path"]) for entry in outputs}


def shared_files(out: Path) -> set[str]:
    folder = out / SHARED
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def assert_pages_find_their_assets(out: Path, lesson_ids: list[str]) -> set[str]:
    """Every page loads only shared assets that exist; returns the ones they load."""
    used: set[str] = set()
    for lesson_id in lesson_ids:
        for href in loads(out / lesson_id / "index.html"):
            assert href.startswith("../_course/"), href  # relative, same origin, no copy
            if href.startswith(f"../{SHARED}/"):
                assert (out / lesson_id / href).resolve().is_file(), href
                used.add(PurePosixPath(href).name)
    return used


def test_a_course_writes_the_page_assets_once_and_no_lesson_folder_holds_them(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    built(COURSE, out)
    for lesson_id in IDS:
        assert not (out / lesson_id / "assets").exists()
        manifest = json.loads((out / lesson_id / "manifest.json").read_text("utf-8"))
        assert sorted(o["path"] for o in manifest["outputs"]) == ["index.html", "quiz.json"]
    used = assert_pages_find_their_assets(out, IDS)
    assert {m["stem"] for m in map(HASHED.match, used) if m} == {"lesson", "scorm"}
    names = shared_files(out)
    assert all(HASHED.match(name) for name in names), names
    # The course manifest claims them like every other course file.
    assert {f"{SHARED}/{name}" for name in names} <= listed(course_manifest(out))
    # Their names are their bytes: the built-in lesson.css under its hash.
    css = next(name for name in names if name.startswith("lesson.") and name.endswith(".css"))
    builtin = Path(__file__).resolve().parents[2] / "templates" / "html" / "assets" / "lesson.css"
    assert (out / SHARED / css).read_bytes() == builtin.read_bytes()


def test_a_lesson_built_on_its_own_keeps_its_own_assets(tmp_path: Path) -> None:
    out = tmp_path / "out"
    built(LESSON, out)
    assert loads(out / "attention" / "index.html") == [
        "assets/lesson.css",
        "assets/lesson.js",
        "assets/scorm.js",
    ]
    assert (out / "attention" / "assets" / "lesson.css").is_file()
    assert not (out / "_course").exists()


def test_a_lesson_rebuilt_alone_keeps_the_shared_assets_consistent(tmp_path: Path) -> None:
    course = copy_course(tmp_path)
    out = tmp_path / "out"
    built(course, out)
    before = {name: (out / SHARED / name).read_bytes() for name in shared_files(out)}
    edit_lesson(course, "attention", 'title: "Attention"', 'title: "Edited"')
    report = built(course, out)
    assert [r.lesson_id for r in report.results if r.status == "built"] == ["attention"]
    assert {name: (out / SHARED / name).read_bytes() for name in shared_files(out)} == before
    assert_pages_find_their_assets(out, IDS)
    # A shared asset deleted by hand comes back with the next build.
    (out / SHARED / sorted(before)[0]).unlink()
    built(course, out)
    assert shared_files(out) == set(before)


def test_a_theme_gets_its_own_shared_assets_and_the_old_ones_go(tmp_path: Path) -> None:
    out = tmp_path / "out"
    built(COURSE, out)
    plain = shared_files(out)
    theme = tmp_path / "theme"
    (theme / "html" / "assets").mkdir(parents=True)
    (theme / "html" / "assets" / "theme.css").write_text("body { color: teal; }\n", "utf-8")
    (theme / "html" / "assets" / "lesson.css").write_text("main { margin: 0; }\n", "utf-8")
    themed = BuildOptions(source_date_epoch=OPTIONS.source_date_epoch, template_dirs=(theme,))
    report = build([COURSE], out, FORMATS, themed)
    assert report.ok, report.all_diagnostics
    used = assert_pages_find_their_assets(out, IDS)
    assert {m["stem"] for m in map(HASHED.match, used) if m} == {"lesson", "scorm", "theme"}
    by_kind = {HASHED.sub(r"\g<stem>.\g<suffix>", n): (out / SHARED / n).read_bytes() for n in used}
    assert by_kind["theme.css"] == b"body { color: teal; }\n"
    assert by_kind["lesson.css"] == b"main { margin: 0; }\n"
    # The built-in lesson.css, which no page links any more, is removed; the rest stay.
    assert plain - shared_files(out) == {
        n for n in plain if n.startswith("lesson.") and n.endswith(".css")
    }
    assert listed(course_manifest(out)) >= {f"{SHARED}/{name}" for name in shared_files(out)}


def test_a_build_without_html_keeps_the_assets_the_pages_it_carries_over_link(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    built(COURSE, out)
    names = shared_files(out)
    built(COURSE, out, ["quiz"])
    assert shared_files(out) == names
    assert {f"{SHARED}/{name}" for name in names} <= listed(course_manifest(out))
    assert_pages_find_their_assets(out, IDS)


def test_a_lesson_built_alone_then_in_the_course_and_back(tmp_path: Path) -> None:
    out = tmp_path / "out"
    built(LESSON, out)
    built(COURSE, out)
    assert not (out / "attention" / "assets").exists()
    assert_pages_find_their_assets(out, IDS)
    names = shared_files(out)
    built(LESSON, out)  # the lesson on its own again, beside the course
    assert (out / "attention" / "assets" / "lesson.css").is_file()
    assert loads(out / "attention" / "index.html")[0] == "assets/lesson.css"
    assert shared_files(out) == names  # the other pages still link them
    assert_pages_find_their_assets(out, [i for i in IDS if i != "attention"])
    report = built(COURSE, out)
    assert [r.lesson_id for r in report.results if r.status == "built"] == ["attention"]
    assert not (out / "attention" / "assets").exists()
    assert_pages_find_their_assets(out, IDS)


def test_pages_built_while_another_lesson_fails_still_find_their_assets(tmp_path: Path) -> None:
    course = copy_course(tmp_path)
    edit_lesson(course, "attention", "estimated_minutes:", "estimated_minutes: x #")
    out = tmp_path / "out"
    report = build([course], out, FORMATS, OPTIONS)
    assert not report.ok
    assert not (out / "index.html").exists()  # the course files wait for every lesson
    assert_pages_find_their_assets(out, [i for i in IDS if i != "attention"])


def test_a_file_of_the_users_where_a_shared_asset_goes_stops_the_build(tmp_path: Path) -> None:
    out = tmp_path / "first"
    built(COURSE, out)
    name = sorted(shared_files(out))[0]
    mine = tmp_path / "out" / SHARED / name
    mine.parent.mkdir(parents=True)
    mine.write_text("mine\n", encoding="utf-8")
    report = build([COURSE], tmp_path / "out", FORMATS, OPTIONS)
    assert [d.code for d in report.all_diagnostics if d.is_error] == ["output-not-ours"]
    assert mine.read_text(encoding="utf-8") == "mine\n"
    assert report.results == []  # no page was written to link a file that is not there


def test_the_scorm_packages_carry_the_assets_their_pages_load(tmp_path: Path) -> None:
    out = tmp_path / "out"
    built(COURSE, out, ["html", "scorm12"])
    with zipfile.ZipFile(out / "course-scorm12.zip") as archive:
        names = set(archive.namelist())
        for lesson_id in IDS:
            page = tmp_path / f"{lesson_id}.html"
            page.write_bytes(archive.read(f"{lesson_id}/index.html"))
            for href in loads(page):
                assert f"{lesson_id}/{href}" in names, href
    with zipfile.ZipFile(out / "attention" / "attention-scorm12.zip") as archive:
        page = tmp_path / "lesson.html"
        page.write_bytes(archive.read("index.html"))
        assert all(href in archive.namelist() for href in loads(page))
