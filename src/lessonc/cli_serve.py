"""``lessonc serve`` (and its alias ``watch``): build, serve on 127.0.0.1 and rebuild on every
save (the group in :mod:`lessonc.cli` adds them)."""

from __future__ import annotations

import copy
from pathlib import Path

import click

from lessonc.cli_support import parse_formats, paths_argument
from lessonc.outputs import RENDERERS, BuildOptions


@click.command()
@paths_argument
@click.option(
    "-p", "--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
    help="Port on 127.0.0.1 (0: any free one).",
)  # fmt: skip
@click.option(
    "-o", "--output", "out_root", type=click.Path(file_okay=False, path_type=Path),
    default=None, help="Build folder. Default: a temporary folder removed on exit.",
)  # fmt: skip
@click.option(
    "-f", "--format", "formats", default="html", show_default=True,
    help=f"Comma-separated formats to rebuild on each save: {', '.join(RENDERERS)}.",
)  # fmt: skip
@click.option(
    "--templates", "template_dirs", multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder of templates searched before the built-in ones (repeatable; watched too).",
)  # fmt: skip
def serve(
    paths: tuple[Path, ...],
    port: int,
    out_root: Path | None,
    formats: str,
    template_dirs: tuple[Path, ...],
) -> None:
    """Build, serve on http://127.0.0.1:PORT/ and rebuild on every save; Ctrl-C stops.

    The open page reloads after each good build. When a save does not build,
    the page keeps the last good build and shows the errors over it, and the
    terminal prints them as file:line:col. The built files themselves are the
    same as `lessonc build` writes. Only http://127.0.0.1:PORT/ and
    http://localhost:PORT/ are answered, and no other site can read the preview.

    \b
    Example:
      lessonc serve content/foundation-models.yaml --port 8001
    """
    import tempfile

    from lessonc.output_root import UnsafeOutputRoot
    from lessonc.serve import DevServer, ListenError

    try:
        chosen = parse_formats(formats)
    except click.BadParameter as error:
        error.param_hint = "'--format'"
        raise
    options = BuildOptions(source_date_epoch=0, template_dirs=tuple(template_dirs))
    with tempfile.TemporaryDirectory(prefix="lessonc-serve-") as scratch:
        root = out_root or Path(scratch)
        try:
            server = DevServer(list(paths), root, chosen, options, port=port,
                               echo=lambda line: click.echo(line, err=True))  # fmt: skip
        except ListenError as error:
            raise click.UsageError(str(error)) from None
        try:
            server.start()
        except UnsafeOutputRoot as error:
            raise click.UsageError(str(error)) from None
        click.echo(f"serving {server.url}  (Ctrl-C stops)", err=True)
        click.echo(server.url)
        try:
            server.watch()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
        click.echo("stopped", err=True)


watch = copy.copy(serve)
watch.short_help = "Alias of serve."
