"""The Jinja2 sandbox every lessonc template renders in, with a time and a depth limit.

A ``--templates`` folder is code from whoever wrote the theme, and CI runs it on
lesson sources from strangers. Plain Jinja2 lets a template reach Python's
internals (``cycler.__init__.__globals__.os``) and so run any command, loop for
ever, or recurse until the interpreter gives up. Here:

- templates render in Jinja2's :class:`ImmutableSandboxedEnvironment`: no
  ``_``-prefixed attribute, no function internals, no mutating list or dict
  methods, ``range()`` capped at 100,000 numbers;
- every render has a deadline (:data:`RENDER_SECONDS`), checked at each call,
  loop iteration and checked operator the template makes (the only ways it can
  repeat work), so a long loop stops with a :class:`TemplateLimitError` raised
  inside the template (its traceback names the template line). Checked in the rendering
  thread itself, so it works alike in the main process, in ``--jobs`` worker
  processes and in the threads of ``lessonc serve``, without signals;
- recursion (a macro or an include that calls itself) stops at
  :data:`MAX_DEPTH` nested macro calls, or at Python's own limit for includes,
  as a located template error rather than a crash;
- ``**`` and ``*`` are checked before they run, so ``10 ** 10000000000`` or
  ``'x' * 10 ** 12`` cannot stall or exhaust memory in one step; a step that asks
  for more memory than there is (``'x'|center(10 ** 15)``) is a template error too.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from jinja2 import TemplateError, TemplateRuntimeError, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context, Macro
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment

from lessonc.template_cycles import CycleFreeTemplate

RENDER_SECONDS = 10.0
"""Wall-clock budget of one template render; lessonc's own pages take milliseconds."""
MAX_DEPTH = 100
"""Nested macro calls allowed (a recursive macro over a lesson's parts needs a few)."""
MAX_EXPONENT = 4096
"""Largest exponent ``**`` takes (``2 ** 4096`` is instant; ``10 ** 10000000000`` is not)."""
MAX_REPEAT = 10_000_000
"""Largest string or sequence ``*`` may build, in items (about 10 MB of text)."""

_LOOP_GUARD = "lessonc_loop_guard"
"""The filter every ``{% for %}`` iterable is passed through (added at compile time)."""


_SAFE_ATTRIBUTES: dict[tuple[type, str], bool] = {}
_SAFE_ATTRIBUTES_KEPT = 10_000
"""Attribute names can come from lesson data (``obj[key]``): the memo stays bounded."""
_FORMAT_METHODS = frozenset({"format", "format_map"})


class TemplateLimitError(TemplateRuntimeError):
    """A template ran too long, nested too deeply or asked for too much."""


_DEADLINE: ContextVar[float] = ContextVar("lessonc_template_deadline", default=float("inf"))
_DEPTH: ContextVar[int] = ContextVar("lessonc_template_depth", default=0)


def _check_deadline() -> None:
    if time.monotonic() > _DEADLINE.get():
        raise TemplateLimitError(
            f"the template ran longer than {RENDER_SECONDS:g} s (an endless or very long loop?)"
        )


def _loop_guard(iterable: Iterable[Any]) -> Iterator[Any]:
    # A loop whose body makes no call would never meet the other checks.
    for item in iterable:
        _check_deadline()
        yield item


def _capped_range(*args: int) -> range:
    # Jinja2's own safe_range raises OverflowError, which is no TemplateError.
    try:
        numbers = range(*args)
        too_many = len(numbers) > MAX_RANGE
    except OverflowError:  # more numbers than a C integer counts
        too_many = True
    except TypeError as error:
        raise TemplateRuntimeError(f"range(): {error}") from None
    if too_many:
        raise TemplateLimitError(f"range() is limited to {MAX_RANGE:,} numbers")
    return numbers


class _OwnFilters(dict[str, Any]):
    """The environment's filters; those lessonc adds (``md``, ``plain`` …) run off the clock.

    Their work (Markdown of a text field, linear and capped at 100,000 characters)
    is the lesson's, not the template's: a long but valid lesson must not use up the
    render's time. Jinja2's own filters (``join``, ``sort`` …) stay on it.
    """

    def __setitem__(self, name: str, function: Any) -> None:
        super().__setitem__(name, _off_the_clock(function) if callable(function) else function)


def _off_the_clock(function: Any) -> Any:
    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        started = time.monotonic()
        try:
            return function(*args, **kwargs)
        finally:
            # Set in the render's own context: the render restores the deadline after.
            _DEADLINE.set(_DEADLINE.get() + time.monotonic() - started)

    return run


