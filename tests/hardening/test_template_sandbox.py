"""A hostile --templates folder: no command runs, nothing hangs, each attack is a located error.

Each attack replaces one partial of the page (or of the handout) and runs a whole
``lessonc build`` in its own process with a time limit. The escapes' payload
would create a file beside the theme; the tests assert it does not exist.
"""

from __future__ import annotations

import time
from pathlib import Path
from types import CodeType

import pytest
from jinja2 import TemplateError

from conftest import EXAMPLE, FIXTURES
from hardening.support import run_lessonc
from lessonc import templating
from lessonc.sandbox import RENDER_SECONDS
from lessonc.template_cache import CompiledTemplates
from lessonc.user_cache import CACHE_ENV

COURSE = FIXTURES / "course"
PAYLOAD = "touch {marker}"
ESCAPES = {
    "cycler": "{{{{ cycler.__init__.__globals__.os.popen('{payload}').read() }}}}",
    "lipsum": "{{{{ lipsum.__globals__['os'].popen('{payload}').read() }}}}",
    "lesson-class": (
        "{{{{ lesson.__class__.__mro__[-1].__subclasses__()[0]"
        ".__init__.__globals__['sys'].modules['os'].popen('{payload}').read() }}}}"
    ),
    "joiner-format": "{{{{ '{{0.__init__.__globals__}}'.format(joiner) }}}}",
    "list-mutation": "{{% set _ = lesson.objectives.append('x') %}}{{{{ '{payload}' }}}}",
}
# name → (template text, what the message says); the template's second line is the culprit.
RUNAWAYS = {
    "recursive-macro": (
        "<p>\n{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}{{ down(0) }}\n</p>\n",
        "macros nest more than",
    ),
    "self-include": (
        '<p>\n{% include "partials/objectives.html.j2" %}\n</p>\n',
        "templates nest too deeply",
    ),
    "huge-range": (
        "<p>\n{% for i in range(10**12) %}{{ i }}{% endfor %}\n</p>\n",
        "range() is limited",
    ),
    "long-loop": (
        "<p>\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n"
        "</p>\n",
        "the template ran longer than",
    ),
    "huge-power": ("<p>\n{{ 10 ** 10000000000 }}\n</p>\n", "an exponent over"),
    "huge-string": ("<p>\n{{ 'x' * 10 ** 12 }}\n</p>\n", "would build more than"),
    "division-by-zero": ("<p>\n{{ 1 / 0 }}\n</p>\n", "ZeroDivisionError"),
    "huge-width": ("<p>\n{{ 'x'|center(10 ** 15) }}\n</p>\n", "more memory than there is"),
}


def _theme(folder: Path, partial: str, text: str) -> Path:
    theme = folder / "theme"
    path = theme / "html" / "partials" / partial
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return theme


def _build(tmp_path: Path, theme: Path, formats: str = "html") -> tuple[int, str, float]:
    started = time.monotonic()
    done = run_lessonc(
        "build", str(EXAMPLE), "-o", str(tmp_path / "out"), "-f", formats,
        "--templates", str(theme), "--force", timeout=RENDER_SECONDS + 60,
    )  # fmt: skip
    return done.returncode, done.stderr, time.monotonic() - started


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_a_template_cannot_run_a_command(tmp_path: Path, name: str) -> None:
    marker = tmp_path / "pwned"
    text = ESCAPES[name].format(payload=PAYLOAD.format(marker=marker))
    theme = _theme(tmp_path, "objectives.html.j2", "<p>\n" + text + "\n</p>\n")
    code, stderr, _ = _build(tmp_path, theme)
    assert not marker.exists()
    assert code == 1, stderr
    assert "objectives.html.j2:2:1: error[template-error]" in stderr
    assert "Traceback" not in stderr and "internal error" not in stderr


@pytest.mark.parametrize("name", sorted(RUNAWAYS))
def test_a_runaway_template_stops_with_a_located_error(tmp_path: Path, name: str) -> None:
    text, says = RUNAWAYS[name]
    theme = _theme(tmp_path, "objectives.html.j2", text)
    code, stderr, seconds = _build(tmp_path, theme)
    assert code == 1, stderr
    assert "objectives.html.j2:2:1: error[template-error]" in stderr
    assert says in stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    assert seconds < RENDER_SECONDS + 30


