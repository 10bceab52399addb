"""Jinja2 environments for the formats that render templates (HTML pages, PDF handout).

Templates are looked up in the user's folders first (``--templates DIR``), then
in lessonc's built-in ``templates/``. Autoescaping is always on and undefined
names are errors, so a template typo fails the build instead of printing
nothing. Lesson text reaches templates only through the ``md`` filters, which
sanitise it (see :mod:`lessonc.markup`); it is never compiled as a template.
"""

from __future__ import annotations

import functools
import os
import types
from collections.abc import Callable, MutableMapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)
from jinja2.environment import Template
from jinja2.loaders import split_template_path
from jinja2.runtime import Context, Macro
from markupsafe import Markup, escape

from lessonc import markup, quiz_exercises
from lessonc.diagnostics import Diagnostic, display_path
from lessonc.paths import Refused, read_file
from lessonc.sandbox import SandboxedTemplates
from lessonc.template_cache import CompiledTemplates
from lessonc.template_cycles import CycleFreeTemplate


@functools.cache  # asked for every template and asset of every lesson; it cannot change
def builtin_templates() -> Path:
    """lessonc's own templates: inside the installed package, or at the top of a source checkout."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


# The handout and the course pages make a fresh environment per build step, and
# compiling their templates again each time would cost more than rendering them; a
# fresh process takes them from the user's cache folder (see lessonc.template_cache).
# Sandboxed and plain code differ, so each kind has its own cache.
_COMPILED = CompiledTemplates()
_COMPILED_BUILTIN = CompiledTemplates(sandboxed=False)

TEMPLATE_SIZE_HINT = "a template or stylesheet is a few KiB; keep large files out of the theme"


class RefusedTemplate(TemplateError):
    """A template file the path gate refused (a symlink out of its folder, a FIFO, too large)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic

    def __reduce__(self) -> tuple[type[RefusedTemplate], tuple[Diagnostic]]:
        return RefusedTemplate, (self.diagnostic,)


class _GatedLoader(FileSystemLoader):
    """Jinja2's file loader, reading each file through :func:`lessonc.paths.read_file`.

    A theme folder may arrive in a pull request like a lesson: a template in it
    that is a symlink leading out of the folder given to ``--templates`` (or a
    device, a FIFO, a huge file) is refused where it is, never read.
    """

    def __init__(self, folders: Sequence[tuple[Path, Path]]) -> None:
        super().__init__([str(folder) for folder, _ in folders])
        self._roots = [root for _, root in folders]

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Any]:
        pieces = split_template_path(template)
        for folder, root in zip(self.searchpath, self._roots, strict=True):
            path = Path(folder, *pieces)
            if not os.path.lexists(path):  # anything there at all is this template, or refused
                continue
            try:
                data = read_file(
                    path, root, place="the templates folder", size_hint=TEMPLATE_SIZE_HINT
                )
                text = data.decode(self.encoding)
                mtime = path.stat().st_mtime
            except Refused as refused:
                raise RefusedTemplate(refused.diagnostic(path)) from None
            except UnicodeDecodeError:
                wrong = Refused("source-encoding", "the template is not UTF-8", "save it as UTF-8")
                raise RefusedTemplate(wrong.diagnostic(path)) from None
            except OSError as error:  # removed between reading and the stat
                gone = Refused("source-unreadable", f"cannot read the file: {error.strerror}")
                raise RefusedTemplate(gone.diagnostic(path)) from None

            def uptodate(path: Path = path, mtime: float = mtime) -> bool:
                try:
                    return path.stat().st_mtime == mtime
                except OSError:
                    return False

            return text, os.path.normpath(path), uptodate
        raise TemplateNotFound(template)


def _escape(value: object) -> str:
    """markupsafe's escape for a ``{{ }}`` of a built-in template, its text only.

    Jinja2's compiled code calls it for each value it writes and only joins what it
    returns into the page: whether that is a Markup no code can tell. So text is
    escaped to a plain string, as markupsafe escapes it (the same five entities),
    without a Markup made around it by a Python ``__new__`` (a third of the escape's
    cost, on ~800 values a page); Markup (the page's prepared parts) passes as it is,
    where markupsafe would copy it.
    """
    if type(value) is str:
        return _escaped(value) if len(value) <= _MEMO_LENGTH else _escaped_text(value)
    if type(value) is Markup:
        return value
    if type(value) is int:  # a number, a count, a loop's index: nothing in it to escape
        return str(value)
    return escape(value)


_MEMO_LENGTH = 500
"""The longest string :func:`_escaped` keeps: a title's or a term's length at most, so its
memo stays within a few megabytes, whatever a lesson holds."""


def sanitised(html: str) -> Markup:
    """``html``, already sanitised, as Markup: a page makes a few hundred (each rendered text).

    ``Markup(html)`` runs markupsafe's ``__new__`` in Python, which looks for an
    ``__html__`` first (0.26 against 0.10 µs); a ``str`` has none, so the string is made
    a Markup directly, as that ``__new__`` ends by doing.
    """
    return str.__new__(Markup, html)


