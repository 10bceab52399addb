"""The PDF handout format: ``handout.pdf``, laid out by print templates and WeasyPrint.

Order of work: take the images validation checked (a URL, a path outside the
lesson folder or a file no decoder accepts is a located error there, and
nothing is fetched), build the print HTML, then render it in a child process
with a time limit and a fetcher that serves only those files' checked bytes
(an SVG as sanitised, never as it is on disk). A refused fetch or a WeasyPrint
message about the document (an image, the CSS) fails the build: a handout
silently missing an image is worse than none. A message about the machine (an
optional library it lacks) does not: the handout is written with one
``pdf-environment`` warning that names the package to install (see
:mod:`lessonc.outputs.pdf.messages`).

Importing this package is cheap: templates, the model and WeasyPrint load
inside :meth:`PdfRenderer.render`, so ``--format html`` never imports
WeasyPrint, and the fork server that renders PDFs loads only what it needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote

from lessonc.assets import text_fields
from lessonc.diagnostics import Severity
from lessonc.outputs import Artifact, BuildContext, RenderError

if TYPE_CHECKING:
    from lessonc.assets import LessonFile
    from lessonc.diagnostics import Diagnostic
    from lessonc.editions import Edition
    from lessonc.model import Lesson
    from lessonc.outputs.pdf.worker import RenderResult
    from lessonc.source import PathKey

OUTPUT_PATH = "handout.pdf"
TEACHER_PATH = "handout-teacher.pdf"
"""The teacher edition (``--edition teacher``), written beside the student's handout."""
PDF_VARIANT = "pdf/ua-1"
"""PDF/UA-1: tagged (structure tree, MarkInfo, language); renders correctly with WeasyPrint 70."""


def prepare() -> None:
    """Start loading WeasyPrint in the background; a build that will write PDFs may call it first.

    The fork server imports WeasyPrint (about a second) while the caller goes
    on validating the lesson and writing other formats, on another core.
    """
    from lessonc.outputs.pdf import process

    process.warm_up()


class PdfRenderer:
    """Writes the lesson's printable handout, and with ``--edition teacher`` the teacher's."""

    name = "pdf"
    teacher_edition = True
    """Given the whole lesson, teacher notes included: the student handout leaves them out."""

    def render(self, lesson: Lesson, ctx: BuildContext) -> Iterable[Artifact]:
        """``handout.pdf``, and ``handout-teacher.pdf`` in a teacher build; raises
        :class:`RenderError` with located diagnostics."""
        from lessonc.outputs.pdf.handout import PAGE_SIZES

        if ctx.options.paper not in PAGE_SIZES:
            ctx.diagnostics.append(
                ctx.source.diagnostic(
                    (), "pdf-paper", f"unknown paper size '{ctx.options.paper}'",
                    f"use one of: {', '.join(PAGE_SIZES)}",
                )
            )  # fmt: skip
            raise RenderError(f"unknown paper size {ctx.options.paper!r}")
        prepare()  # WeasyPrint loads in the fork server while the HTML is built
        artifacts = [Artifact(OUTPUT_PATH, _handout(lesson, ctx, "student"))]
        if ctx.options.edition == "teacher":
            # One message about the machine or a glyph is enough for both editions.
            said = list(ctx.diagnostics)
            teacher = _handout(lesson, ctx, "teacher")
            ctx.diagnostics[len(said) :] = [
                d for d in ctx.diagnostics[len(said) :] if d not in said
            ]
            artifacts.append(Artifact(TEACHER_PATH, teacher))
        return artifacts


def _handout(lesson: Lesson, ctx: BuildContext, edition: Edition) -> bytes:
    """One edition of the handout as PDF bytes."""
    from lessonc.assets import images_for
    from lessonc.outputs.pdf import process
    from lessonc.outputs.pdf.handout import handout_html
    from lessonc.outputs.pdf.worker import RenderRequest

    files = images_for(lesson, ctx).files
    html = handout_html(
        lesson,
        paper=ctx.options.paper,
        source_date_epoch=ctx.options.source_date_epoch,
        template_dirs=ctx.options.template_dirs,
        audio_format=ctx.options.audio_format if ctx.options.with_audio else None,
        edition=edition,
    )
    allowed = {_allow_key(f.reference): f.data for f in files}
    request = RenderRequest(
        html=html, base_url=RENDER_ROOT.as_uri() + "/", files=allowed, pdf_variant=PDF_VARIANT
    )
    try:
        result = process.render_isolated(request)
    except process.RenderTimeout as timeout:
        ctx.diagnostics.append(
            ctx.source.diagnostic(
                (), "pdf-timeout", f"the handout could not be rendered: {timeout}",
                "a template or stylesheet in a --templates folder may make layout loop",
            )
        )  # fmt: skip
        raise RenderError(str(timeout)) from None
    if result.pdf is None:
        ctx.diagnostics.extend(_failure_diagnostics(result, files, ctx))
        raise RenderError("the handout could not be rendered")
    ctx.diagnostics.extend(_glyph_warnings(lesson, result.missing_glyphs, ctx))
    ctx.diagnostics.extend(_machine_and_unknown_warnings(result, ctx))
    return result.pdf


