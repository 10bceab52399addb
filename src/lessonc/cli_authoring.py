"""The ``lessonc`` commands that help an author start and check lessons: ``new``, ``lint``,
``schema``, ``templates export`` and ``reference`` (the group in :mod:`lessonc.cli` adds them)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from lessonc.cli_support import (
    EXIT_INVALID,
    EXIT_USAGE,
    diagnostic_style,
    diagnostics_option,
    report_diagnostics,
)
from lessonc.wording import count


@click.command()
@click.option(
    "-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
    default=Path("schema"), show_default=True, help="Folder for the *.schema.json files.",
)  # fmt: skip
def schema(out_dir: Path) -> None:
    """Write the JSON Schemas (2020-12) of the lesson, course file and quiz formats.

    \b
    Example:
      lessonc schema -o schema/
    """
    from lessonc.schemas import all_schemas

    out_dir.mkdir(parents=True, exist_ok=True)
    for name, document in all_schemas().items():
        target = out_dir / name
        target.write_text(
            json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        click.echo(f"wrote {target}")


def _suggested_id(typed: str) -> str | None:
    """The id an author probably meant ("Photosynthesis" → "photosynthesis"), if any."""
    import re

    from lessonc.model import SLUG_PATTERN, slugify

    if re.fullmatch(SLUG_PATTERN, typed):
        return None  # the id was fine; something else went wrong
    suggestion = slugify(typed)
    # A lesson id names folders and URLs, so it stays ASCII; slugify keeps other scripts'
    # letters (for item ids), and hashes text with none ("item-…"): no suggestion then.
    if not re.fullmatch(SLUG_PATTERN, suggestion) or suggestion.startswith("item-"):
        return None
    return suggestion


@click.command()
@click.argument("lesson_id", metavar="ID")
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder for the new ID.yaml.",
)
@click.option(
    "--language", "language", default="en", show_default=True, metavar="TAG",
    help="BCP 47 tag of the lesson: sets language and direction, and names the sections "
    "in that language (fa, de, zh-Hans …).",
)  # fmt: skip
def new(lesson_id: str, out_dir: Path, language: str) -> None:
    """Write a commented starter lesson ID.yaml that shows every part of the format.

    It validates and builds as it is; an existing file is never overwritten. Its first
    line points editors at schema/lesson.schema.json in the current folder, which is
    written when missing (`lessonc schema` refreshes it).

    \b
    Examples:
      lessonc new photosynthesis -o content/
      lessonc new python-dictionaries --language fa
    """
    import re

    from lessonc.scaffold import ScaffoldError, write_schema_if_missing, write_starter

    try:
        if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", language):
            raise ScaffoldError(f"'{language}' is not a BCP 47 language tag, e.g. 'fa' or 'pt-BR'")
        target = write_starter(lesson_id, out_dir, language=language)
        schema_file = write_schema_if_missing()
    except ScaffoldError as error:
        click.echo(f"lessonc new: {error}", err=True)
        suggestion = _suggested_id(lesson_id)
        if suggestion is not None:
            option = "" if out_dir == Path(".") else f" -o {out_dir}"
            click.echo(f"  hint: try `lessonc new {suggestion}{option}`", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"wrote {target}")
    if schema_file is not None:
        click.echo(f"wrote {schema_file} (the lesson's first line points editors at it)")
    click.echo(f"next: edit it, then `lessonc serve {target}` to see it as you write")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--strict", is_flag=True, help="Treat warnings as errors (exit 1 when there are any), for CI."
)
@click.option(
    "--disable", "disabled", multiple=True, metavar="CODE",
    help="Switch a rule off for this run (repeatable), e.g. --disable L104.",
)  # fmt: skip
@click.option("--list-rules", is_flag=True, help="List the rules and their codes, then exit.")
@diagnostics_option
def lint(
    paths: tuple[Path, ...],
    strict: bool,
    disabled: tuple[str, ...],
    list_rules: bool,
    diagnostics_style: str | None,
) -> None:
    """Validate lessons and warn about what is valid but probably unintended.

    Each warning has a code (L101 …). Switch rules off for one lesson with a
    comment line at the top of its source, `# lessonc: disable=L101,L104`, or
    for a run with --disable. Exit 0 unless there are errors (or, with
    --strict, warnings).

    \b
    Examples:
      lessonc lint content/
      lessonc lint --strict --disable L104 content/foundation-models.yaml
      lessonc lint --list-rules
    """
    from lessonc.lint import lint_paths, rules_table, unknown_codes

    if list_rules:
        click.echo(rules_table())
        return
    if not paths:
        raise click.UsageError("give at least one lesson file or folder (or --list-rules)")
    unknown = unknown_codes(disabled)
    if unknown:
        raise click.BadParameter(
            f"no rule has the code {', '.join(unknown)}; see --list-rules",
            param_hint="'--disable'",
        )
    style = diagnostic_style(diagnostics_style)
    report = lint_paths(list(paths), disabled, strict=strict)
    report_diagnostics(report.diagnostics, style)
    if style != "json":
        click.echo(
            f"{count(report.files, 'lesson')} checked: {count(report.errors, 'error')}, "
            f"{count(report.warnings, 'warning')}",
            err=True,
        )
    if report.errors:
        sys.exit(EXIT_INVALID)


@click.group()
def templates() -> None:
    """Work with the page templates: start a theme from the built-in ones.

    \b
    Lookup order for every template file: each --templates folder in the
    order given, then the built-in templates. A theme holds only the files
    it changes, under the same relative paths (html/…, pdf/…).
    """


@templates.command("export")
@click.argument("destination", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace template files that exist already.")
def templates_export(destination: Path, force: bool) -> None:
    """Copy the built-in templates into DESTINATION (never overwriting a file without --force).

    Nothing is written when a file exists already (unless --force) or when a
    symlink stands in DESTINATION on the way to a file (even with --force).

    \b
    Example:
      lessonc templates export themes/mine
      lessonc build lesson.yaml --templates themes/mine
    """
    from lessonc.scaffold import ScaffoldError, export_templates

    try:
        written = export_templates(destination, force=force)
    except ScaffoldError as error:
        click.echo(f"lessonc templates export: {error}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"wrote {count(len(written), 'file')} to {destination}")
    click.echo("keep only the files you change; the rest fall back to the built-in ones")


@click.command()
@click.option(
    "-o", "--output", "out_file", type=click.Path(dir_okay=False, path_type=Path),
    default=None, help="File to write. Default: print to standard output.",
)  # fmt: skip
@click.option("--cli", "of_cli", is_flag=True, help="The command-line reference instead.")
def reference(out_file: Path | None, of_cli: bool) -> None:
    """Write the lesson format reference (Markdown) generated from the models.

    \b
    Examples:
      lessonc reference -o docs/format-reference.md
      lessonc reference --cli -o docs/cli.md
    """
    from lessonc.reference import cli_reference, format_reference

    root = click.get_current_context().find_root().command
    text = cli_reference(root) if of_cli else format_reference()
    if out_file is None:
        click.echo(text, nl=False)
        return
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(text, encoding="utf-8")
    click.echo(f"wrote {out_file}")