def _escaped_text(value: str) -> str:
    return (
        value.replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


_escaped = functools.lru_cache(maxsize=4096)(_escaped_text)
"""A page writes the same short strings again and again (a question's id a dozen times,
each choice's, the interface words): each is escaped once (measured: a page's render
2.52 -> 2.41 ms, 76.8 -> 75.8 M instructions a lesson of html+anki+quiz)."""


class _BuiltinTemplate(CycleFreeTemplate):
    """A built-in template, whose compiled code escapes through :func:`_escape`."""

    @classmethod
    def _from_namespace(
        cls,
        environment: Environment,
        namespace: MutableMapping[str, Any],
        globals: MutableMapping[str, Any],
    ) -> Template:
        # The compiled module imports Jinja2's escape; its functions look the name up in
        # this namespace at each call, so rebinding it here is enough.
        namespace["escape"] = _escape
        return super()._from_namespace(environment, namespace, globals)


class _BuiltinContext(Context):
    """A render's context whose calls skip Jinja2's search for an argument to pass.

    Every call in a template (``t("…")``, a macro) goes through :meth:`call`, which asks
    the callable, and its ``__call__``, whether it wants the context, the evaluation
    context or the environment first: two attribute lookups that fail, a page's few
    hundred calls over. A macro never wants one (its class says so), nor does a callable
    without Jinja2's mark: they are called at once, as Jinja2 would call them.
    """

    def call(__self, __obj: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        if type(__obj) is Macro or (
            type(__obj) in _PLAIN_CALLABLES and not hasattr(__obj, "jinja_pass_arg")
        ):
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception"
                )
        return super().call(__obj, *args, **kwargs)


_PLAIN_CALLABLES = (types.FunctionType, types.MethodType, types.BuiltinFunctionType)
"""Callables whose own ``__call__`` cannot carry Jinja2's mark: only the object itself can."""


def environment(subfolder: str, user_dirs: Sequence[Path] = ()) -> Environment:
    """An environment for one format's templates (``html``, ``pdf`` …), user folders first.

    With user folders (a theme: code from whoever wrote it), every template renders
    sandboxed with a time and depth limit (see :mod:`lessonc.sandbox`), built-in
    templates included, since a user's template can include or extend them. Without
    any, only lessonc's own templates run, and they render in plain Jinja2: they are
    tested code, lesson text reaches them only as data (never as template source),
    and the sandbox's checks on every call and lookup cost an eighth of a page's
    rendering time.
    """
    search = [(d / subfolder, d) for d in [*user_dirs, builtin_templates()]]
    options: dict[str, Any] = {
        "loader": _GatedLoader(search),
        "autoescape": True,
        "undefined": StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
        # Jinja2's optimiser folds constant expressions, which lessonc's templates hardly
        # have: it cost an eighth of compiling them (9 of 77 ms, every cold build's start)
        # and changed no output.
        "optimized": False,
    }
    if user_dirs:
        env: Environment = SandboxedTemplates(**options, bytecode_cache=_COMPILED)
    else:
        # lessonc's own files do not change while it runs: no modification time is
        # checked at each of a page's dozen template lookups (a theme's are, for serve).
        env = Environment(**options, bytecode_cache=_COMPILED_BUILTIN, auto_reload=False)
        env.template_class = _BuiltinTemplate
        env.context_class = _BuiltinContext
    # The handout draws formulas as SVG (WeasyPrint has no MathML); pages write MathML.
    writer: markup.Writer = "pdf" if subfolder == "pdf" else "html"
    env.filters["md"] = lambda text: sanitised(markup.to_html(text, writer))
    env.filters["md_inline"] = lambda text: sanitised(markup.to_inline_html(text, writer))
    env.filters["plain"] = markup.to_plain
    # The exercise types' shown orders and gaps, the same in every format that shows them.
    env.filters["gap_parts"] = quiz_exercises.gap_parts
    env.globals["shown_order"] = quiz_exercises.shown_order
    env.globals["right_options"] = quiz_exercises.right_options
    return env


def compile_into_cache(env: Environment) -> None:
    """Compile every template of ``env`` (its ``.j2`` files), keeping the code in its cache.

    A build of many lessons runs this in a process of its own while it prepares its
    first lesson (see :mod:`lessonc.course.workers`), then reads the code back from
    the cache folder rather than compiling the page's twenty templates itself.
    """
    for name in env.list_templates(extensions=("j2",)):
        env.get_template(name)


def builtin_cache_folder() -> Path | None:
    """Where lessonc's own templates are kept compiled (None: nowhere, they compile each run)."""
    return _COMPILED_BUILTIN.folder()


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
    if isinstance(error, RefusedTemplate):
        return error.diagnostic
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
