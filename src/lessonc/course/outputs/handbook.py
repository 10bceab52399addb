"""``course.pdf``: a title page and contents, then every lesson's handout in course order.

The lessons' handouts are not laid out again: they are already written (or kept
from the last build, when a lesson was current) in ``OUT/<lesson id>/handout.pdf``,
so the course PDF reads them from there and joins them after a front matter
rendered by WeasyPrint through the handout's own isolated renderer (same child
process, time limit and fetcher; this front matter is given no file at all).
pikepdf (qpdf) does the merge; this module writes the outline: course → chapter
→ lesson, with each handout's own outline under its lesson.

The handouts are copied first, one open at a time (qpdf copies a page's objects
and stream data into the course PDF at once, so each handout is closed before
the next is opened); their page counts give the contents' page numbers. The
front matter's own length shifts those numbers: it is rendered, its pages
counted, and rendered again in the rare case the count moved (a contents that
runs onto another page); then its pages go in front.

What does not survive the merge: the handouts' structure trees (only their
pages are copied), so the course PDF is untagged, unlike each handout.

Cost: for 40 handouts (520 pages) the merge takes about 0.4 s and 35 MB, in the serial
course step; the front matter renders in about a third of a second.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pikepdf
from markupsafe import Markup
from pikepdf import Array, Dictionary, Name, OutlineItem, String

from lessonc import __version__
from lessonc.course.outputs import COURSE_PDF, CourseOutputError
from lessonc.course.outputs.pdf_merge import (
    copy_bookmarks,
    named_destinations,
    page_top,
    prefix_links,
    retarget,
)
from lessonc.outputs.pdf import OUTPUT_PATH as HANDOUT

if TYPE_CHECKING:
    from lessonc.course.outputs import OrderedChapter
    from lessonc.course.outputs.summary import LessonSummary

__all__ = ["COURSE_PDF", "course_pdf"]

TEMPLATE = "handbook.html.j2"
STYLESHEET = "handbook.css"
RENDER_ROOT = "file:///lessonc-course/"
"""The base URL the front matter is rendered at: no real folder, and nothing there is served."""
MAX_FRONT_MATTER_RENDERS = 3
"""Renders allowed to settle the front matter's page count; one re-render is the most seen."""


class HandbookError(CourseOutputError):
    """The course PDF could not be made (a handout missing or the front matter not rendered)."""


@dataclass(frozen=True)
class HandbookLesson:
    """One lesson as the contents list it: where it starts in the course PDF (1-based)."""

    id: str
    number: str
    title: str
    first_page: int

    @property
    def anchor(self) -> str:
        """The contents row's id, and the named destination of the lesson's first page."""
        return f"lesson-{self.id}"


@dataclass(frozen=True)
class HandbookChapter:
    number: int | None
    title: str
    lessons: tuple[HandbookLesson, ...]


@dataclass(frozen=True)
class _CopiedHandout:
    """A lesson's handout once its pages are in the course PDF (its file is closed again)."""

    id: str
    number: str
    title: str
    first_page: Dictionary
    """The course PDF's page the handout starts on (its index moves when the front goes in)."""
    page_count: int
    bookmarks: tuple[OutlineItem, ...]
    """The handout's own outline, leading to the copied pages, without its title entry."""
    pdf_version: str


def course_pdf(
    *,
    title: str,
    description: str | None,
    language: str,
    chapters: Sequence[OrderedChapter],
    out_root: Path,
    paper: str,
    timestamp: int,
    template_dirs: Sequence[Path],
    ui: Sequence[tuple[str, str]] = (),
    handout: str = HANDOUT,
) -> bytes:
    """The reproducible ``course.pdf`` of the handouts already written under ``out_root``
    (each lesson's file named ``handout``: the teacher edition's for ``course-teacher.pdf``)."""
    chapters = [chapter for chapter in chapters if chapter.lessons]
    with pikepdf.new() as course:
        # Every named destination of the course PDF, put into its name tree at the end.
        destinations: dict[str, Array] = {}
        handouts = [
            [
                _copy_handout(course, out_root / lesson.id / handout, lesson, destinations)
                for lesson in chapter.lessons
            ]
            for chapter in chapters
        ]
        front_pages = _likely_front_pages(chapters)
        for _ in range(MAX_FRONT_MATTER_RENDERS):
            listed = _contents(chapters, handouts, front_pages)
            rendered = front_matter_pdf(
                title=title, description=description, language=language,
                chapters=listed, paper=paper, timestamp=timestamp,
                template_dirs=template_dirs, ui=ui, teacher=handout != HANDOUT,
            )  # fmt: skip
            with pikepdf.open(io.BytesIO(rendered)) as front:
                if len(front.pages) == front_pages:
                    _insert_front_matter(course, front, destinations)
                    break
                front_pages = len(front.pages)
        else:
            raise HandbookError("the contents' page numbers do not settle")
        _add_outline(course, title, listed, handouts)
        for chapter in listed:
            for lesson in chapter.lessons:
                _point_destination(course, destinations, lesson.anchor, lesson.first_page - 1)
        return _save(course, title, language, timestamp, handouts, destinations)


