"""Jinja2 environments for the formats that render templates (HTML pages, PDF handout).

Templates are looked up in the user's folders first (``--templates DIR``), then
in lessonc's built-in ``templates/``. Autoescaping is always on and undefined
names are errors, so a template typo fails the build instead of printing
nothing. Lesson text reaches templates only through the ``md`` filters, which
sanitise it (see :mod:`lessonc.markup`); it is never compiled as a template.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

from jinja2 import (
    BytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
)
from jinja2.bccache import Bucket
from markupsafe import Markup

from lessonc import markup
from lessonc.diagnostics import Diagnostic, display_path
from lessonc.sandbox import SandboxedTemplates


@functools.cache  # asked for every template and asset of every lesson; it cannot change
def builtin_templates() -> Path:
    """lessonc's own templates: inside the installed package, or at the top of a source checkout."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


class _CompiledTemplates(BytecodeCache):
    """Compiled templates kept in memory, keyed by name and source checksum.

    The handout and the course pages make a fresh environment per build step,
    and compiling their templates again each time would cost more than
    rendering them (the HTML page keeps one environment per process instead).
    Jinja2 checks the source checksum, so an edited template (``lessonc
    serve``) is compiled anew; nothing else is shared. Every environment that
    uses it is a :class:`~lessonc.sandbox.SandboxedTemplates`, whose compiled
    code differs from a plain environment's (guarded loops, checked calls): a
    plain environment must never share this cache.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        stored = self._code.get(bucket.key)
        if stored is not None:
            bucket.bytecode_from_string(stored)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


def environment(subfolder: str, user_dirs: Sequence[Path] = ()) -> SandboxedTemplates:
    """An environment for one format's templates (``html``, ``pdf`` …), user folders first.

    Sandboxed with a time and depth limit (see :mod:`lessonc.sandbox`), built-in
    templates included: a user's template can include or extend them.
    """
    search = [d / subfolder for d in user_dirs] + [builtin_templates() / subfolder]
    env = SandboxedTemplates(
        loader=FileSystemLoader([str(p) for p in search]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_COMPILED,
    )
    env.filters["md"] = lambda text: Markup(markup.to_html(text))
    env.filters["md_inline"] = lambda text: Markup(markup.to_inline_html(text))
    env.filters["plain"] = markup.to_plain
    return env


def read_builtin(relative: str) -> str:
    """A built-in template file's text (CSS, JS or card templates that are not Jinja2 pages)."""
    return (builtin_templates() / relative).read_text(encoding="utf-8")


TEMPLATE_HINT = (
    "check the templates in your --templates folder (lessonc templates export shows the originals)"
)


def template_diagnostic(error: TemplateError, fallback: str) -> Diagnostic:
    """A located diagnostic for a template that failed to compile or to render.

    Built-in templates are tested, so such an error comes from a user's
    ``--templates`` folder: it points at the template's line, found in the error
    (syntax) or in the traceback, whose frames Jinja2 maps to template lines;
    else at ``fallback`` (the lesson or course being built).
    """
    where: tuple[str, int] | None = None
    if isinstance(error, TemplateSyntaxError) and error.filename:
        where = (error.filename, error.lineno)
    else:
        frame = error.__traceback__
        while frame is not None:
            name = frame.tb_frame.f_code.co_filename
            if name.endswith(".j2") and Path(name).is_file():
                where = (name, frame.tb_lineno)  # the innermost template frame wins
            frame = frame.tb_next
    message = error.message if isinstance(error, TemplateSyntaxError) else str(error)
    kind = "syntax error" if isinstance(error, TemplateSyntaxError) else "error"
    text = f"template {kind}: {message or type(error).__name__}"
    if where is None:
        return Diagnostic(fallback, 1, 1, "template-error", text, TEMPLATE_HINT)
    shown = display_path(Path(where[0]))
    return Diagnostic(shown, where[1], 1, "template-error", text, TEMPLATE_HINT)
