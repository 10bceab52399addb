"""Templates from a user's --templates folder that fail: a located diagnostic, never a crash."""

from __future__ import annotations

import shutil
from pathlib import Path

from jinja2 import Environment

from conftest import EXAMPLE, FIXTURES
from hardening.support import run_lessonc, snapshot

COURSE = FIXTURES / "course"


def _template(folder: Path, relative: str, text: str) -> Path:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_template_syntax_error_points_at_the_template_line(tmp_path: Path) -> None:
    templates = tmp_path / "theme"
    _template(templates, "html/lesson.html.j2", "<p>fine</p>\n{% if %}\n")
    out = tmp_path / "out"
    done = run_lessonc(
        "build", str(EXAMPLE), "-o", str(out), "-f", "html", "--templates", str(templates)
    )
    assert done.returncode == 1
    assert "lesson.html.j2:2:1: error[template-error]: template syntax error" in done.stderr
    assert "--templates folder" in done.stderr  # the hint says whose file it is
    assert "internal error" not in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()  # nothing half-written


def test_a_template_that_fails_while_rendering_points_at_its_line(tmp_path: Path) -> None:
    templates = tmp_path / "theme"
    _template(
        templates,
        "html/partials/objectives.html.j2",
        "<ul>\n{% for objective in lesson.objectives %}\n<li>{{ objective.missing.deeper }}</li>\n"
        "{% endfor %}\n</ul>\n",
    )
    done = run_lessonc(
        "build", str(EXAMPLE), "-o", str(tmp_path / "out"), "-f", "html",
        "--templates", str(templates),
    )  # fmt: skip
    assert done.returncode == 1
    assert "objectives.html.j2:3:1: error[template-error]: template error:" in done.stderr
    assert "internal error" not in done.stderr


def test_a_broken_course_template_keeps_the_lessons_and_the_old_course_files(
    tmp_path: Path,
) -> None:
    course = tmp_path / "course"
    shutil.copytree(COURSE, course)
    out = tmp_path / "out"
    first = run_lessonc("build", str(course), "-o", str(out), "-f", "html")
    assert first.returncode == 0, first.stderr
    home_before = (out / "index.html").read_bytes()
    templates = tmp_path / "theme"
    _template(
        templates,
        "course/home.html.j2",
        '{% extends "base.html.j2" %}\n{% block main %}\n{{ course.no_such_field.deeper }}\n'
        "{% endblock %}\n",
    )
    done = run_lessonc(
        "build", str(course), "-o", str(out), "-f", "html", "--templates", str(templates)
    )
    assert done.returncode == 1
    assert "home.html.j2:3:1: error[template-error]" in done.stderr
    assert "every lesson was built; the course files were not changed" in done.stderr
    assert (out / "index.html").read_bytes() == home_before
    # The lessons were built with the theme (their templates are fine) and are current now.
    again = snapshot(out)
    rerun = run_lessonc(
        "build", str(course), "-o", str(out), "-f", "html", "--templates", str(templates)
    )
    assert rerun.returncode == 1
    assert snapshot(out) == again


def test_built_in_templates_pass_prepared_markup_through_and_escape_the_rest() -> None:
    from markupsafe import Markup

    from lessonc import templating

    prepared = Markup("<p>a rendered <em>prompt</em></p>")
    assert templating._escape(prepared) is prepared  # no copy of text already safe
    assert templating._escape("<b> & 'x'") == Markup("&lt;b&gt; &amp; &#39;x&#39;")
    assert templating._escape(3) == Markup("3")
    page = templating.environment("html").from_string("{{ a }}|{{ b }}")
    assert page.root_render_func.__globals__["escape"] is templating._escape
    assert page.render(a=prepared, b="<i>") == "<p>a rendered <em>prompt</em></p>|&lt;i&gt;"


def test_built_in_templates_escape_text_exactly_as_markupsafe() -> None:
    from markupsafe import Markup, escape

    from lessonc import templating

    class Named(str):
        pass

    class Safe:
        def __html__(self) -> str:
            return "<b>kept</b>"

    samples: list[object] = [
        "",
        "plain",
        "&<>'\"",
        "a && b <<c>> 'd' \"e\" &amp;",
        "سلام <b> «x» & 'ی'",
        Named("<named & str>"),
        Safe(),
        None,
        2.5,
        0,
        -12,
        10**20,
        True,
    ]
    for sample in samples:
        assert templating._escape(sample) == escape(sample), sample
    # A str subclass may mean something else by its text: it takes markupsafe's path.
    assert type(templating._escape(Named("<"))) is Markup


def test_built_in_templates_call_as_jinja2_does() -> None:
    # The built-in context calls macros and plain callables at once; a callable marked for
    # the context, the evaluation context or the environment still gets it first.
    from jinja2 import pass_context, pass_environment, pass_eval_context

    from lessonc import templating

    env = templating.environment("html")
    source = (
        "{% macro m(x) %}[{{ x }}]{% endmacro %}"
        "{% for i in range(2) %}{{ m(i) }}{{ f(i) }}{{ c(i) }}{{ e(i) }}{{ v(i) }}{% endfor %}"
        "{{ obj.method(3) }}"
    )

    class Holder:
        def method(self, x: int) -> int:
            return x * 100

    names = {
        "f": lambda x: x * 10,
        "c": pass_context(lambda context, x: context["marker"]),
        "e": pass_environment(lambda environment, x: type(environment).__name__[0]),
        "v": pass_eval_context(lambda eval_context, x: int(eval_context.autoescape)),
        "obj": Holder(),
        "marker": "C",
    }
    template = env.from_string(source)
    plain = Environment(autoescape=True).from_string(source)
    assert template.render(**names) == plain.render(**names) == "[0]0CE1[1]10CE1300"
    assert type(template.new_context({})) is templating._BuiltinContext