def test_the_handout_templates_are_sandboxed_too(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = ESCAPES["cycler"].format(payload=PAYLOAD.format(marker=marker))
    theme = tmp_path / "theme"
    handout = theme / "pdf" / "handout.html.j2"
    handout.parent.mkdir(parents=True)
    handout.write_text("<html>\n" + payload + "\n</html>\n", encoding="utf-8")
    code, stderr, _ = _build(tmp_path, theme, "pdf")
    assert not marker.exists()
    assert code == 1, stderr
    assert "handout.html.j2:2:1: error[template-error]" in stderr


def test_templates_from_the_compiled_cache_stay_sandboxed(tmp_path: Path) -> None:
    # The second environment takes the compiled code from the in-memory cache; the
    # loop guard and the checked lookups are part of that code.
    theme = tmp_path / "theme" / "html"
    theme.mkdir(parents=True)
    (theme / "escape.j2").write_text("{{ cycler.__init__.__globals__ }}", encoding="utf-8")
    (theme / "loop.j2").write_text("{% for i in range(200000) %}{% endfor %}", encoding="utf-8")
    cached: list[int] = []
    for _ in range(2):
        env = templating.environment("html", [tmp_path / "theme"])
        with pytest.raises(TemplateError, match="unsafe"):
            env.get_template("escape.j2").render()
        with pytest.raises(TemplateError, match="range"):
            env.get_template("loop.j2").render()
        cached.append(len(templating._COMPILED._code))
    assert cached[0] == cached[1] > 0  # the second round compiled nothing new


def test_a_theme_renders_the_built_in_templates_it_includes_sandboxed_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without a theme the built-in templates compile for plain Jinja2, with a theme for
    # the sandbox: a built-in template compiled plain (in memory or in the cache folder)
    # must never be what a theme's page includes.
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    theme = tmp_path / "theme" / "html"
    theme.mkdir(parents=True)
    plain = templating.environment("html")
    sandboxed = templating.environment("html", [tmp_path / "theme"])
    assert not plain.sandboxed and sandboxed.sandboxed
    plain_cache, sandboxed_cache = plain.bytecode_cache, sandboxed.bytecode_cache
    assert isinstance(plain_cache, CompiledTemplates)
    assert isinstance(sandboxed_cache, CompiledTemplates)
    assert plain_cache is not sandboxed_cache
    assert plain_cache.folder() != sandboxed_cache.folder()
    # The question partial loops over choices: sandboxed code has the loop guard in it.
    name = "partials/question.html.j2"
    plain_code = plain.get_template(name).root_render_func.__code__
    sandboxed_code = sandboxed.get_template(name).root_render_func.__code__
    assert "lessonc_loop_guard" not in _string_constants(plain_code)
    assert "lessonc_loop_guard" in _string_constants(sandboxed_code)
    fresh = templating.environment("html", [tmp_path / "theme"])
    fresh.bytecode_cache = CompiledTemplates()  # a new process: from the cache folder
    assert "lessonc_loop_guard" in _string_constants(
        fresh.get_template(name).root_render_func.__code__
    )


def _string_constants(code: CodeType) -> set[str]:
    found = {c for c in code.co_consts if isinstance(c, str)}
    for inner in code.co_consts:
        if isinstance(inner, CodeType):
            found |= _string_constants(inner)
    return found


def test_templates_from_the_cache_folder_stay_sandboxed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each round's cache starts empty, as a new process's does: the first compiles and
    # writes the folder, the second loads from it. The guards are in the stored code.
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    theme = tmp_path / "theme" / "html"
    theme.mkdir(parents=True)
    (theme / "escape.j2").write_text("{{ cycler.__init__.__globals__ }}", encoding="utf-8")
    (theme / "loop.j2").write_text("{% for i in range(200000) %}{% endfor %}", encoding="utf-8")
    (theme / "power.j2").write_text("{{ 10 ** 10000000000 }}", encoding="utf-8")
    for round_ in ("compiles", "loads"):
        env = templating.environment("html", [tmp_path / "theme"])
        cache = env.bytecode_cache = CompiledTemplates()
        if round_ == "loads":
            assert cache.folder() is not None
            for name in ("escape.j2", "loop.j2", "power.j2"):
                source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
                code = cache.get_bucket(env, name, filename, source).code
                assert code is not None, name
                if name == "loop.j2":  # the loop guard is compiled in, not added at render
                    assert "lessonc_loop_guard" in _string_constants(code)
        with pytest.raises(TemplateError, match="unsafe"):
            env.get_template("escape.j2").render()
        with pytest.raises(TemplateError, match="range"):
            env.get_template("loop.j2").render()
        with pytest.raises(TemplateError, match="exponent"):
            env.get_template("power.j2").render()


def test_limits_hold_in_the_worker_processes_of_a_course_build(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    escape = ESCAPES["cycler"].format(payload=PAYLOAD.format(marker=marker))
    loop, _ = RUNAWAYS["long-loop"]
    theme = _theme(tmp_path, "objectives.html.j2", loop.replace("</p>", escape + "\n</p>"))
    done = run_lessonc(
        "build", str(COURSE), "-o", str(tmp_path / "out"), "-f", "html", "--jobs", "2",
        "--templates", str(theme), timeout=RENDER_SECONDS + 90,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("objectives.html.j2:2:1: error[template-error]") >= 2  # each lesson
    assert "the template ran longer than" in done.stderr
    assert not marker.exists()
