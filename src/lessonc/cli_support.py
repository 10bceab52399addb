"""What the ``lessonc`` commands share: exit codes, the paths argument, the format list and
printing diagnostics."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import click

from lessonc.diagnostics import Diagnostic, format_all
from lessonc.outputs import RENDERERS, available_formats

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


def diagnostic_style(style: str | None) -> str:
    """The style given, else GitHub annotations under GitHub Actions, else text."""
    if style:
        return style
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def report_diagnostics(diagnostics: Sequence[Diagnostic], style: str) -> None:
    """Print diagnostics: text to stderr; JSON and GitHub annotations to stdout, for machines."""
    if style == "json":
        click.echo(format_all(diagnostics, "json"))
        return
    if not diagnostics:
        return
    if style == "github":
        click.echo(format_all(diagnostics, "github"))
    click.echo(format_all(diagnostics, "text"), err=True)


diagnostics_option = click.option(
    "--diagnostics",
    "diagnostics_style",
    type=click.Choice(["text", "json", "github"]),
    default=None,
    help="How to print problems. Default: text, or GitHub annotations when GITHUB_ACTIONS=true.",
)
paths_argument = click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)
)


def parse_formats(value: str) -> list[str]:
    """The formats named by a ``--format`` value, in order, each once."""
    # "-f PDF" and "-f html, pdf" mean what they say: names are matched ignoring case and spaces.
    names = [n.strip().lower() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in RENDERERS]
    if unknown or not names:
        raise click.BadParameter(
            f"unknown format {', '.join(map(repr, unknown)) or '(none)'}; "
            f"choose from {', '.join(available_formats())}"
        )
    missing = [n for n in names if n not in available_formats()]
    if missing:
        raise click.BadParameter(f"format {', '.join(missing)} is not available in this version")
    return list(dict.fromkeys(names))