def _likely_front_pages(chapters: Sequence[OrderedChapter]) -> int:
    """A first guess of the front matter's length, so most courses render it once.

    The title page, then about forty contents rows a page (a lesson is a row, a
    chapter title about two); a wrong guess costs one more render, never a wrong number.
    """
    rows = sum(len(chapter.lessons) + 2 for chapter in chapters)
    return 1 + max(1, math.ceil(rows / 40))


def _copy_handout(
    course: pikepdf.Pdf,
    path: Path,
    lesson: LessonSummary,
    destinations: dict[str, Array],
) -> _CopiedHandout:
    """Append the lesson's handout to ``course``, with its named destinations and bookmarks.

    Every handout names its sections alike ('objectives', 'summary' …): its
    destinations are prefixed with its lesson id, and its links rewritten to
    match, so each lesson's own contents lead into its own pages and stay
    addressable (course.pdf#attention/objectives). (Left to qpdf, a repeated
    name would become 'objectives.1', and a destination no link uses would be dropped.)
    """
    start = len(course.pages)
    prefix = f"{lesson.id}/"
    try:
        # No recovery: a handout damaged since it was written is not ours to repair.
        with pikepdf.open(path, attempt_recovery=False) as handout:
            for page in handout.pages:
                course.pages.append(page)
            copies = {
                page.obj.objgen: course.pages[start + offset].obj
                for offset, page in enumerate(handout.pages)
            }
            own_destinations = named_destinations(handout)
            for name, target in own_destinations.items():
                copied = retarget(target, copies)
                if copied is not None:
                    destinations[prefix + name] = copied
            outline = list(handout.open_outline().root)
            # The handout's first entry is its title, on its first page: the lesson's entry
            # already is. (Dropped only when childless, so no entry loses its parent.)
            if outline and outline[0].title == lesson.title and not outline[0].children:
                outline = outline[1:]
            bookmarks = copy_bookmarks(outline, own_destinations, copies)
            page_count = len(handout.pages)
            pdf_version = handout.pdf_version
    except OSError as error:
        raise HandbookError(
            f"cannot read the handout of '{lesson.id}': {error.strerror or error}"
        ) from None
    except pikepdf.PikepdfError as error:  # damaged (PdfError), encrypted, a broken outline
        # qpdf starts its message with the file's path; the lesson id already says which.
        reason = str(error).removeprefix(str(path)).lstrip(": ")
        raise HandbookError(
            f"the handout of '{lesson.id}' is not a readable PDF: {reason}"
        ) from None
    for page in course.pages[start:]:
        prefix_links(page.obj, prefix)
    return _CopiedHandout(
        lesson.id, lesson.number, lesson.title,
        course.pages[start].obj, page_count, tuple(bookmarks), pdf_version,
    )  # fmt: skip


def _contents(
    chapters: Sequence[OrderedChapter],
    handouts: list[list[_CopiedHandout]],
    front_pages: int,
) -> list[HandbookChapter]:
    """The chapters with each lesson's first page, the front matter being ``front_pages`` long."""
    next_page = front_pages + 1
    listed: list[HandbookChapter] = []
    for chapter, chapter_handouts in zip(chapters, handouts, strict=True):
        lessons: list[HandbookLesson] = []
        for handout in chapter_handouts:
            lessons.append(HandbookLesson(handout.id, handout.number, handout.title, next_page))
            next_page += handout.page_count
        listed.append(HandbookChapter(chapter.number, chapter.title, tuple(lessons)))
    return listed


