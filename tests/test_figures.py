"""Figure syntax: which image is a figure, what its attributes accept, and every mistake
reported at once where it is written."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from lessonc import figures, markup
from outputs.html_support import tiny_lesson

IMAGE = FIXTURES / "richtext" / "images" / "sigmoid.png"


def test_an_image_alone_in_its_paragraph_is_a_figure_and_one_in_a_sentence_stays_inline() -> None:
    alone = markup.to_html('![A curve](c.png "The caption"){width=small}')
    assert alone.startswith('<figure class="figure figure-small"><img src="c.png" alt="A curve">')
    assert '<span class="figure-caption">The caption</span>' in alone
    inline = markup.to_html('See ![A curve](c.png "a tooltip") here.')
    assert inline == '<p>See <img src="c.png" alt="A curve" title="a tooltip"> here.</p>'


def test_braces_after_a_link_or_code_stay_text() -> None:
    assert markup.to_html("[a](https://x.org){b} and `c`{d}") == (
        '<p><a href="https://x.org" rel="noopener noreferrer">a</a>{b} and '
        '<code dir="ltr">c</code>{d}</p>'
    )


def test_the_credit_line_is_escaped_text_in_the_lessons_words() -> None:
    html = markup.to_html('![x](c.png){credit="A & <b>B</b>" licence="CC0 1.0"}')
    assert "Credit: <bdi>A &amp; &lt;b&gt;B&lt;/b&gt;</bdi> · <bdi>CC0 1.0</bdi>" in html
    assert markup.to_plain('![x](c.png "Cap"){credit="A" licence="B"}') == "Cap\nCredit: A · B"


@pytest.mark.parametrize(
    ("width", "css_class"),
    [("small", "figure-small"), ("full", "figure-full"), ("60%", "figure-w60"),
     ("100%", "figure-w100"), ("5%", None), ("62%", None), ("120%", None), ("big", None),
     ("300px", None)],
)  # fmt: skip
def test_widths_are_named_or_a_percentage_in_steps(width: str, css_class: str | None) -> None:
    assert figures.width_class(width) == css_class


def test_every_width_class_is_styled_on_the_page_and_in_the_handout() -> None:
    root = Path(__file__).parents[1] / "templates"
    page = (root / "html" / "assets" / "figures.css").read_text(encoding="utf-8")
    handout = (root / "pdf" / "handout.css").read_text(encoding="utf-8")
    widths = [*figures.WIDTHS, *(f"{n}%" for n in range(10, 101, figures.PERCENT_STEP))]
    for width in widths:
        css_class = figures.width_class(width)
        assert f".{css_class} {{" in page and f".{css_class} {{" in handout, width


def _validate(tmp_path: Path, text: str) -> tuple[list[str], int, list[str]]:
    (tmp_path / "images").mkdir(exist_ok=True)
    shutil.copy(IMAGE, tmp_path / "images" / "c.png")
    path = tiny_lesson(tmp_path, text)
    result = run_cli(["validate", str(path)])
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines, result.exit_code, result.stderr.splitlines()


def _at(lines: list[str], needle: str) -> str:
    number = next(n for n, line in enumerate(lines, 1) if needle in line)
    return f"lesson.yaml:{number}:{lines[number - 1].index(needle) + 1}:"


def test_every_mistake_in_a_figure_is_an_error_at_its_attribute(tmp_path: Path) -> None:
    text = (
        "![](images/c.png){width=huge}\n\n"
        '![b](images/c.png){caption="x" credit="Jane"}\n\n'
        "In a sentence ![c](images/c.png){width=small} it is inline.\n\n"
        '![d](images/c.png){source="javascript:alert(1)" credit=A licence=B}\n'
    )
    lines, code, stderr = _validate(tmp_path, text)
    assert code == 1
    expected = [
        (_at(lines, "![]("), "error[figure-alt]"),
        (_at(lines, "width=huge"), "error[figure-width]"),
        (_at(lines, "caption="), "error[figure-attribute]"),
        (_at(lines, 'credit="Jane"'), "error[figure-credit]"),
        (_at(lines, "{width=small}"), "error[figure-attribute]"),
        (_at(lines, "source="), "error[figure-credit]"),
    ]
    errors = [line for line in stderr if "error[" in line]
    for where, what in expected:
        assert any(line.find(where) >= 0 and what in line for line in errors), (where, stderr)
    assert len(errors) == len(expected), stderr
    assert "Traceback" not in "\n".join(stderr)


def test_unreadable_braces_are_an_error_and_an_image_without_alt_is_only_a_lint_warning(
    tmp_path: Path,
) -> None:
    lines, code, stderr = _validate(tmp_path, '![a](images/c.png){width="medium}')
    assert code == 1 and any(
        _at(lines, '{width="') in line and "error[figure-attribute]" in line for line in stderr
    ), stderr
    (tmp_path / "lesson.yaml").unlink()
    lines, code, stderr = _validate(tmp_path, "Written before figures: ![](images/c.png)")
    assert code == 0, stderr
    linted = run_cli(["lint", str(tmp_path / "lesson.yaml")])
    assert re.search(rf"{re.escape(_at(lines, '![]('))} warning\[L109\]", linted.stderr)
