"""A lesson page built in a course: its links to the course, with and without JavaScript."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Browser, Page

from conftest import FIXTURES
from lessonc.course.build_run import build
from lessonc.outputs import BuildOptions
from outputs.html_support import (
    EPOCH,
    PageLog,
    axe_violations,
    chromium,
    opened,
    scan,
    watch,
)
from static_site import serving

COURSE = FIXTURES / "course"
OPTIONS = BuildOptions(source_date_epoch=EPOCH)
READING_ORDER = "../_course/reading-order.js"
# The fixture course in reading order: chapter 1 has two lessons, 2 one, 3 two.
MIDDLE, BEFORE_MIDDLE, AFTER_MIDDLE = "linear-models", "data-and-labels", "attention"
FIRST, LAST = "what-is-learning", "foundation-models"
READ_ORDER = [FIRST, BEFORE_MIDDLE, MIDDLE, AFTER_MIDDLE, LAST]
HOSTILE_TITLE = '<img src=x onerror="document.title=1">Attention'


def _build(source: Path, out: Path) -> Path:
    report = build([source], out, ["html"], OPTIONS)
    assert report.ok, report.all_diagnostics
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture course built as a web site."""
    return _build(COURSE / "course.yaml", tmp_path_factory.mktemp("site") / "out")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def lesson_page(site: Path, lesson_id: str) -> Path:
    return site / lesson_id / "index.html"


def script_sources(html: str) -> list[str]:
    return [attrs.get("src", "") for tag, attrs in scan(html) if tag == "script"]


def resolved_file(page: Page, selector: str) -> Path:
    """The local file a link in the page leads to (its href as the browser resolved it)."""
    url = page.eval_on_selector(selector, "link => link.href")
    parts = urlsplit(url)
    assert parts.scheme == "file", url
    return Path(unquote(parts.path))


def course_links(page: Page) -> list[list[tuple[str, str]]]:
    """Each course nav's links as (rel or class, href attribute), in page order."""
    found: list[list[list[str]]] = page.eval_on_selector_all(
        "[data-course-nav]",
        """navs => navs.map(nav => Array.from(nav.querySelectorAll('a'), a =>
            [a.rel || a.className, a.getAttribute('href')]))""",
    )
    return [[(rel, href) for rel, href in nav] for nav in found]


def assert_shared_assets_loaded(page: Page) -> None:
    """The page's stylesheets and scripts came from the course's shared assets, under the
    page's Content-Security-Policy (a refused or missing stylesheet has no ``sheet``)."""
    hrefs = page.eval_on_selector_all(
        "link[rel=stylesheet]", "links => links.map(l => [l.getAttribute('href'), !!l.sheet])"
    )
    assert hrefs and all(loaded for _, loaded in hrefs), hrefs
    assert all(href.startswith("../_course/assets/") for href, _ in hrefs)
    # lesson.js ran (it marks the page) and so did the LMS adapter after it.
    assert page.evaluate("document.documentElement.classList.contains('js')")


# --- markup -------------------------------------------------------------------------------


def test_page_in_a_course_links_the_home_and_navigation_pages(site: Path) -> None:
    html = lesson_page(site, MIDDLE).read_text(encoding="utf-8")
    tags = scan(html)
    navs = [attrs for tag, attrs in tags if tag == "nav" and "data-course-nav" in attrs]
    assert [nav["aria-label"] for nav in navs] == ["Course", "Course: previous and next lesson"]
    hrefs = [attrs["href"] for tag, attrs in tags if tag == "a" and "href" in attrs]
    assert hrefs.count("../index.html") == 2
    assert hrefs.count(f"../_course/lessons.html#at-{MIDDLE}") == 2
    # The data first: deferred scripts run in document order.
    sources = script_sources(html)
    assert sources[0] == READING_ORDER
    assert [re.sub(r"\.[0-9a-f]{12}\.", ".", s) for s in sources[1:]] == [
        "../_course/assets/lesson.js",
        "../_course/assets/scorm.js",
    ]
    assert all((site / MIDDLE / source).is_file() for source in sources)


def test_page_never_names_its_neighbours(site: Path) -> None:
    """Adding a lesson must not change (and so rebuild) the pages beside it."""
    html = lesson_page(site, MIDDLE).read_text(encoding="utf-8")
    assert BEFORE_MIDDLE not in html and AFTER_MIDDLE not in html


def test_single_lesson_build_has_no_course_links(tmp_path: Path) -> None:
    out = _build(COURSE / "lessons" / f"{MIDDLE}.yaml", tmp_path / "out")
    html = lesson_page(out, MIDDLE).read_text(encoding="utf-8")
    assert "data-course-nav" not in html and "_course" not in html
    assert script_sources(html) == ["assets/lesson.js", "assets/scorm.js"]


# --- in the browser -------------------------------------------------------------------------


