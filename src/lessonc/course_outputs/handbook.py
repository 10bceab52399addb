"""``course.pdf``: a title page and contents, then every lesson's handout in course order.

The lessons' handouts are not laid out again: they are already written (or kept
from the last build, when a lesson was current) in ``OUT/<lesson id>/handout.pdf``,
so the course PDF reads them from there and appends them after a front matter
rendered by WeasyPrint through the handout's own isolated renderer (same child
process, time limit and fetcher; this front matter is given no file at all).
pypdf does the merge and writes the outline: course → chapter → lesson, with
each handout's own outline under its lesson.

The contents give each lesson's page in the course PDF, which depends on the
front matter's own length: the front matter is rendered, its pages counted, and
rendered again in the rare case the count moved (a contents that runs onto
another page).

What does not survive the merge: the handouts' structure trees (pypdf does
not combine them), so the course PDF is untagged, unlike each handout.

Cost: pypdf parses each handout in pure Python and keeps every parsed handout
until the file is written (about 0.1 s and 6 MB for a 13-page handout), in the
serial course step; the front matter renders in about a third of a second.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    Fit,
    IndirectObject,
    NameObject,
    TextStringObject,
)

from lessonc import __version__
from lessonc.course_outputs import COURSE_PDF, CourseOutputError
from lessonc.outputs.pdf import OUTPUT_PATH as HANDOUT

if TYPE_CHECKING:
    from lessonc.course_outputs import OrderedChapter

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
class _Handout:
    """A lesson's handout as read back from the output folder."""

    id: str
    number: str
    title: str
    reader: PdfReader


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
) -> bytes:
    """The reproducible ``course.pdf`` of the handouts already written under ``out_root``."""
    chapters = [chapter for chapter in chapters if chapter.lessons]
    handouts = [
        [_read_handout(out_root, s.id, s.number, s.title) for s in chapter.lessons]
        for chapter in chapters
    ]
    front_pages = _likely_front_pages(chapters)
    for _ in range(MAX_FRONT_MATTER_RENDERS):
        listed = _contents(chapters, handouts, front_pages)
        front = PdfReader(
            io.BytesIO(
                front_matter_pdf(
                    title=title, description=description, language=language,
                    chapters=listed, paper=paper, timestamp=timestamp,
                    template_dirs=template_dirs,
                )
            )
        )  # fmt: skip
        if len(front.pages) == front_pages:
            break
        front_pages = len(front.pages)
    else:
        raise HandbookError("the contents' page numbers do not settle")
    return _merge(title, language, timestamp, front, listed, handouts)


def _likely_front_pages(chapters: Sequence[OrderedChapter]) -> int:
    """A first guess of the front matter's length, so most courses render it once.

    The title page, then about forty contents rows a page (a lesson is a row, a
    chapter title about two); a wrong guess costs one more render, never a wrong number.
    """
    rows = sum(len(chapter.lessons) + 2 for chapter in chapters)
    return 1 + max(1, math.ceil(rows / 40))


def _read_handout(out_root: Path, lesson_id: str, number: str, title: str) -> _Handout:
    path = out_root / lesson_id / HANDOUT
    try:
        data = path.read_bytes()
        reader = PdfReader(io.BytesIO(data))
    except OSError as error:
        raise HandbookError(
            f"cannot read the handout of '{lesson_id}': {error.strerror or error}"
        ) from None
    except PyPdfError as error:  # damaged since it was written: not ours to repair
        raise HandbookError(
            f"the handout of '{lesson_id}' is not a readable PDF: {error}"
        ) from None
    return _Handout(lesson_id, number, title, reader)


def _contents(
    chapters: Sequence[OrderedChapter], handouts: list[list[_Handout]], front_pages: int
) -> list[HandbookChapter]:
    """The chapters with each lesson's first page, the front matter being ``front_pages`` long."""
    next_page = front_pages + 1
    listed: list[HandbookChapter] = []
    for chapter, chapter_handouts in zip(chapters, handouts, strict=True):
        lessons: list[HandbookLesson] = []
        for handout in chapter_handouts:
            lessons.append(HandbookLesson(handout.id, handout.number, handout.title, next_page))
            next_page += len(handout.reader.pages)
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
) -> bytes:
    """The title page and contents, rendered like a handout: isolated, fetching nothing."""
    from lessonc.outputs.pdf import process
    from lessonc.outputs.pdf.handout import PAGE_SIZES, w3c_date
    from lessonc.outputs.pdf.worker import RenderRequest
    from lessonc.templating import environment

    env = environment("course", template_dirs)
    loader = env.loader
    assert loader is not None
    # Read raw, like the handout's stylesheet, so CSS braces never meet Jinja syntax.
    stylesheet, _, _ = loader.get_source(env, STYLESHEET)
    html = env.get_template(TEMPLATE).render(
        title=title,
        description=description,
        language=language,
        chapters=chapters,
        lesson_count=sum(len(c.lessons) for c in chapters),
        stylesheet=Markup(stylesheet),
        page_size=PAGE_SIZES[paper],
        created=w3c_date(timestamp),
        generator=f"lessonc {__version__}",
    )
    # No tags: pypdf cannot carry a structure tree into the merged file anyway.
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