def front_matter_pdf(
    *,
    title: str,
    description: str | None,
    language: str,
    chapters: Sequence[HandbookChapter],
    paper: str,
    timestamp: int,
    template_dirs: Sequence[Path],
    ui: Sequence[tuple[str, str]] = (),
    teacher: bool = False,
) -> bytes:
    """The title page and contents, rendered like a handout: isolated, fetching nothing.
    ``teacher``: the title page says it is the teacher edition, as each handout in it does."""
    from lessonc.outputs.pdf import process
    from lessonc.outputs.pdf.handout import PAGE_SIZES, w3c_date
    from lessonc.outputs.pdf.worker import RenderRequest
    from lessonc.templating import environment

    env = environment("course", template_dirs)
    loader = env.loader
    assert loader is not None
    # Read raw, like the handout's stylesheet, so CSS braces never meet Jinja syntax.
    stylesheet, _, _ = loader.get_source(env, STYLESHEET)
    from lessonc import i18n
    from lessonc.outputs.pdf.script import script_css

    words = i18n.for_language(language, dict(ui))
    direction = i18n.text_direction(language)
    html = env.get_template(TEMPLATE).render(
        t=words.markup,
        tt=words.text,
        direction=direction,
        script_css=Markup(script_css(language, direction, words)),
        title=title,
        description=description,
        language=language,
        chapters=chapters,
        lesson_count=sum(len(c.lessons) for c in chapters),
        teacher=teacher,
        stylesheet=Markup(stylesheet),
        page_size=PAGE_SIZES[paper],
        created=w3c_date(timestamp),
        generator=f"lessonc {__version__}",
    )
    # No tags: the merge carries no structure tree into the course PDF anyway.
    request = RenderRequest(html=html, base_url=RENDER_ROOT, files={}, pdf_tags=False)
    try:
        result = process.render_isolated(request)
    except process.RenderTimeout as timeout:
        raise HandbookError(f"the course PDF's contents could not be rendered: {timeout}") from None
    if result.pdf is None:
        problems = [*result.refused, *result.warnings, *([result.error] if result.error else [])]
        raise HandbookError(
            "the course PDF's contents could not be rendered: " + "; ".join(problems)
        )
    return result.pdf


def _insert_front_matter(
    course: pikepdf.Pdf, front: pikepdf.Pdf, destinations: dict[str, Array]
) -> None:
    """Put the front matter's pages before the handouts', with its named destinations."""
    for index, page in enumerate(front.pages):
        course.pages.insert(index, page)
    copies = {page.obj.objgen: course.pages[index].obj for index, page in enumerate(front.pages)}
    for name, target in named_destinations(front).items():
        copied = retarget(target, copies)
        if copied is not None:
            destinations[name] = copied


def _add_outline(
    course: pikepdf.Pdf,
    title: str,
    listed: Sequence[HandbookChapter],
    handouts: list[list[_CopiedHandout]],
) -> None:
    """The course's outline: course → chapter → lesson (closed) → the handout's own entries."""
    course_item = OutlineItem(title, page_top(course.pages[0].obj))
    for chapter, chapter_handouts in zip(listed, handouts, strict=True):
        label = chapter.title if chapter.number is None else f"{chapter.number}. {chapter.title}"
        chapter_item = OutlineItem(label, page_top(chapter_handouts[0].first_page))
        for lesson, handout in zip(chapter.lessons, chapter_handouts, strict=True):
            assert course.pages[lesson.first_page - 1].obj.objgen == handout.first_page.objgen, (
                "the contents were counted from other handouts"
            )
            lesson_item = OutlineItem(
                f"{lesson.number} {lesson.title}", page_top(handout.first_page)
            )
            lesson_item.is_closed = True
            lesson_item.children = list(handout.bookmarks)
            chapter_item.children.append(lesson_item)
        course_item.children.append(chapter_item)
    with course.open_outline() as outline:
        outline.root.append(course_item)


def _point_destination(
    course: pikepdf.Pdf, destinations: dict[str, Array], name: str, page_index: int
) -> None:
    """Point the named destination ``name`` (a contents row's own id) at a page's top."""
    # A theme's contents may leave out the links: the outline still leads to every lesson.
    if name in destinations:
        destinations[name] = page_top(course.pages[page_index].obj)


def _save(
    course: pikepdf.Pdf,
    title: str,
    language: str,
    timestamp: int,
    handouts: list[list[_CopiedHandout]],
    destinations: dict[str, Array],
) -> bytes:
    """The course PDF's bytes, with its destinations, metadata and a deterministic /ID."""
    dests = pikepdf.NameTree.new(course)  # qpdf keeps the keys sorted, as a name tree must be
    for name, target in destinations.items():
        dests[name] = target
    course.Root.Names = Dictionary(Dests=dests.obj)
    course.Root.PageMode = Name.UseOutlines
    course.Root.Lang = String(language)
    pdf_date = datetime.fromtimestamp(timestamp, tz=UTC).strftime("D:%Y%m%d%H%M%SZ")
    course.docinfo = course.make_indirect(
        Dictionary(
            Title=String(title),
            Creator=String(f"lessonc {__version__}"),
            CreationDate=String(pdf_date),
            ModDate=String(pdf_date),
        )
    )
    # A new PDF says version 1.3; the course PDF is at least as new as its handouts.
    versions = [handout.pdf_version for chapter in handouts for handout in chapter]
    version = max(versions, key=lambda v: tuple(int(part) for part in v.split(".")))
    output = io.BytesIO()
    # The /ID is a hash of the content rather than random, so the same handouts and
    # timestamp give the same bytes; object streams make the file about a quarter smaller.
    course.save(
        output,
        min_version=version,
        deterministic_id=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
    return output.getvalue()
