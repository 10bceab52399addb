"""Rich lesson text in every output: a right-to-left lesson with maths, code, its output, a
shell session, a 4×6 table, a choice holding code and a credited figure builds, and each
format shows them its own way (MathML on the page, SVG in the handout, \\(…\\) in Anki, TeX
beside the HTML in quiz.json), with code left to right and the figure's image carried by each."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from conftest import EXAMPLE, FIXTURES, run_cli
from lessonc import quiz
from outputs.anki_support import fresh_collection
from outputs.html_support import axe_violations, chromium, nu_checker_errors, opened

LESSON = FIXTURES / "richtext" / "lesson.yaml"
FORMATS = "html,pdf,anki,quiz,gift,qti"
TEX_SOURCES = [r"\frac{1}{1 + e^{-x}}", r"x_i*w_i", r"\sigma", "$$", r"\{a, b\}"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("richtext")
    result = run_cli(
        ["build", str(LESSON), "-o", str(out), "--format", FORMATS],
        env={"SOURCE_DATE_EPOCH": "1700000000"},
    )
    assert result.exit_code == 0, result.stderr
    # The one warning: GIFT cannot carry the explanation's figure (test_figures_in_gift…).
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert [w for w in warnings if "warning[gift-image]" not in w] == [], result.stderr
    assert len(warnings) == 1, result.stderr
    return out / "richtext-fixture"


def imported_deck(deck: Path, scratch: Path) -> tuple[list[str], Path]:
    """Every note field of ``deck`` once Anki itself has imported it, and its media folder."""
    with fresh_collection(scratch, deck) as collection:
        fields = [
            field
            for note_id in collection.find_notes("")
            for field in collection.get_note(note_id).fields
        ]
        return fields, Path(collection.media.dir())


def test_the_page_writes_every_formula_as_mathml_and_code_highlighted(built: Path) -> None:
    page = (built / "index.html").read_text(encoding="utf-8")
    body = page.split("<main", 1)[1]
    visible = re.sub(r"<annotation[^>]*>.*?</annotation>", "", body, flags=re.S)
    assert "$" not in re.sub(r"<pre.*?</pre>", "", visible, flags=re.S)  # only the shell prompt
    assert r"\(" not in visible and r"\[" not in visible
    assert page.count("<math ") >= 6
    assert '<annotation encoding="application/x-tex">f(x) = \\frac{1}{1 + e^{-x}}</annotation>' in (
        page
    )
    # Markdown did not touch the formula: no emphasis eaten from x_i*w_i + y_i*z_i.
    assert "x_i*w_i + y_i*z_i</annotation>" in page
    assert '<pre class="code" dir="ltr" tabindex="0"><code class="language-python">' in page
    assert '<span class="tok-k">def</span>' in page
    assert '<pre class="code-output" dir="ltr" tabindex="0"><samp>0.5' in page
    assert '<figcaption dir="ltr">sigmoid.py</figcaption>' in page
    assert '<code dir="ltr">&gt;&gt;&gt; 2 + 3</code>' in page


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 1280])
def test_in_chromium_code_reads_left_to_right_and_axe_finds_nothing(
    built: Path, browser: object, width: int
) -> None:
    with opened(browser, built / "index.html", width=width, bypass_csp=True) as (page, log):  # type: ignore[arg-type]
        assert page.evaluate("document.documentElement.dir") == "rtl"
        directions = page.evaluate(
            "[...document.querySelectorAll('main pre, main code, main samp')]"
            ".map(e => getComputedStyle(e).direction)"
        )
        assert directions and set(directions) == {"ltr"}
        formulas = page.evaluate("document.querySelectorAll('main math').length")
        assert formulas >= 6
        # An English sentence in this Persian lesson reads left to right, its full stop at
        # its end; the Persian paragraphs around it stay right to left.
        directions = page.evaluate(
            "(texts) => texts.map(start => getComputedStyle([...document.querySelectorAll("
            "'main p')].find(p => p.innerText.startsWith(start))).direction)",
            ["The sigmoid squashes", "تابع سیگموید"],
        )
        assert directions == ["ltr", "rtl"]
        text = page.evaluate("document.querySelector('main').innerText")
        assert "$$" not in text and "\\frac" not in text
        # A long line of code scrolls inside its box, the page does not.
        assert page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        assert log.console == []
        assert axe_violations(page) == []


def _pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def test_the_handout_prints_an_english_sentence_left_to_right_in_a_persian_lesson(
    built: Path,
) -> None:
    done = subprocess.run(
        ["pdftotext", "-layout", str(built / "handout.pdf"), "-"], capture_output=True, check=True
    )
    lines = [line.strip() for line in done.stdout.decode("utf-8").splitlines()]
    # Right to left, the words came out reversed around the code: ".between -6 and 6 sigmoid Plot".
    assert "Plot sigmoid between -6 and 6." in lines


def test_the_handout_holds_no_latex_source(built: Path) -> None:
    text = _pdf_text(built / "handout.pdf")
    for source in TEX_SOURCES:
        assert source not in text, source
    assert "sigmoid.py" in text and "import math" in text  # code and its caption are there


@pytest.mark.anki
def test_the_deck_keeps_tex_for_ankis_mathjax_and_colours_code(built: Path, tmp_path: Path) -> None:
    fields, _ = imported_deck(built / "deck.apkg", tmp_path)
    formula = next(f for f in fields if "sigma(x)" in f)
    assert "\\[\\sigma(x) = \\frac{1}{1 + e^{-x}}\\]" in formula
    assert "$$" not in formula and "<math" not in formula
    code = next(f for f in fields if "def</span>" in f)
    assert "\n    " in code  # the lines and their indentation are kept
    assert re.search(r'<span style="color: #[0-9A-Fa-f]{3,6}; font-weight: bold">def</span>', code)
    prompt = next(f for f in fields if "σ" in f or "\\sigma(0)" in f)
    assert "\\(\\sigma(0)\\)" in prompt


def test_quiz_json_validates_and_keeps_the_tex_beside_the_html(built: Path) -> None:
    data = json.loads((built / "quiz.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(quiz.json_schema()).validate(data)
    question = data["questions"][0]
    assert question["prompt"]["text"] == "مقدار \\(\\sigma(0)\\) چیست؟"
    assert "<math " in question["prompt"]["html"]
    assert (
        '<annotation encoding="application/x-tex">\\sigma(0)</annotation>'
        in (question["prompt"]["html"])
    )
    code_choice = question["choices"][0]["text"]
    assert code_choice["text"] == ">>> sigmoid(0)\n0.5"
    assert code_choice["html"].startswith('<pre class="code" dir="ltr" tabindex="0">')


def test_gift_gives_moodle_tex_and_qti_mathml(built: Path) -> None:
    gift = (built / "quiz.gift").read_text(encoding="utf-8")
    # GIFT escapes the backslash and braces; Moodle reads \(\sigma(0)\) back.
    assert "\\\\(\\\\sigma(0)\\\\)" in gift and "<math" not in gift
    with zipfile.ZipFile(built / "quiz-qti.zip") as package:
        items = "".join(
            package.read(name).decode("utf-8")
            for name in package.namelist()
            if name.endswith(".xml")
        )
    assert "&lt;math " in items and "$" not in items.replace("$course$", "")


def test_a_latex_error_is_located_at_the_formula(tmp_path: Path) -> None:
    source = LESSON.read_text(encoding="utf-8").replace(
        "$$ f(x) = \\frac{1}{1 + e^{-x}} $$", "$$ f(x) = \\frac{1}{1 + e^{-x} $$"
    )
    broken = tmp_path / "lesson.yaml"
    broken.write_text(source, encoding="utf-8")
    shutil.copytree(LESSON.parent / "images", tmp_path / "images")
    line = next(i for i, text in enumerate(source.splitlines(), 1) if "f(x) =" in text)
    col = source.splitlines()[line - 1].index("$$") + 1
    result = run_cli(["validate", str(broken)])
    assert result.exit_code == 1
    assert f"lesson.yaml:{line}:{col}: error[latex-error]:" in result.stderr, result.stderr


def test_money_is_not_maths(tmp_path: Path) -> None:
    from lessonc import markup

    assert markup.formulas("It costs $5 and $10, or \\$3.") == []
    assert markup.to_plain("It costs $5 and $10.") == "It costs $5 and $10."


def test_a_long_table_repeats_its_header_row_on_every_page_of_the_handout(built: Path) -> None:
    from pypdf import PdfReader

    pages = [page.extract_text() for page in PdfReader(built / "handout.pdf").pages]
    # Extracted cells may run together (a right-to-left layout sets no spaces between them).
    spanned = [text for text in pages if re.search(r"row \d", text)]
    assert len(spanned) >= 2
    assert all(re.search(r"n\s*a\s*b\s*c\s*d\s*e", text) for text in spanned)


def test_plain_text_writes_a_table_as_rows_of_cells() -> None:
    from lessonc import markup

    table = "| a | b | c |\n|---|---|---|\n| 1 | 2 | 3 |\n| 4 | 5 | 6 |"
    assert markup.to_plain(table) == "a | b | c\n1 | 2 | 3\n4 | 5 | 6"
    assert quiz.rich(table).text == "a | b | c\n1 | 2 | 3\n4 | 5 | 6"


def test_callouts_are_marked_and_a_solution_folds_on_the_page(built: Path) -> None:
    from lessonc import i18n

    # The lesson is Persian: a callout without a title of its own is titled in Persian.
    words = i18n.for_language("fa")
    note, warning, solution = (words.text(f"callout_{k}") for k in ("note", "warning", "solution"))
    page = (built / "index.html").read_text(encoding="utf-8")
    for kind, title in (("note", note), ("tip", "Try it"), ("warning", warning)):
        assert (
            f'<div class="callout callout-{kind}" role="note"><p class="callout-title">{title}</p>'
        ) in page
    assert f'<details class="callout callout-solution"><summary>{solution}</summary>' in page
    assert not any(f">{english}<" in page for english in ("Note", "Warning", "Solution"))
    text = _pdf_text(built / "handout.pdf").replace("\u200c", "")  # poppler drops joiners
    titles = (note, "Try it", warning, solution)
    assert all(title.replace("\u200c", "") in text for title in titles)
    assert ":::" not in text and ":::" not in page


def test_sub_headings_sit_below_the_chapter_in_the_page_and_the_bookmarks(built: Path) -> None:
    from pypdf import PdfReader

    page = (built / "index.html").read_text(encoding="utf-8")
    assert '<h4 class="subheading">توابع فعال‌سازی</h4>' in page
    assert '<h5 class="subheading">سیگموید</h5>' in page
    assert "## " not in page

    def titles(outline: list[object], depth: int = 0) -> Iterator[tuple[int, str]]:
        for item in outline:
            if isinstance(item, list):
                yield from titles(item, depth + 1)
            else:
                yield depth, item.title  # type: ignore[attr-defined]

    marks = list(titles(PdfReader(built / "handout.pdf").outline))
    chapter = next(depth for depth, title in marks if title.endswith("نورون"))
    assert (chapter + 1, "توابع فعال‌سازی") in marks
    assert (chapter + 2, "سیگموید") in marks


SOLUTION = "SOLUTION-TEXT-d41"
"""In the fixture's titled solution (its last chapter's); a marker the text holds nowhere else."""


def test_the_handout_prints_solutions_in_the_answer_key_and_refers_to_them(built: Path) -> None:
    from pypdf import PdfReader

    from lessonc import i18n
    from lessonc.outputs.pdf.handout import handout_html
    from lessonc.pipeline import load_lesson

    words = i18n.for_language("fa")
    html = handout_html(load_lesson(LESSON).lesson, paper="a4", source_date_epoch=0)
    body, key = html.split('<section id="answer-key"')
    assert SOLUTION not in body and "sigmoid(0)  # 0.5" not in body
    assert body.count('<p class="solution-ref">') == 2
    assert '<a href="#solution-2">' in body and "پاسخ کامل" in body  # the title it was given
    solutions, practice = key.split(f"<h3>{words.text('practice_questions')}</h3>")
    assert f"<h3>{words.text('solutions_in_text')}</h3>" in solutions
    assert '<li value="2" id="solution-2"><p class="answer"><strong>پاسخ کامل</strong>' in solutions
    assert SOLUTION in solutions and "sigmoid" in solutions
    assert 'class="answers"' in practice  # the practice answers follow, in the same key
    assert '<a href="#answer-key">' in body  # the contents list it
    # Read back: the solution is on the answer key's pages only.
    reader = PdfReader(built / "handout.pdf")
    title = words.text("answer_key")
    mark = next(m for m in reader.outline if not isinstance(m, list) and m.title == title)
    key_page = reader.get_destination_page_number(mark)
    holding = [n for n, page in enumerate(reader.pages) if SOLUTION in page.extract_text()]
    assert holding and min(holding) >= key_page


def test_the_teacher_edition_prints_notes_solutions_and_answers_in_place() -> None:
    from lessonc import i18n
    from lessonc.outputs.pdf.handout import handout_html
    from lessonc.pipeline import load_lesson

    words = i18n.for_language("fa")
    lesson = load_lesson(LESSON).lesson
    html = handout_html(lesson, paper="a4", source_date_epoch=0, edition="teacher")
    assert '<section id="answer-key"' not in html and 'class="solution-ref"' not in html
    assert html.count(f"{words.text('for_the_teacher')}</h") == 2
    assert words.text("teacher_edition") in html
    last_chapter = html[html.index(f'id="chapter-{len(lesson.chapters)}"') :]
    assert "TEACHER-CHAPTER-NOTE-b7e2" in last_chapter and SOLUTION in last_chapter
    assert html.index("TEACHER-LESSON-NOTE-5c9a") < html.index('id="objectives"')
    assert html.count('<div class="teacher-answer">') == len(lesson.practice)
    student = handout_html(lesson, paper="a4", source_date_epoch=0)
    assert "TEACHER-" not in student and '<div class="teacher-answer">' not in student


CHOICE_SOLUTION = "CHOICE-SOLUTION-3f1"


def test_a_callout_in_a_choice_is_a_block_everywhere_and_its_solution_goes_to_the_key(
    tmp_path: Path,
) -> None:
    # A choice is inline text: a callout in it once printed its ::: lines as text.
    source = EXAMPLE.read_text(encoding="utf-8")
    wrong_choice = (
        "        text: >-\n"
        "          A small model trained from scratch on one dataset for a single,\n"
        "          narrowly defined task.\n"
    )
    assert wrong_choice in source
    lesson = tmp_path / "lesson.yaml"
    lesson.write_text(
        source.replace(
            wrong_choice,
            "        text: |-\n"
            "          A small model trained from scratch.\n\n"
            "          ::: solution Why not\n"
            f"          {CHOICE_SOLUTION} foundation models are pre-trained.\n"
            "          :::\n",
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run_cli(["build", str(lesson), "-o", str(out), "--format", "html,pdf,anki,quiz"])
    assert result.exit_code == 0, result.stderr
    built = out / "foundation-models"
    page = (built / "index.html").read_text(encoding="utf-8")
    assert ":::" not in page
    label = page.split('data-labels="q-what-is-a-foundation-model--small-specialist">', 1)[1]
    assert label.startswith(
        '<p>A small model trained from scratch.</p>\n<details class="callout callout-solution">'
        "<summary>Why not</summary>"
    )
    quiz_text = (built / "quiz.json").read_text(encoding="utf-8")
    assert CHOICE_SOLUTION in quiz_text and ":::" not in quiz_text
    fields, _ = imported_deck(built / "deck.apkg", tmp_path)
    holding = [field for field in fields if CHOICE_SOLUTION in field]
    assert holding and not any(":::" in field for field in holding)
    text = _pdf_text(built / "handout.pdf")
    assert ":::" not in text
    body, key = text.rsplit("Solutions in the text", 1)
    assert CHOICE_SOLUTION not in body and "Why not: see the answer key, 1" in body
    assert CHOICE_SOLUTION in key


BLOCK_EDITS = {
    # a choice, a matching pair's left side and an ordering item, each holding a code block
    "        text: >-\n"
    "          A small model trained from scratch on one dataset for a single,\n"
    "          narrowly defined task.\n": (
        "        text: |-\n"
        "          A small model trained from scratch:\n\n"
        "          ```python\n"
        "          model = train(one_dataset)\n"
        "          ```\n"
    ),
    '      - {id: gpt, left: "GPT", right: "OpenAI"}\n': (
        "      - id: gpt\n"
        "        left: |-\n"
        "          ```text\n"
        "          GPT\n"
        "          ```\n"
        "        right: OpenAI\n"
    ),
    '      - {id: pre-train, text: "Pre-train one large model on massive and diverse datasets"}\n': (
        "      - id: pre-train\n"
        "        text: |-\n"
        "          Pre-train one large model:\n\n"
        "          ```python\n"
        "          model.fit(massive_and_diverse_data)\n"
        "          ```\n"
    ),
}
"""Edits of the example that put code blocks where the page once wrote a <label> or <span>."""


@pytest.fixture(scope="module")
def block_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = EXAMPLE.read_text(encoding="utf-8")
    for old, new in BLOCK_EDITS.items():
        assert old in source
        source = source.replace(old, new)
    folder = tmp_path_factory.mktemp("blocks")
    (folder / "lesson.yaml").write_text(source, encoding="utf-8")
    out = folder / "out"
    result = run_cli(["build", str(folder / "lesson.yaml"), "-o", str(out), "-f", "html"])
    assert result.exit_code == 0, result.stderr
    return out / "foundation-models" / "index.html"


# The Nu checker's MathML schema predates ARIA in HTML, which allows aria-label on <math>
# (mathtex.py sets it: axe-core takes no name from MathML); every other error counts.
NU_OUTDATED = 'error: Attribute "aria-label" not allowed on element "math" at this point.'


@pytest.mark.parametrize("page_of", ["blocks", "richtext"])
def test_blocks_in_choices_are_valid_html(page_of: str, block_page: Path, built: Path) -> None:
    page = block_page if page_of == "blocks" else built / "index.html"
    assert page.read_text(encoding="utf-8").count("data-labels=") == (
        2 if page_of == "blocks" else 1
    )
    errors = nu_checker_errors(page)
    assert [line for line in errors if not line.endswith(NU_OUTDATED)] == []


@pytest.mark.browser
def test_in_chromium_a_choice_holding_code_is_named_and_picked_by_a_click(
    block_page: Path, browser: object
) -> None:
    with opened(browser, block_page, width=360, bypass_csp=True) as (page, log):  # type: ignore[arg-type]
        inside_labels = "document.querySelectorAll('label :is(p, div, pre, table, figure)').length"
        assert page.evaluate(inside_labels) == 0
        choice = page.get_by_role("radio", name="A small model trained from scratch")
        assert choice.count() == 1 and not choice.is_checked()
        page.click("#q-what-is-a-foundation-model--small-specialist--text pre")
        assert choice.is_checked()
        page.click("#q-what-is-a-foundation-model button[type=submit]")
        mark = "#q-what-is-a-foundation-model--small-specialist--text + .choice-mark"
        assert page.locator(mark).count() == 1  # the wrong mark, beside the text
        pair = page.get_by_role("combobox", name="GPT")
        assert pair.count() == 1
        page.click("#q-match-model-developer--gpt--text")
        assert page.evaluate("document.activeElement.id") == "q-match-model-developer--gpt"
        # The ordering item holding code is a <div>, still named as before for its buttons.
        assert (
            page.evaluate("document.getElementById('q-order-the-lifecycle--pre-train').tagName")
            == "DIV"
        )
        assert log.console == []
        assert axe_violations(page) == []


# --- the figure: caption, credit, width, and its image in every output ----------------------

CAPTION = "تابع لجستیک"
CREDIT = "Jane Doe / Wikimedia Commons"
LICENCE = "CC BY-SA 4.0"
SOURCE = "https://commons.wikimedia.org/wiki/File:Logistic-curve.svg"
IMAGE = LESSON.parent / "images" / "sigmoid.png"


def test_the_page_draws_the_figure_with_its_caption_and_credit(built: Path) -> None:
    page = (built / "index.html").read_text(encoding="utf-8")
    figure = re.search(r'<figure class="figure figure-medium">.*?</figure>', page, re.S)
    assert figure is not None
    src = re.search(r'<img src="(media/[0-9a-f]{20}\.png)" alt="A sigmoid curve rising', figure[0])
    assert src is not None and (built / src[1]).read_bytes() == IMAGE.read_bytes()
    assert f'<span class="figure-caption">{CAPTION}</span>' in figure[0]
    assert f'<a href="{SOURCE}" rel="noopener noreferrer"><bdi>{CREDIT}</bdi></a>' in figure[0]
    assert 'title="' not in figure[0]  # the title is the caption, not a tooltip as well
    assert '<link rel="stylesheet" href="assets/figures.css">' in page
    assert (built / "assets" / "figures.css").is_file()


@pytest.mark.browser
def test_in_chromium_the_figure_has_its_caption_and_fits_a_phone(
    built: Path, browser: object
) -> None:
    from lessonc import i18n

    credit_words = i18n.for_language("fa").text("figure_credit").split("{")[0].strip()
    with opened(browser, built / "index.html", width=360) as (page, log):  # type: ignore[arg-type]
        found = page.evaluate(
            """() => {
              const figure = document.querySelector('main figure.figure');
              const image = figure.querySelector('img');
              return {
                caption: figure.querySelector('figcaption').innerText,
                figureWidth: figure.getBoundingClientRect().width,
                imageWidth: image.getBoundingClientRect().width,
                imageLoaded: image.complete && image.naturalWidth > 0,
                pageWidth: document.documentElement.scrollWidth,
                viewport: window.innerWidth,
              };
            }"""
        )
        assert CAPTION in found["caption"] and CREDIT in found["caption"]
        assert LICENCE in found["caption"] and credit_words in found["caption"]
        assert found["imageLoaded"]
        # Medium is 70% of the column, but at least 16rem on a phone; never past the screen.
        assert 256 <= found["figureWidth"] <= found["viewport"]
        assert found["imageWidth"] == pytest.approx(found["figureWidth"], abs=1)
        assert found["pageWidth"] <= found["viewport"]
        assert log.console == []  # the page's own policy let its figure stylesheet load
    # axe-core is injected as an inline script, which the page's policy rightly refuses.
    with opened(browser, built / "index.html", width=360, bypass_csp=True) as (page, _):  # type: ignore[arg-type]
        assert axe_violations(page) == []


def test_the_handout_prints_the_figure_with_its_caption_and_credit(built: Path) -> None:
    from pypdf import PdfReader

    reader = PdfReader(built / "handout.pdf")
    assert any(page.images for page in reader.pages), "the figure's image is in the handout"
    text = " ".join(_pdf_text(built / "handout.pdf").split())
    assert CREDIT in text and LICENCE in text
    # pdftotext may give a right-to-left caption's words in either order.
    assert all(word in text for word in CAPTION.split())


@pytest.mark.anki
def test_the_deck_bundles_the_figures_image_and_its_card_shows_it(
    built: Path, tmp_path: Path
) -> None:
    fields, media = imported_deck(built / "deck.apkg", tmp_path)
    showing = [f for f in fields if "<img" in f]
    assert len(showing) == 1 and '<figure class="figure">' in showing[0]
    assert CAPTION in showing[0]
    src = re.search(r'<img src="([^"]+)"', showing[0])
    assert src is not None and (media / src[1]).read_bytes() == IMAGE.read_bytes()


def test_quiz_json_ships_the_figures_image_inside_the_build_folder(built: Path) -> None:
    data = json.loads((built / "quiz.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(quiz.json_schema()).validate(data)
    explanation = data["questions"][0]["explanation"]
    assert CAPTION in explanation["text"]
    src = re.search(r'<img src="([^"]+)"', explanation["html"])
    assert src is not None and src[1].startswith("media/")
    image = (built / src[1]).resolve()
    assert image.is_relative_to(built.resolve()) and image.read_bytes() == IMAGE.read_bytes()
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert src[1] in {entry["path"] for entry in manifest["outputs"]}


def test_qti_puts_the_image_in_the_zip_beside_the_item_that_shows_it(built: Path) -> None:
    with zipfile.ZipFile(built / "quiz-qti.zip") as package:
        names = package.namelist()
        assessment = next(n for n in names if n.endswith(".xml") and "/" in n and "meta" not in n)
        items = package.read(assessment).decode("utf-8")
        src = re.search(r'&lt;img src="([^"]+)"', items)
        assert src is not None
        inside = f"{assessment.rsplit('/', 1)[0]}/{src[1]}"
        assert inside in names and package.read(inside) == IMAGE.read_bytes()
        assert f'href="{inside}"' in package.read("imsmanifest.xml").decode("utf-8")


def test_figures_in_gift_become_their_alt_text_with_a_warning(built: Path) -> None:
    gift = (built / "quiz.gift").read_text(encoding="utf-8")
    assert "<img" not in gift and "A sigmoid curve through one half at zero" in gift
