"""The course's web pages: the home page (contents and search) and the navigation page.

The lesson pages themselves come from the HTML renderer, which knows only that
the lesson is in a course, never its neighbours: each links to the home page and
to its place on the navigation page (``_course/lessons.html#at-<id>``: breadcrumbs,
previous and next; the page shows only the place its address names). The
reading-order script (``_course/reading-order.js``) lets a lesson page's JavaScript
link its neighbours directly; it is made here, so adding a lesson rewrites this one
file rather than its neighbours' pages. Course files live under ``_course/``, named by
the lesson layer (see :mod:`lessonc.outputs.html`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from lessonc.course.outputs.summary import LessonSummary
from lessonc.outputs import Artifact
from lessonc.outputs.html import COURSE_DIR
from lessonc.outputs.html import COURSE_HOME as HOME
from lessonc.outputs.html import COURSE_NAVIGATION as NAVIGATION
from lessonc.outputs.html import COURSE_READING_ORDER as READING_ORDER
from lessonc.outputs.html import course_nav_anchor as nav_anchor
from lessonc.outputs.html import course_nav_page as nav_page

__all__ = ["COURSE_DIR", "HOME", "NAVIGATION", "READING_ORDER", "nav_page"]

ASSETS = ("course.css", "search.js")


@dataclass(frozen=True)
class LessonLink:
    id: str
    number: str
    title: str
    chapter_title: str
    href: str
    nav_href: str
    nav_anchor: str
    """The id of its section on the navigation page."""


@dataclass(frozen=True)
class LessonPlace:
    """A lesson's section on the navigation page."""

    lesson: LessonLink
    chapter_index: int
    previous: LessonLink | None
    following: LessonLink | None


@dataclass(frozen=True)
class ChapterView:
    number: int | None
    title: str
    lessons: tuple[LessonLink, ...]


@dataclass(frozen=True)
class Download:
    """A course-level file offered on the home page."""

    href: str
    label: str
    """The catalogue key of its name."""
    description: str
    """The catalogue key of what it holds."""


@dataclass(frozen=True)
class CourseView:
    title: str
    description: str | None
    language: str
    chapters: tuple[ChapterView, ...]
    searchable: bool
    downloads: tuple[Download, ...] = ()
    ui: tuple[tuple[str, str], ...] = ()
    """The course file's own interface strings, by key."""


def course_language(lessons: Sequence[LessonSummary]) -> str:
    """The language of the course pages: the lessons' most common one, the first in course
    order on a tie (``Counter`` keeps first-seen order among equal counts)."""
    counts = Counter(summary.language for summary in lessons)
    return counts.most_common(1)[0][0] if counts else "en"


def link(summary: LessonSummary) -> LessonLink:
    """How the course pages name and link a lesson."""
    return LessonLink(
        summary.id, summary.number, summary.title, summary.chapter_title,
        href=f"{summary.id}/index.html", nav_href=nav_page(summary.id),
        nav_anchor=nav_anchor(summary.id),
    )  # fmt: skip


def site_pages(
    course: CourseView, summaries: Sequence[LessonSummary], template_dirs: Sequence[Path]
) -> Iterator[Artifact]:
    """The home page, the navigation page, the search index and the static assets."""
    from lessonc import i18n, templating

    env = templating.environment("course", template_dirs)
    direction = i18n.text_direction(course.language)
    words = i18n.for_language(course.language, dict(course.ui))
    home = env.get_template("home.html.j2").render(
        course=course, root="", direction=direction, t=words.markup, tt=words.text
    )
    yield Artifact(HOME, home.encode())
    reading_order = [link for chapter in course.chapters for link in chapter.lessons]
    chapter_of = {
        link.id: index
        for index, chapter in enumerate(course.chapters, 1)
        for link in chapter.lessons
    }
    places = [
        LessonPlace(
            link,
            chapter_of[link.id],
            previous=reading_order[position - 1] if position else None,
            following=reading_order[position + 1] if position + 1 < len(reading_order) else None,
        )
        for position, link in enumerate(reading_order)
    ]
    navigation = env.get_template("lessons.html.j2").render(
        course=course, root="../", direction=direction, t=words.markup, tt=words.text,
        places=places,
    )  # fmt: skip
    yield Artifact(NAVIGATION, navigation.encode())
    yield Artifact(f"{COURSE_DIR}/search-index.js", search_index(summaries))
    yield Artifact(READING_ORDER, reading_order_script(course))
    for asset in ASSETS:
        source, _, _ = env.loader.get_source(env, f"assets/{asset}")  # type: ignore[union-attr]
        yield Artifact(f"{COURSE_DIR}/{asset}", source.encode())


def _as_script(variable: str, value: object) -> bytes:
    """``value`` as a script that sets ``window.<variable>``: a script loads from file://
    where fetching JSON does not."""
    # ensure_ascii keeps U+2028 and friends escaped; "</" cannot end a script file, but
    # escaping it costs nothing and keeps the data inert if someone ever inlines it.
    data = json.dumps(value, ensure_ascii=True, separators=(",", ":")).replace("</", "<\\/")
    return f"window.{variable} = {data};\n".encode()


def reading_order_script(course: CourseView) -> bytes:
    """The script that sets ``window.lessoncCourse``: the course title and every lesson in
    reading order, for the previous/next links of the lesson pages."""
    lessons = [
        {"id": link.id, "number": link.number, "title": link.title, "chapter": chapter.title}
        for chapter in course.chapters
        for link in chapter.lessons
    ]
    return _as_script("lessoncCourse", {"title": course.title, "lessons": lessons})


def search_index(summaries: Sequence[LessonSummary]) -> bytes:
    """The search entries as a script that sets ``window.lessoncSearch`` (works from file://)."""
    entries = [
        {
            "kind": entry.kind,
            "title": entry.title,
            "text": entry.text,
            "lesson": f"{summary.number} {summary.title}",
            "href": f"{summary.id}/index.html" + (f"#{entry.anchor}" if entry.anchor else ""),
        }
        for summary in summaries
        for entry in summary.search
    ]
    return _as_script("lessoncSearch", entries)
