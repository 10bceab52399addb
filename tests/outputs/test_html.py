"""The lesson page: its markup, its safety, and how it behaves in a real browser."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from conftest import FIXTURES
from lessonc import markup
from lessonc.model import GlossaryEntry
from lessonc.outputs import BuildContext, BuildOptions
from lessonc.outputs.html import RENDERER
from lessonc.outputs.html.fragments import TermLinker, cloze_faces
from lessonc.outputs.html.video import embed_for
from lessonc.pipeline import InvalidLesson, load_lesson
from outputs.html_support import (
    EPOCH,
    EXAMPLE,
    XSS_LESSON,
    axe_violations,
    check_answer,
    chromium,
    nu_checker_errors,
    opened,
    render_files,
    save_artifact,
    scan,
    tiny_lesson,
    write_files,
)

READING_ORDER = [
    "objectives", "dialogue", "summary", "videos", "chapters", "key-concepts", "examples",
    "memory-aids", "flashcards", "glossary", "practice", "references",
]  # fmt: skip


@pytest.fixture(scope="module")
def example_files() -> dict[str, bytes]:
    return render_files(EXAMPLE)


@pytest.fixture(scope="module")
def example_html(example_files: dict[str, bytes]) -> str:
    return example_files["index.html"].decode("utf-8")


@pytest.fixture(scope="module")
def xss_html() -> str:
    return render_files(XSS_LESSON)["index.html"].decode("utf-8")


@pytest.fixture(scope="module")
def example_page(tmp_path_factory: pytest.TempPathFactory, example_files: dict[str, bytes]) -> Path:
    return write_files(example_files, tmp_path_factory.mktemp("example"))


@pytest.fixture(scope="module")
def xss_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_files(render_files(XSS_LESSON), tmp_path_factory.mktemp("xss"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


PAGE_SCRIPTS = ["assets/lesson.js", "assets/scorm.js"]
"""The page's own scripts: the page's behaviour and the SCORM adapter, which idles outside an LMS."""


# --- the page's markup ---------------------------------------------------------------


def test_page_comes_with_its_own_css_and_js_only(example_files: dict[str, bytes]) -> None:
    assert sorted(example_files) == [
        "assets/lesson.css", "assets/lesson.js", "assets/scorm.js", "index.html"
    ]  # fmt: skip


def test_same_source_gives_the_same_bytes(example_files: dict[str, bytes]) -> None:
    assert render_files(EXAMPLE) == example_files


def test_parts_follow_the_reading_order_and_the_contents_link_to_them(example_html: str) -> None:
    positions = [example_html.index(f'<section id="{part}"') for part in READING_ORDER]
    assert positions == sorted(positions)
    nav = example_html[example_html.index("<nav") : example_html.index("</nav>")]
    assert all(f'href="#{part}"' in nav for part in READING_ORDER)


def test_every_fragment_link_has_a_target(example_html: str) -> None:
    ids = {attrs["id"] for _, attrs in scan(example_html) if "id" in attrs}
    targets = {attrs["href"][1:] for tag, attrs in scan(example_html) if tag == "a" and attrs.get("href", "").startswith("#")}  # fmt: skip
    assert targets - ids == set()
    assert len(ids) == len([1 for _, attrs in scan(example_html) if "id" in attrs])  # unique


def test_language_landmarks_and_heading_outline(example_html: str) -> None:
    tags = scan(example_html)
    assert tags[0] == ("html", {"lang": "en", "dir": "ltr"})
    names = [tag for tag, _ in tags]
    for landmark in ("header", "nav", "main", "footer"):
        assert names.count(landmark) == 1, landmark
    levels = [int(tag[1]) for tag in names if re.fullmatch(r"h[1-6]", tag)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels


def test_glossary_terms_are_linked_once_from_their_first_use(example_html: str) -> None:
    glossary_at = example_html.index('<section id="glossary"')
    for key in ("foundation-models", "finetuning", "transferable"):
        assert f'<dt id="term-{key}">' in example_html
        links = [m.start() for m in re.finditer(f'href="#term-{key}"', example_html)]
        assert len(links) == 1, key
        assert links[0] < glossary_at
    # The alias 'fine-tune' stands for the term 'Finetuning'.
    assert '<a class="term" href="#term-finetuning">fine-tune</a>' in example_html


def test_term_links_skip_code_and_links_and_match_whole_words() -> None:
    entries = [GlossaryEntry(term="Gadget", definition="A thing.", aliases=["gizmo"])]
    link = TermLinker(entries, lambda key: f"term-{key}")
    first = link(markup.to_html("`gadget` and [gadget](https://example.org) and gadgets"))
    assert 'class="term"' not in first
    second = link(markup.to_html("A GIZMO, then a gadget."))
    assert second == '<p>A <a class="term" href="#term-gadget">GIZMO</a>, then a gadget.</p>'
    assert link(markup.to_html("gadget")) == "<p>gadget</p>"  # linked once per page


def test_cloze_hints_show_on_the_front_and_answers_only_on_the_back() -> None:
    front, back = cloze_faces("The capital is {{c1::Paris::a city}} on the {{c2::Seine}}.", str)
    assert front == (
        '<p>The capital is <span class="cloze-gap">[a city]</span> on the '
        '<span class="cloze-gap">[…]</span>.</p>'
    )
    assert '<mark class="cloze-answer">Paris</mark>' in back and "a city" not in back


def test_content_security_policy_allows_only_the_page_files(example_html: str) -> None:
    tags = scan(example_html)
    csp = next(a["content"] for t, a in tags if a.get("http-equiv") == "Content-Security-Policy")
    policy = dict(rule.strip().split(" ", 1) for rule in csp.split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == policy["style-src"] == "'self'"
    assert policy["frame-src"] == "'none'"  # the example's only video is a search link
    assert [attrs.get("src") for tag, attrs in tags if tag == "script"] == PAGE_SCRIPTS
    assert not [attrs for _, attrs in tags if "style" in attrs]
    assert "<style" not in example_html


def test_youtube_video_is_a_link_until_clicked(xss_html: str) -> None:
    assert 'data-embed-src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in xss_html
    assert "<iframe" not in xss_html
    assert "frame-src https://www.youtube-nocookie.com;" in xss_html


@pytest.mark.parametrize(
    ("url", "embed"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://m.youtube.com/shorts/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1"),
        ("https://www.youtube.com/results?search_query=x", None),
        ("https://www.youtube.com/watch?v=bad\"id", None),
        ("https://example.org/watch?v=dQw4w9WgXcQ", None),
    ],
)  # fmt: skip
def test_video_embeds_only_for_known_players(url: str, embed: str | None) -> None:
    found = embed_for(url)
    assert (found.src if found else None) == embed


def test_cloze_fronts_show_blanks_and_backs_the_answers(example_html: str) -> None:
    start = example_html.index('id="card-cloze-fm-definition"')
    card = example_html[start : example_html.index("</li>", start)]
    front, back = card.split("<details", 1)
    assert front.count('<span class="cloze-gap">[…]</span>') == 3
    assert "large-scale" not in front and "downstream" not in front
    assert '<mark class="cloze-answer">large-scale</mark>' in back


def test_every_question_has_its_answer_behind_a_disclosure(example_html: str) -> None:
    lesson = load_lesson(EXAMPLE).lesson
    assert example_html.count('<details class="answer-key">') == len(lesson.practice)
    start = example_html.index('id="q-name-the-adaptation-process"')
    key = example_html[example_html.index('<details class="answer-key">', start) :]
    assert key.index("<strong>fine-tuning</strong>") < key.index("</details>")


def test_images_are_copied_under_content_hash_names(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    image = (FIXTURES / "pdf" / "images" / "diagram.png").read_bytes()
    (tmp_path / "img" / "Dot.PNG").write_bytes(image)
    loaded = load_lesson(tiny_lesson(tmp_path, "See ![a dot](img/Dot.PNG) and again ![same](img/Dot.PNG)."))  # fmt: skip
    ctx = BuildContext(loaded.source, BuildOptions(source_date_epoch=EPOCH))
    files = {a.path: a.data for a in RENDERER.render(loaded.lesson, ctx)}
    media = f"media/{hashlib.sha256(image).hexdigest()[:20]}.png"
    assert files[media] == image
    page = files["index.html"].decode()
    assert page.count(f'src="{media}"') == 2 and "img/Dot.PNG" not in page


def test_an_image_outside_the_lesson_folder_stops_the_page(tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes(b"secret")
    folder = tmp_path / "lesson"
    folder.mkdir()
    path = tiny_lesson(folder, "Look: ![x](../secret.png)")
    with pytest.raises(InvalidLesson) as caught:  # checked in validation, before any page
        load_lesson(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    [line] = [n for n, text in enumerate(lines, 1) if "../secret.png" in text]
    where = (line, lines[line - 1].index("../secret.png") + 1)
    assert [(d.code, d.line, d.col) for d in caught.value.diagnostics] == [("file-outside", *where)]


def test_a_user_template_overrides_one_partial(tmp_path: Path) -> None:
    override = tmp_path / "mine" / "html" / "partials" / "glossary.html.j2"
    override.parent.mkdir(parents=True)
    override.write_text('<section id="glossary"><h2>My words</h2></section>\n', encoding="utf-8")
    page = render_files(EXAMPLE, template_dirs=(tmp_path / "mine",))["index.html"].decode()
    assert "<h2>My words</h2>" in page and '<dl class="glossary">' not in page
    assert '<section id="practice"' in page  # the other partials are still the built-in ones


def test_a_theme_stylesheet_edited_between_two_pages_is_read_again(tmp_path: Path) -> None:
    # The static files are kept between pages of one process (lessonc serve renders many).
    stylesheet = tmp_path / "mine" / "html" / "assets" / "lesson.css"
    stylesheet.parent.mkdir(parents=True)
    stylesheet.write_text("body { color: red }\n", encoding="utf-8")
    first = render_files(EXAMPLE, template_dirs=(tmp_path / "mine",))["assets/lesson.css"]
    assert first == b"body { color: red }\n"
    stylesheet.write_text("body { color: blue }\n", encoding="utf-8")
    os.utime(stylesheet, ns=(1, 1))  # a different time, even on a coarse clock
    again = render_files(EXAMPLE, template_dirs=(tmp_path / "mine",))["assets/lesson.css"]
    assert again == b"body { color: blue }\n"


def test_nu_html_checker_finds_no_errors(example_page: Path, xss_page: Path) -> None:
    assert nu_checker_errors(example_page, xss_page) == []


def test_no_lesson_text_becomes_markup_that_runs(xss_html: str) -> None:
    tags = scan(xss_html)
    assert [attrs.get("src") for tag, attrs in tags if tag == "script"] == PAGE_SCRIPTS
    assert not {tag for tag, _ in tags} & {"img", "svg", "iframe", "object", "embed", "b"}
    assert not [(tag, name) for tag, attrs in tags for name in attrs if name.startswith("on")]
    urls = [value for _, attrs in tags for name, value in attrs.items() if name in ("href", "src")]
    assert not [url for url in urls if re.match(r"\s*(javascript|data|vbscript):", url, re.I)]
    accepted = next(attrs["data-accepted"] for tag, attrs in tags if "data-accepted" in attrs)
    assert json.loads(accepted)[0] == "</script><script>alert(1)</script>"


# --- in the browser ---------------------------------------------------------------------

VIEWS = [(width, scheme) for width in (360, 1280) for scheme in ("light", "dark")]


@pytest.mark.browser
@pytest.mark.parametrize("which", ["example", "xss"])
def test_page_opens_without_errors_or_outside_requests(
    browser: Browser, which: str, example_page: Path, xss_page: Path
) -> None:
    page_file = example_page if which == "example" else xss_page
    with opened(browser, page_file) as (page, log):
        page.wait_for_timeout(200)
        assert log.console == []
        assert log.requests_outside(page_file.parent) == []
        assert len(log.requests) == 4  # the page, its CSS, its JS and the LMS adapter


@pytest.mark.browser
def test_quiz_gives_feedback_explanation_and_score(browser: Browser, example_page: Path) -> None:
    with opened(browser, example_page) as (page, log):
        verdict = check_answer(page, "what-is-a-foundation-model", "small-specialist")
        assert verdict.startswith("Not quite.") and "That is the opposite" in verdict
        assert page.is_visible("#q-what-is-a-foundation-model .explanation")
        assert page.inner_text("#q-what-is-a-foundation-model .is-wrong .choice-mark") == "✗ Wrong"
        verdict = check_answer(page, "what-is-a-foundation-model", "pretrained-base")
        assert verdict == "Correct."
        assert page.get_attribute("#q-what-is-a-foundation-model .verdict", "role") == "status"

        assert check_answer(page, "characteristics-of-foundation-models", "diverse-data", "adaptable") == "Partly right."  # fmt: skip
        assert check_answer(page, "any-task-without-adaptation", "true").startswith("Not quite. Not quite: foundation models are very adaptable")  # fmt: skip
        page.fill("#q-name-the-adaptation-process--input", "  Fine-Tuning ")
        assert check_answer(page, "name-the-adaptation-process") == "Correct."
        page.fill("#q-who-developed-claude--input", "OpenAI")
        assert check_answer(page, "who-developed-claude") == "Not quite. Expected answer: Anthropic"

        score = page.inner_text(".quiz-score")
        assert score == "Score: 2 of 19 points · 5 of 19 questions answered"
        assert log.console == []


@pytest.mark.browser
def test_flashcards_flip_and_move_by_keyboard(browser: Browser, example_page: Path) -> None:
    total = len(load_lesson(EXAMPLE).lesson.flashcards)
    with opened(browser, example_page) as (page, _):
        card = page.locator(".card:not([hidden])")
        assert card.count() == 1
        card.focus()
        page.keyboard.press("Space")
        assert "is-flipped" in (card.get_attribute("class") or "")
        assert page.is_visible(".card:not([hidden]) .card-back")
        assert page.inner_text(".deck-progress") == f"Card 1 of {total}, answer shown"
        page.keyboard.press("ArrowRight")
        assert page.inner_text(".deck-progress") == f"Card 2 of {total}"
        assert page.evaluate("document.activeElement.classList.contains('card')")
        assert not page.is_visible(".card:not([hidden]) .card-back")
        page.keyboard.press("Enter")
        assert page.is_visible(".card:not([hidden]) .card-back")
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowLeft")
        assert page.inner_text(".deck-progress") == f"Card {total} of {total}"
        page.click("[data-deck-action=shuffle]")
        assert page.inner_text(".deck-progress") == f"Card 1 of {total}"
        assert page.locator(".cards > li").count() == total


@pytest.mark.browser
def test_without_javascript_summary_switches_and_answers_stay_reachable(
    browser: Browser, example_page: Path
) -> None:
    with opened(browser, example_page, javascript=False) as (page, _):
        assert page.is_visible(".summary-standard") and not page.is_visible(".summary-quick")
        page.click("label[for=summary-depth-quick]")
        assert page.is_visible(".summary-quick") and not page.is_visible(".summary-standard")
        assert not page.is_visible("#q-who-developed-llama button[type=submit]")
        page.click("#q-who-developed-llama .answer-key summary")
        assert "LLaMA comes from Meta" in page.inner_text("#q-who-developed-llama .answer-key")
        assert page.locator(".card").count() == len(load_lesson(EXAMPLE).lesson.flashcards)


@pytest.mark.browser
def test_video_player_loads_only_after_a_click(browser: Browser, xss_page: Path) -> None:
    with opened(browser, xss_page) as (page, log):
        assert log.requests_outside(xss_page.parent) == []
        page.click(".video-load")
        frame = page.wait_for_selector(".video-frame iframe", state="attached")
        assert frame is not None
        assert frame.get_attribute("src") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
        page.wait_for_timeout(200)
        outside = log.requests_outside(xss_page.parent)
        assert outside and all(
            url.startswith("https://www.youtube-nocookie.com/") for url in outside
        )


@pytest.mark.browser
def test_no_script_from_lesson_text_ever_runs(browser: Browser, xss_page: Path) -> None:
    with opened(browser, xss_page) as (page, log):
        # Show every feedback text: pick every choice, type a payload, check all.
        for choice in page.locator(".choice input[type=checkbox]").all():
            choice.check()
        for question in ("single", "true-or-false"):
            for choice in page.locator(f"#q-{question} input[type=radio]").all():
                choice.check()
                page.click(f"#q-{question} button[type=submit]")
        page.fill("#q-short--input", "</script><script>alert(1)</script>")
        for button in page.locator("button[type=submit]").all():
            button.click()
        card = page.locator(".card:not([hidden])")
        card.focus()
        for _ in range(4):
            page.keyboard.press("Enter")
            page.keyboard.press("ArrowRight")
        page.hover("h1")
        page.wait_for_timeout(300)
        found = page.evaluate(
            """() => {
              const all = [...document.querySelectorAll('*')];
              return {
                handlers: all.flatMap(e => [...e.attributes].filter(a => /^on/i.test(a.name)).map(a => e.tagName + ' ' + a.name)),
                links: all.filter(e => /^\\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src') || '')).length,
                scripts: [...document.scripts].map(s => s.getAttribute('src')),
              };
            }"""
        )
        assert found == {"handlers": [], "links": 0, "scripts": PAGE_SCRIPTS}
        assert log.dialogs == []
        assert log.console == []
        assert "Correct." in page.inner_text("#q-short .verdict")


@pytest.mark.browser
@pytest.mark.parametrize(("width", "scheme"), VIEWS)
def test_axe_finds_no_wcag_violations(
    browser: Browser, example_page: Path, width: int, scheme: str
) -> None:
    # axe is injected as a script, which the page's own CSP would refuse.
    with opened(browser, example_page, width=width, scheme=scheme, bypass_csp=True) as (page, _):
        # Put the interactive parts into their after-use states, so those are checked too.
        check_answer(page, "what-is-a-foundation-model", "small-specialist")
        check_answer(page, "examples-of-foundation-models", "gpt", "xgboost")
        page.locator(".card:not([hidden])").focus()
        page.keyboard.press("Space")
        # The card turns with a 0.25 s animation; colours sampled mid-turn
        # (on a busy machine) are half-faded and fail contrast at random.
        page.wait_for_function("document.getAnimations().every(a => a.playState === 'finished')")
        assert axe_violations(page) == []


@pytest.mark.browser
@pytest.mark.parametrize(("width", "scheme"), VIEWS)
def test_screenshots_and_no_sideways_scrolling(
    browser: Browser, example_page: Path, xss_page: Path, width: int, scheme: str
) -> None:
    for name, page_file in (("foundation-models", example_page), ("xss", xss_page)):
        with opened(browser, page_file, width=width, scheme=scheme) as (page, _):
            shot = page.screenshot(full_page=True)
            save_artifact(f"{name}-{width}-{scheme}.png", shot)
            assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_page_words_are_kept_per_language_and_ui_strings() -> None:
    from lessonc import i18n
    from lessonc.outputs.html.views import PageWords

    english = PageWords(i18n.for_language("en"))
    renamed = PageWords(i18n.for_language("en", {"check_answer": "Try it"}))
    german = PageWords(i18n.for_language("de"))
    assert english.markup("check_answer") == i18n.for_language("en").markup("check_answer")
    assert renamed.markup("check_answer") == "Try it"
    assert german.markup("check_answer") == i18n.for_language("de").markup("check_answer")
    assert english.markup("check_answer") != german.markup("check_answer")
    # A later page in the same language finds what the first one filled in.
    again = PageWords(i18n.for_language("en"))
    assert again._markup is english._markup and again._markup is not renamed._markup
    assert again.text("question_number", number=3) == i18n.for_language("en").text(
        "question_number", number=3
    )
