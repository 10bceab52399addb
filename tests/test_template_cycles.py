"""A render leaves no reference cycle: reference counting frees the page it made."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import EXAMPLE
from lessonc import templating
from lessonc.outputs import BuildOptions
from lessonc.pipeline import load_lesson, render


@contextmanager
def _cycles_kept() -> Iterator[None]:
    """The collector off, and what it would free kept in ``gc.garbage`` to look at."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def _cyclic_garbage() -> list[str]:
    gc.collect()
    return sorted({type(thing).__qualname__ for thing in gc.garbage})


def test_a_lessons_page_deck_and_quiz_leave_no_cyclic_garbage() -> None:
    # The practice questions import their macros "with context": each such import is a
    # context and macros that refer to each other, holding the whole page's data.
    loaded = load_lesson(EXAMPLE)
    options = BuildOptions(source_date_epoch=0, in_course=True)
    render(loaded, ("html", "anki", "quiz"), options)  # the first render compiles and caches
    with _cycles_kept():
        artifacts, problems = render(loaded, ("html", "anki", "quiz"), options)
        assert _cyclic_garbage() == []
    assert not problems and any(a.path == "index.html" for _, a in artifacts)


def _theme(folder: Path) -> Path:
    (folder / "html").mkdir(parents=True)
    (folder / "html" / "shout.j2").write_text(
        '{% set mark = "!" %}{% macro shout(word) %}{{ word|upper }}{{ mark }}{% endmacro %}'
    )
    (folder / "html" / "shout_include.j2").write_text(
        '{% set mark = "!" %}{% macro shout(word) %}{{ word|upper }}{% include "mark.j2" %}'
        "{% endmacro %}"
    )
    (folder / "html" / "mark.j2").write_text("{{ mark }}{{ range(1)|list|length }}")
    (folder / "html" / "with_context.j2").write_text(
        '{% from "shout.j2" import shout with context %}{{ shout(word) }}'
    )
    (folder / "html" / "without_context.j2").write_text(
        '{% from "shout_include.j2" import shout %}{{ shout(word) }}'
    )
    return folder


def test_a_theme_that_imports_with_context_leaves_no_cyclic_garbage(tmp_path: Path) -> None:
    env = templating.environment("html", [_theme(tmp_path)])
    template = env.get_template("with_context.j2")
    assert template.render(word="hi") == "HI!"
    with _cycles_kept():
        assert template.render(word="again") == "AGAIN!"
        assert _cyclic_garbage() == []


def test_a_module_kept_for_later_renders_keeps_its_macros(tmp_path: Path) -> None:
    # Imported without context, the macros' module is made once and kept on the template:
    # emptying its context after the first render would break the second (the template
    # the macro includes finds `range`, a global, through that context).
    env = templating.environment("html", [_theme(tmp_path)])
    template = env.get_template("without_context.j2")
    assert template.render(word="one") == "ONE!1"
    assert template.render(word="two") == "TWO!1"