class _GuardedLoops(CodeGenerator):
    """Compiles every ``{% for %}`` to iterate through :func:`_loop_guard`."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:  # noqa: N802
        # Rewritten before code generation starts, so the filter is pulled in as a
        # dependency like any other. The compiled code carries the guard, so a
        # template from the bytecode cache is guarded too.
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, _LOOP_GUARD, [], [], None, None, lineno=loop.lineno)
        super().visit_Template(node, frame)


def _raised_by_template(error: BaseException) -> bool:
    # Jinja2 rewrites a render's traceback so template code shows as frames of the
    # template file (lessonc's templates all end in .j2).
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    return frame is not None and frame.tb_frame.f_code.co_filename.endswith(".j2")


class _GuardedTemplate(CycleFreeTemplate):
    """A template whose every render has a deadline and reports runaway recursion."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        deadline = _DEADLINE.set(time.monotonic() + RENDER_SECONDS)
        try:
            return super().render(*args, **kwargs)
        except TemplateError:
            raise
        except RecursionError as error:
            # An include that includes itself: Python's limit stopped it. Keep the
            # traceback, whose innermost template frame is the line to point at.
            raise TemplateLimitError(
                "templates nest too deeply (an include or macro that calls itself?)"
            ).with_traceback(error.__traceback__) from None
        except MemoryError as error:
            # ``'x'|center(10**15)``: one step that asks for more memory than there is
            # (lessonc's own pages need a few megabytes).
            raise TemplateLimitError(
                "the template asked for more memory than there is"
            ).with_traceback(error.__traceback__) from None
        except Exception as error:
            # ``{{ 1 / 0 }}`` or ``{{ 'a' + 1 }}`` is the template's mistake, not lessonc's;
            # an error raised inside a filter (lessonc's Python) stays a bug to report.
            if not _raised_by_template(error):
                raise
            raise TemplateRuntimeError(f"{type(error).__name__}: {error}").with_traceback(
                error.__traceback__
            ) from None
        finally:
            _DEADLINE.reset(deadline)


class SandboxedTemplates(ImmutableSandboxedEnvironment):
    """lessonc's template environment: Jinja2's immutable sandbox plus the limits above."""

    code_generator_class = _GuardedLoops
    template_class = _GuardedTemplate
    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters[_LOOP_GUARD] = _loop_guard  # on the clock: it is the clock
        self.filters = _OwnFilters(self.filters)
        self.globals["range"] = _capped_range
        # lipsum(n=10**9) would write text for minutes in one call; no theme needs it.
        del self.globals["lipsum"]

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # Jinja2 decides from the object's type and the attribute's name alone, with
        # a dozen isinstance checks against ABCs per lookup: that tripled the page's
        # rendering time, so each decision is kept.
        key = (type(obj), attr)
        known = _SAFE_ATTRIBUTES.get(key)
        if known is None:
            known = super().is_safe_attribute(obj, attr, value)
            if len(_SAFE_ATTRIBUTES) < _SAFE_ATTRIBUTES_KEPT:
                _SAFE_ATTRIBUTES[key] = known
        return known

    def getattr(self, obj: Any, attribute: str) -> Any:
        # No deadline check here: a lookup runs once per place in the template unless
        # a loop, a call or recursion repeats it, and those are checked.
        # The common case, an attribute already known to be safe on this type, skips
        # Jinja2's layers; the rest (items, str.format, unsafe names) goes through them.
        if _SAFE_ATTRIBUTES.get((type(obj), attribute)) and attribute not in _FORMAT_METHODS:
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass
        return super().getattr(obj, attribute)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        # The odd names are Jinja2's: they keep a template's keyword arguments
        # named "self", "context" or "obj" from clashing with these.
        _check_deadline()
        if not isinstance(__obj, Macro):
            return super().call(__context, __obj, *args, **kwargs)
        depth = _DEPTH.get()
        if depth >= MAX_DEPTH:
            raise TemplateLimitError(
                f"macros nest more than {MAX_DEPTH} deep (a macro that calls itself for ever?)"
            )
        token = _DEPTH.set(depth + 1)
        try:
            return super().call(__context, __obj, *args, **kwargs)
        finally:
            _DEPTH.reset(token)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _check_deadline()
        if operator == "**" and isinstance(right, int) and right > MAX_EXPONENT:
            raise TemplateLimitError(f"an exponent over {MAX_EXPONENT} is not allowed")
        if operator == "*":
            sized = left if isinstance(right, int) else right
            times = right if isinstance(right, int) else left
            if (
                isinstance(sized, str | bytes | list | tuple)
                and isinstance(times, int)
                and len(sized) * times > MAX_REPEAT
            ):
                raise TemplateLimitError(
                    f"'*' would build more than {MAX_REPEAT:,} items or characters"
                )
        return super().call_binop(context, operator, left, right)