def _machine_and_unknown_warnings(result: RenderResult, ctx: BuildContext) -> list[Diagnostic]:
    """At most one warning for the machine's shortcomings, and one per message nobody judged."""
    from lessonc.outputs.pdf.messages import environment_advice

    found: list[Diagnostic] = []
    if result.environment:
        message, hint = environment_advice(result.environment)
        found.append(ctx.source.diagnostic((), "pdf-environment", message, hint))
    for unknown in result.unknown:
        found.append(
            ctx.source.diagnostic(
                (), "pdf-warning", f"WeasyPrint: {unknown}",
                "lessonc does not know this message, so the handout was written: check it, "
                "and report the message to lessonc if the handout is wrong",
            )
        )  # fmt: skip
    return [replace(d, severity=Severity.WARNING) for d in found]


def _glyph_warnings(lesson: Lesson, glyphs: Iterable[str], ctx: BuildContext) -> list[Diagnostic]:
    """A warning at the first text holding each character that no installed font can draw."""
    by_node: dict[PathKey, list[str]] = {}
    fields = list(text_fields(lesson))
    for glyph in glyphs:
        node = next((path for path, text in fields if glyph in text), ())
        by_node.setdefault(node, []).append(glyph)
    return [
        replace(
            ctx.source.diagnostic(
                node, "pdf-missing-glyph",
                "no installed font has " + ", ".join(f"'{g}' (U+{ord(g):04X})" for g in chars)
                + "; the handout shows a box instead",
                "install a font that covers it (Debian: fonts-noto-cjk for Chinese, Japanese "
                "and Korean, fonts-noto-core for most other scripts)",
            ),
            severity=Severity.WARNING,
        )
        for node, chars in by_node.items()
    ]  # fmt: skip


RENDER_ROOT = PurePosixPath("/lessonc-lesson")
"""The folder WeasyPrint is told the lesson lives in. The real folder never reaches it:
WeasyPrint names embedded images by their URL, so a real path would make the PDF differ
between checkouts; and the child reads nothing from disk anyway (it gets the files' bytes)."""


def _allow_key(reference: str) -> str:
    """How the child will spell the path of an image the HTML names as ``reference``."""
    from lessonc.outputs.pdf.worker import normalise_path

    return normalise_path(str(RENDER_ROOT / unquote(reference)))


def _failure_diagnostics(
    result: RenderResult, files: Iterable[LessonFile], ctx: BuildContext
) -> list[Diagnostic]:
    """Located errors for a render that produced no PDF, pointing at the image's node when known."""
    from lessonc.outputs.pdf.worker import path_of_file_url

    node_of = {_allow_key(f.reference): f.yaml_path for f in files}
    found: list[Diagnostic] = []
    for url in result.refused:
        path = path_of_file_url(url)
        found.append(
            ctx.source.diagnostic(
                node_of.get(path or "", ()), "pdf-fetch-refused",
                f"the handout tried to load '{url}', not one of the lesson's checked files",
                "images must be files in the lesson's folder; templates may not load other files",
            )
        )  # fmt: skip
    for warning in result.warnings:
        # "Failed to render SVG image file:///…": at the text naming the image, when one does.
        named = re.search(r"file:[^\s'\"]+", warning)
        node = node_of.get(path_of_file_url(named.group()) or "", ()) if named else ()
        found.append(
            ctx.source.diagnostic(
                node, "pdf-warning", f"WeasyPrint: {warning}",
                "the handout is not written while WeasyPrint reports a problem with the document",
            )
        )  # fmt: skip
    if result.error and not found:
        found.append(
            ctx.source.diagnostic(
                (), "pdf-render-failed", f"the handout could not be rendered: {result.error}"
            )
        )
    return found


RENDERER = PdfRenderer()