@pytest.mark.browser
def test_middle_lesson_links_its_neighbours_from_file_urls(browser: Browser, site: Path) -> None:
    with opened(browser, lesson_page(site, MIDDLE)) as (page, log):
        page.wait_for_selector(".course-bar a[rel=next]")
        assert course_links(page) == 2 * [
            [
                ("prev", f"../{BEFORE_MIDDLE}/index.html"),
                ("course-home", "../index.html"),
                ("next", f"../{AFTER_MIDDLE}/index.html"),
            ]
        ]
        assert resolved_file(page, ".course-bar a[rel=prev]") == lesson_page(site, BEFORE_MIDDLE)
        assert resolved_file(page, ".course-bar a[rel=next]") == lesson_page(site, AFTER_MIDDLE)
        assert resolved_file(page, ".course-bar .course-home") == site / "index.html"
        assert page.inner_text(".course-bar .course-home") == "Fixture Course"
        assert "← 1.2 Data and Labels" in page.inner_text(".course-bar a[rel=prev]")
        assert "3.2 Attention →" in page.inner_text(".course-bar a[rel=next]")
        # Screen readers hear what the link is, not the arrow, in both navs.
        assert page.get_by_role("link", name="Previous lesson: 1.2 Data and Labels").count() == 2
        assert page.get_by_role("link", name="Next lesson: 3.2 Attention").count() == 2
        assert log.console == []
        assert log.requests_outside(site) == []
        assert_shared_assets_loaded(page)
        page.click(".course-pager a[rel=next]")
        page.wait_for_url(lesson_page(site, AFTER_MIDDLE).resolve().as_uri())
        assert log.console == []


@pytest.mark.browser
def test_first_and_last_lessons_link_only_the_way_on(browser: Browser, site: Path) -> None:
    for lesson_id, rels in ((FIRST, ["course-home", "next"]), (LAST, ["prev", "course-home"])):
        with opened(browser, lesson_page(site, lesson_id)) as (page, log):
            page.wait_for_selector(".course-bar .course-place", state="detached")
            assert [[rel for rel, _ in nav] for nav in course_links(page)] == [rels, rels]
            assert log.console == []


@pytest.mark.browser
def test_without_javascript_home_and_navigation_links_resolve(browser: Browser, site: Path) -> None:
    with opened(browser, lesson_page(site, MIDDLE), javascript=False) as (page, _):
        expected = [
            ("course-home", "../index.html"),
            ("course-place", f"../_course/lessons.html#at-{MIDDLE}"),
        ]
        assert course_links(page) == [expected, expected]
        for nav in (".course-bar", ".course-pager"):
            assert resolved_file(page, f"{nav} .course-home") == site / "index.html"
            navigation = resolved_file(page, f"{nav} .course-place")
            assert navigation == site / "_course" / "lessons.html"
            assert navigation.is_file()
        page.click(".course-bar .course-place")
        # The navigation page is where previous and next are without JavaScript: it
        # shows the lesson's own place only, and its links step along the reading order.
        assert [place["id"] for place in visible_places(page)] == [f"at-{MIDDLE}"]
        assert page.get_attribute("a[rel=next] >> visible=true", "href") == f"#at-{AFTER_MIDDLE}"
        page.click("a[rel=next] >> visible=true")
        assert [place["id"] for place in visible_places(page)] == [f"at-{AFTER_MIDDLE}"]
        page.click("a[rel=prev] >> visible=true")
        page.click("a[rel=prev] >> visible=true")
        assert [place["id"] for place in visible_places(page)] == [f"at-{BEFORE_MIDDLE}"]
        page.click(".open-lesson a >> visible=true")
        assert resolved_page(page) == lesson_page(site, BEFORE_MIDDLE)


def visible_places(page: Page) -> list[dict[str, str]]:
    """The navigation page's lesson places a reader sees: their ids and headings."""
    found: list[dict[str, str]] = page.eval_on_selector_all(
        ".lesson-place",
        """places => places.filter(p => p.checkVisibility()).map(p =>
            ({id: p.id, title: p.querySelector('h2').textContent}))""",
    )
    return found


def resolved_page(page: Page) -> Path:
    parts = urlsplit(page.url)
    assert parts.scheme == "file", page.url
    return Path(unquote(parts.path))


NAVIGATION_VIEWS = [(width, fragment) for width in (360, 1280) for fragment in (MIDDLE, "")]


@pytest.mark.browser
@pytest.mark.parametrize(("width", "lesson_id"), NAVIGATION_VIEWS)
def test_navigation_page_passes_axe_and_fits_a_phone(
    browser: Browser, site: Path, width: int, lesson_id: str
) -> None:
    navigation = site / "_course" / "lessons.html"
    with opened(browser, navigation, width=width, bypass_csp=True) as (page, log):
        if lesson_id:
            page.goto(f"{navigation.resolve().as_uri()}#at-{lesson_id}")
        shown = [place["id"] for place in visible_places(page)]
        # Named by its address, a lesson's place shows alone; else the whole reading order.
        assert shown == ([f"at-{lesson_id}"] if lesson_id else [f"at-{i}" for i in READ_ORDER])
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert log.console == []  # before axe, whose own reading of the styles logs
        assert axe_violations(page) == []


