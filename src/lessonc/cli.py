"""The ``lessonc`` command: parses flags, calls the pipeline, prints diagnostics.

Exit codes: 0 success, 1 invalid input (a lesson has errors), 2 usage error
(unknown flag, missing path), 3 internal error (a bug in lessonc: please report it),
130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import gc
import os
import shlex
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import click

from lessonc import __version__
from lessonc.cli_authoring import lint, new, reference, schema, templates
from lessonc.cli_serve import serve, watch
from lessonc.cli_support import (
    EXIT_INTERNAL,
    EXIT_INVALID,
    diagnostic_style,
    diagnostics_option,
    parse_formats,
    paths_argument,
    report_diagnostics,
)
from lessonc.diagnostics import display_path
from lessonc.editions import EDITIONS
from lessonc.outputs import DEFAULT_FORMATS, RENDERERS, BuildOptions
from lessonc.wording import count


def _one_lesson_file(paths: Sequence[Path]) -> bool:
    from lessonc.course.model import COURSE_FILES  # light: no models are imported

    return len(paths) == 1 and paths[0].is_file() and paths[0].name not in COURSE_FILES


def _source_date_epoch() -> int | None:
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise click.UsageError(
            f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {value!r}"
        )
    return int(value)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lessonc")
def main() -> None:
    """Compile YAML lessons into HTML pages, a PDF handout, an Anki deck and quiz JSON.

    \b
    Examples:
      lessonc validate content/foundation-models.yaml
      lessonc build content/foundation-models.yaml
      lessonc build content/ -o site --format html,quiz
      lessonc schema -o schema/
    """


for _command in (lint, new, reference, schema, serve, templates):
    main.add_command(_command)
# The same command under a second name, listed as one line; it keeps the name
# "serve", so the CLI reference documents it once.
main.add_command(watch, name="watch")


@main.command()
@paths_argument
@diagnostics_option
def validate(paths: tuple[Path, ...], diagnostics_style: str | None) -> None:
    """Check lesson files, folders of them or courses without writing anything.

    A course file (or a folder holding one) is checked too, with the lessons it
    lists; lesson ids must differ, as a build needs.

    \b
    Examples:
      lessonc validate content/foundation-models.yaml
      lessonc validate course/course.yaml
    """
    from lessonc.course.model import course_file_for, lesson_files
    from lessonc.pipeline import InvalidLesson, load_lesson

    style = diagnostic_style(diagnostics_style)
    listed, problems = lesson_files(list(paths))
    courses = list(dict.fromkeys(c for c in map(course_file_for, paths) if c is not None))
    files = list(dict.fromkeys(path for path, _ in listed))
    summaries = []
    first_use: dict[str, Path] = {}
    for path in files:
        try:
            loaded = load_lesson(path)
        except InvalidLesson as error:
            problems.extend(error.diagnostics)
            continue
        lesson = loaded.lesson
        if lesson.id in first_use:  # a build would refuse the second: the id names its folder
            problems.append(
                loaded.source.diagnostic(
                    ("id",), "duplicate-lesson",
                    f"lesson id '{lesson.id}' is also used by {first_use[lesson.id]}",
                    "every lesson needs its own id: it names the output folder",
                )
            )  # fmt: skip
            continue
        first_use[lesson.id] = path
        turns = sum(len(s.turns) for s in lesson.dialogue.scenes) if lesson.dialogue else 0
        summaries.append(
            f"{path}: ok: lesson '{lesson.id}', {count(turns, 'dialogue turn')}, "
            f"{count(len(lesson.chapters), 'chapter')}, "
            f"{count(len(lesson.flashcards), 'flashcard')}, "
            f"{count(len(lesson.glossary), 'glossary term')}, "
            f"{count(len(lesson.practice), 'question')}"
        )
    report_diagnostics(problems, style)
    if style != "json":
        for line in summaries:
            click.echo(line)
    errors = sum(d.is_error for d in problems)
    if errors:
        if style != "json":
            # A course file counts as a file checked, and as one that failed when it has errors.
            with_errors = {d.file for d in problems if d.is_error}
            failed = len(files) - len(summaries)
            failed += sum(display_path(course) in with_errors for course in courses)
            checked = count(len(files) + len(courses), "file")
            click.echo(f"{count(errors, 'error')} in {failed} of {checked}", err=True)
        sys.exit(EXIT_INVALID)


@main.command()
@paths_argument
@click.option(
    "-o", "--output", "out_root", type=click.Path(file_okay=False, path_type=Path),
    default=Path("build"), show_default=True,
    help="Folder that gets one sub-folder per lesson; not a folder of lesson sources.",
)  # fmt: skip
@click.option(
    "-f", "--format", "formats", default=None,
    help=f"Comma-separated formats: {', '.join(RENDERERS)}. Default: {','.join(DEFAULT_FORMATS)}.",
)  # fmt: skip
@click.option(
    "--paper",
    type=click.Choice(["a4", "letter"]),
    default="a4",
    show_default=True,
    help="PDF page size.",
)
@click.option(
    "--edition", type=click.Choice(EDITIONS), default="student", show_default=True,
    help="teacher: also write handout-teacher.pdf (and a course's course-teacher.pdf), with the "
    "teacher notes and every answer in place. Nothing else changes: no teacher note reaches "
    "the page, the student handout, the deck or the quiz.",
)  # fmt: skip
@click.option(
    "--shuffle-seed",
    type=int,
    default=None,
    help="Shuffle quiz questions and choices with this seed.",
)
@click.option(
    "--templates", "template_dirs", multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder of templates searched before the built-in ones (repeatable).",
)  # fmt: skip
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None,
    help="Lessons built at once, in worker processes: at most N, and no more than the CPUs "
    "other programs leave free. Default: the number of CPUs, or one process for fewer "
    "than 16 lessons to build.",
)  # fmt: skip
@click.option(
    "--audio-format", type=click.Choice(["ogg", "mp3"]), default="ogg", show_default=True,
    help="Audio files: Opus in Ogg, or MP3 for older players (with --format audio).",
)  # fmt: skip
@click.option(
    "--speech-command", default=None, metavar="COMMAND",
    help="Speak with this program instead of eSpeak NG: text on stdin (or in {text}), a WAV "
    "written to {out}. Only the command line can name one: never a lesson.",
)  # fmt: skip
@click.option("--force", is_flag=True, help="Rebuild every lesson, even those up to date.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first lesson that fails.")
@diagnostics_option
def build(
    paths: tuple[Path, ...],
    out_root: Path,
    formats: str | None,
    paper: str,
    edition: str,
    shuffle_seed: int | None,
    template_dirs: tuple[Path, ...],
    jobs: int | None,
    audio_format: str,
    speech_command: str | None,
    force: bool,
    fail_fast: bool,
    diagnostics_style: str | None,
) -> None:
    """Build lessons into OUTPUT/<lesson id>/: index.html, handout.pdf, deck.apkg, quiz.json.

    Outputs are stamped with SOURCE_DATE_EPOCH when it is set (byte-identical
    rebuilds), else with each source file's modification time. A lesson with
    errors leaves its previous outputs untouched. Lessons whose outputs are up
    to date are skipped (--force rebuilds them). A folder or a course.yaml is a
    course: OUTPUT also gets, by format, index.html (contents, search and the
    course files), course.pdf, course.apkg and course-quiz.json, and loses the
    folders of lessons no longer in the course.

    lessonc replaces only what it made: a lesson folder without lessonc's
    manifest.json (or with files lessonc did not write), a file in its place,
    or a folder of lesson sources is left alone and the lesson fails with
    output-not-ours. Builds into one OUTPUT at the same time take turns.

    \b
    Examples:
      lessonc build content/foundation-models.yaml
      lessonc build content/ -o site --format html,anki
      lessonc build course/course.yaml --jobs 4
      lessonc build lesson.yaml --format pdf --edition teacher
      SOURCE_DATE_EPOCH=1700000000 lessonc build lesson.yaml
    """
    try:
        chosen = parse_formats(formats or ",".join(DEFAULT_FORMATS))
    except click.BadParameter as error:
        error.param_hint = "'--format'"
        raise
    if "pdf" in chosen and (jobs == 1 or _one_lesson_file(paths)):
        # Start loading WeasyPrint in its own process now, before lessonc's own
        # imports and checks: for one lesson that is most of the PDF's start-up.
        # (Worker processes of a course build load it themselves.)
        from lessonc.outputs.pdf import prepare

        prepare()

    from lessonc.course.build_run import build as run_build
    from lessonc.feedback import BuildFeedback

    epoch = _source_date_epoch()
    options = BuildOptions(
        source_date_epoch=epoch or 0,
        paper=paper,
        edition=edition,
        shuffle_seed=shuffle_seed,
        template_dirs=tuple(template_dirs),
        audio_format=audio_format,
        with_audio="audio" in chosen,
        speech_command=tuple(shlex.split(speech_command)) if speech_command else (),
    )
    style = diagnostic_style(diagnostics_style)
    feedback = BuildFeedback(out_root, quiet=style == "json")
    from lessonc.output_root import UnsafeOutputRoot

    try:
        report = run_build(
            list(paths), out_root, chosen, options, epoch_from_sources=epoch is None,
            jobs=jobs, force=force, fail_fast=fail_fast, progress=feedback,
        )  # fmt: skip
    except UnsafeOutputRoot as error:
        raise click.UsageError(str(error)) from None
    feedback.close(report)
    report_diagnostics(report.all_diagnostics, style)
    if not report.ok:
        failed = sum(not r.ok for r in report.results)
        if style != "json" and failed:
            click.echo(
                f"{failed} of {count(len(report.results), 'lesson')} failed; "
                "their outputs were not changed",
                err=True,
            )
        elif style != "json" and report.results:
            click.echo(
                "every lesson was built; the course files were not changed", err=True
            )  # a course-level template or file failed
        sys.exit(EXIT_INVALID)


EXIT_INTERRUPTED = 130
"""128 + SIGINT, as shells report a command stopped by Ctrl-C."""


GC_YOUNG_THRESHOLD = 10_000
"""Allocations between collections of the youngest generation (Python's default: 700)."""


def run() -> None:
    """Entry point: usage errors exit 2, Ctrl-C 130, an unexpected exception 3 and a short note."""
    # A command allocates mostly what lives until it ends (modules, models, compiled
    # templates), so collecting every 700 allocations, and rescanning the whole heap
    # every hundred collections, found almost nothing and cost a sixth of a one-lesson
    # build. A build of many lessons still collects, a little less often.
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    try:
        _run()
    finally:
        # Everything left is freed with the process: frozen, it is not walked once more
        # by the interpreter's last collection. atexit handlers still run, and lessonc
        # closes its files and databases itself rather than leaving them to collection.
        gc.freeze()


def _run() -> None:
    try:
        code = main(standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("lessonc: interrupted; every lesson keeps its old or its new outputs", err=True)
        sys.stdout.flush()
        sys.stderr.flush()
        # Leave at once: interpreter shutdown would join the build's worker
        # processes, and a worker caught mid-start by the interrupt can keep that
        # waiting. Outputs are already consistent (written aside, then swapped).
        os._exit(EXIT_INTERRUPTED)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except Exception as error:  # a bug in lessonc: no traceback for authors, unless asked
        if os.environ.get("LESSONC_DEBUG"):
            traceback.print_exc()
        click.echo(
            f"lessonc: internal error: {type(error).__name__}: {error}\n"
            "  hint: this is a bug in lessonc; rerun with LESSONC_DEBUG=1 and report the traceback",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else 0)