def _merge(
    title: str,
    language: str,
    timestamp: int,
    front: PdfReader,
    listed: Sequence[HandbookChapter],
    handouts: list[list[_Handout]],
) -> bytes:
    writer = PdfWriter()
    writer.append(front, import_outline=False)
    course_item = writer.add_outline_item(title=title, page_number=0)
    for chapter, chapter_handouts in zip(listed, handouts, strict=True):
        chapter_item: IndirectObject | None = None
        for lesson, handout in zip(chapter.lessons, chapter_handouts, strict=True):
            start = len(writer.pages)
            assert start == lesson.first_page - 1, "the contents were counted from other handouts"
            # Every handout names its sections alike ('objectives', 'summary' …): pypdf keeps
            # the first of two equal names, which would send each lesson's own contents
            # links into the first lesson. Prefixed, they stay apart and stay addressable
            # (course.pdf#attention/objectives).
            _prefix_destinations(handout.reader, f"{handout.id}/")
            writer.append(handout.reader, import_outline=False)
            if chapter_item is None:
                label = (
                    chapter.title
                    if chapter.number is None
                    else f"{chapter.number}. {chapter.title}"
                )
                chapter_item = writer.add_outline_item(
                    title=label, page_number=start, parent=course_item
                )
            lesson_item = writer.add_outline_item(
                title=f"{lesson.number} {lesson.title}",
                page_number=start,
                parent=chapter_item,
                is_open=False,
            )
            _copy_outline(writer, handout, start, lesson_item)
            _point_destination(writer, lesson.anchor, start)
    writer.page_mode = "/UseOutlines"
    writer.root_object[NameObject("/Lang")] = TextStringObject(language)
    pdf_date = datetime.fromtimestamp(timestamp, tz=UTC).strftime("D:%Y%m%d%H%M%SZ")
    writer.add_metadata(
        {
            "/Title": title,
            "/Creator": f"lessonc {__version__}",
            "/CreationDate": pdf_date,
            "/ModDate": pdf_date,
        }
    )
    # pypdf writes no /ID unless asked (only encryption asks), so nothing random
    # enters the file: the same handouts and timestamp give the same bytes.
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _prefix_destinations(reader: PdfReader, prefix: str) -> None:
    """Rename the handout's named destinations, and its links to them, with ``prefix``."""
    names = reader.root_object.get("/Names")
    if names is not None and "/Dests" in names.get_object():
        _prefix_name_tree(names.get_object()["/Dests"].get_object(), prefix)
    for page in reader.pages:
        for reference in page.get("/Annots", None) or []:
            annotation = reference.get_object()
            if isinstance(annotation.get("/Dest"), str):
                annotation[NameObject("/Dest")] = TextStringObject(prefix + annotation["/Dest"])
            action = annotation.get("/A")
            if action is not None and isinstance(action.get_object().get("/D"), str):
                action = action.get_object()
                action[NameObject("/D")] = TextStringObject(prefix + action["/D"])


def _prefix_name_tree(node: DictionaryObject, prefix: str) -> None:
    """A name tree node and its kids, every key renamed (the order of keys is kept)."""
    entries = node.get("/Names")
    if entries is not None:
        entries = entries.get_object()
        for index in range(0, len(entries), 2):
            entries[index] = TextStringObject(prefix + entries[index])
    for kid in node.get("/Kids", None) or []:
        _prefix_name_tree(kid.get_object(), prefix)
    limits = node.get("/Limits")
    if limits is not None:
        limits = limits.get_object()
        node[NameObject("/Limits")] = ArrayObject(TextStringObject(prefix + n) for n in limits)


def _copy_outline(writer: PdfWriter, handout: _Handout, start: int, parent: IndirectObject) -> None:
    """The handout's own outline entries under its lesson's entry, pointing at the copied pages."""
    entries: list[Any] = list(handout.reader.outline)
    # The handout's first entry is its title, on its first page: the lesson's entry already is.
    # (Dropped only when childless, so no entry loses its parent.)
    title_first = bool(entries) and not isinstance(entries[0], list)
    if title_first and entries[0].title == handout.title and not _has_children(entries, 0):
        entries = entries[1:]
    _copy_entries(writer, handout.reader, entries, start, parent)


def _has_children(entries: list[Any], index: int) -> bool:
    """pypdf lists an entry's children as the list right after it."""
    return index + 1 < len(entries) and isinstance(entries[index + 1], list)


def _copy_entries(
    writer: PdfWriter, reader: PdfReader, entries: list[Any], start: int, parent: IndirectObject
) -> None:
    last: IndirectObject = parent
    for entry in entries:
        if isinstance(entry, list):  # the children of the entry before
            _copy_entries(writer, reader, entry, start, last)
            continue
        page = reader.get_destination_page_number(entry)
        if page is None:  # an entry that points nowhere in the handout points nowhere here
            continue
        fit = Fit.xyz(entry.left, entry.top, entry.zoom) if entry.typ == "/XYZ" else Fit.fit()
        last = writer.add_outline_item(
            title=entry.title, page_number=start + page, parent=parent, fit=fit
        )


def _point_destination(writer: PdfWriter, name: str, page_index: int) -> None:
    """Point the named destination ``name`` (a contents row's own id) at a page's top."""
    names = writer.get_named_dest_root()
    for index in range(0, len(names), 2):
        if names[index] == name:
            page = writer.pages[page_index].indirect_reference
            names[index + 1] = ArrayObject([page, NameObject("/Fit")])
            return
    # A theme's contents may leave out the links: the outline still leads to every lesson.