@pytest.mark.browser
def test_page_copied_without_the_course_keeps_the_plain_links(
    browser: Browser, site: Path, tmp_path: Path
) -> None:
    # The lesson folder and the pages' shared assets, without the rest of the course.
    alone = tmp_path / "alone" / MIDDLE
    shutil.copytree(site / MIDDLE, alone)
    shutil.copytree(site / "_course" / "assets", alone.parent / "_course" / "assets")
    with opened(browser, alone / "index.html") as (page, log):
        page.wait_for_function("document.documentElement.classList.contains('js')")
        assert [[rel for rel, _ in nav] for nav in course_links(page)] == 2 * [
            ["course-home", "course-place"]
        ]
        # No script error. Chromium itself reports the missing file as a failed load,
        # which no page can prevent for a script it names; nothing else may be logged.
        assert [m for m in log.console if "reading-order.js" not in m and "ERR_FILE" not in m] == []
        assert len(log.console) <= 1
        assert page.is_visible(".quiz-score")  # the rest of the page's script still ran


@pytest.mark.browser
def test_content_security_policy_lets_the_course_script_run_over_http(
    browser: Browser, site: Path
) -> None:
    with serving(site) as origin:
        context = browser.new_context()
        try:
            page = context.new_page()
            log: PageLog = watch(page)
            page.goto(f"{origin}/{MIDDLE}/index.html")
            page.wait_for_selector(".course-pager a[rel=prev]")
            assert course_links(page)[0][0] == ("prev", f"../{BEFORE_MIDDLE}/index.html")
            assert log.console == []
            assert all(url.startswith(origin) for url in log.requests)
            assert_shared_assets_loaded(page)
        finally:
            context.close()


@pytest.mark.browser
def test_lesson_titles_from_the_course_stay_text(browser: Browser, tmp_path: Path) -> None:
    source = tmp_path / "course"
    shutil.copytree(COURSE, source)
    neighbour = source / "lessons" / f"{AFTER_MIDDLE}.yaml"
    text = neighbour.read_text(encoding="utf-8")
    neighbour.write_text(
        text.replace('title: "Attention"', f"title: '{HOSTILE_TITLE}'", 1), encoding="utf-8"
    )
    site = _build(source / "course.yaml", tmp_path / "out")
    with opened(browser, lesson_page(site, MIDDLE)) as (page, log):
        page.wait_for_selector(".course-bar a[rel=next]")
        assert HOSTILE_TITLE in page.inner_text(".course-bar a[rel=next]")
        assert page.query_selector("[data-course-nav] img") is None
        assert page.title() != "1"
        assert log.console == [] and log.dialogs == []


VIEWS = [(width, scheme) for width in (360, 1280) for scheme in ("light", "dark")]


@pytest.mark.browser
@pytest.mark.parametrize(("width", "scheme"), VIEWS)
def test_course_links_pass_axe_and_fit_a_phone(
    browser: Browser, site: Path, width: int, scheme: str
) -> None:
    page_file = lesson_page(site, MIDDLE)
    # axe is injected as a script, which the page's own CSP would refuse.
    with opened(browser, page_file, width=width, scheme=scheme, bypass_csp=True) as (page, _):
        page.wait_for_selector(".course-pager a[rel=next]")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert axe_violations(page) == []


@pytest.mark.browser
@pytest.mark.parametrize("direction", ["ltr", "rtl"])
def test_course_pages_fit_a_phone_in_either_direction(
    browser: Browser, tmp_path: Path, direction: str
) -> None:
    source = tmp_path / "course"
    shutil.copytree(COURSE, source)
    if direction == "rtl":
        for lesson in (source / "lessons").glob("*.yaml"):
            text = lesson.read_text(encoding="utf-8")
            lesson.write_text(text.replace("\nchapter:", "\nlanguage: ar\nchapter:", 1), "utf-8")
    site = _build(source / "course.yaml", tmp_path / "out")
    for page_file in (site / "index.html", site / "_course" / "lessons.html"):
        with opened(browser, page_file, width=360) as (page, log):
            assert page.get_attribute("html", "dir") == direction
            # Nothing sticks out sideways: the skip link waits above the page, not beside it
            # (off to the left, a right-to-left page scrolled sideways to it).
            assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
            page.keyboard.press("Tab")
            box = page.locator(".skip-link").bounding_box()
            assert box is not None and box["y"] >= 0 and 0 <= box["x"] <= 360 - box["width"]
            assert log.console == []
