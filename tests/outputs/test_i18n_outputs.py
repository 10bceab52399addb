"""Issue 16 end to end: Persian, Arabic, Chinese and German lessons in every format.

Real Chromium reads the pages, poppler reads the handouts back, Anki's own
importer reads the decks. The English catalogue is the list of strings that
must not be left on a page in another language. The Persian, Chinese and German
lessons hold a question of every type and every kind of callout; the Persian
and German ones are built with their audio too (eSpeak NG has no Chinese voice
here), so the players' words are read as well.
"""

from __future__ import annotations

import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from lessonc import i18n
from lessonc.course.build_run import build
from lessonc.outputs import BuildOptions
from lessonc.speech.cache import CACHE_ENV
from outputs.anki_support import fresh_collection
from outputs.html_support import axe_violations, chromium, opened

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "i18n"
LESSONS = {
    "fa": "python-dictionaries-fa",
    "ar": "python-dict-ar",
    "zh": "python-dict-zh",
    "de": "python-woerterbuecher-de",
}
FORMATS = ("html", "pdf", "anki", "quiz", "gift", "qti", "scorm12")
AUDIO = ("fa", "de")
"""Lessons also built with audio: two small builds, the pages then carry the players."""
EPOCH = 1_700_000_000


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("i18n")
    sources = [FIXTURES / f"{name}.yaml" for name in LESSONS]
    report = build(sources, out, FORMATS, BuildOptions(EPOCH))
    assert report.ok, [d.format_text() for d in report.all_diagnostics]
    for lesson_id in LESSONS.values():
        for name in ("index.html", "handout.pdf", "deck.apkg", "quiz.json", "quiz.gift"):
            assert (out / lesson_id / name).is_file()
    return out


@pytest.fixture(scope="module")
def built_audio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The AUDIO lessons' pages with their players (a separate build: speaking is slow)."""
    out = tmp_path_factory.mktemp("i18n-audio")
    sources = [FIXTURES / f"{name}.yaml" for name in AUDIO]
    with pytest.MonkeyPatch.context() as patch:  # speech cached in the test's folder
        patch.setenv(CACHE_ENV, str(tmp_path_factory.mktemp("speech")))
        options = BuildOptions(EPOCH, with_audio=True)
        report = build(sources, out, ("audio", "html", "pdf"), options)
    assert report.ok, [d.format_text() for d in report.all_diagnostics]
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _strings(language: str) -> set[str]:
    catalogue = i18n.for_language(language)
    found: set[str] = set()
    for key, message in catalogue.messages.items():
        for form in message if isinstance(message, tuple) else (message,):
            # The words around a placeholder: "Chapter {number}: {title}" gives "Chapter".
            for part in form.replace("{", "\0{").replace("}", "}\0").split("\0"):
                part = part.strip(" :.,()")
                if len(part) > 2 and not part.startswith("{") and key != "list_separator":
                    found.add(part)
    return found


_TEXT_NODES = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (['aria-label', 'label', 'title'].includes(attr.name) || attr.name.startsWith('data-label')) {
        out.push(attr.value);
      }
    }
  }
  return out;
}"""


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("language", ["fa", "zh", "de"])
def test_no_english_interface_string_is_left_on_the_page(
    built: Path, built_audio: Path, browser: Browser, language: str
) -> None:
    # A word the language shares with English ("Standard" in German) is its own word.
    english = _strings("en") - _strings(language)
    page_file = (built_audio if language in AUDIO else built) / LESSONS[language] / "index.html"
    with opened(browser, page_file) as (page, log):
        # The parts whose words are checked are all there: every question type, every
        # callout, and (where built) the dialogue's and the chapters' players.
        for kind in ("matching", "ordering", "numeric", "fill_blanks", "open"):
            assert page.locator(f"#practice .question[data-type={kind}]").count() == 1, kind
        assert page.locator(".callout").count() == 4
        players = {"fa": 4, "de": 3}.get(language, 0)  # the dialogue's and each chapter's
        assert page.locator("audio").count() == players
        # Show the deck toolbar and a verdict, so the words lesson.js writes count too.
        page.click("#flashcards .deck-toolbar [data-deck-action=flip]")
        first = page.locator("#practice .question").first
        first.locator("button[type=submit]").click()
        # ... and the new types' words: a moved item's status, marks, a number's verdict.
        ordering = page.locator("#practice .question[data-type=ordering]")
        ordering.locator("[data-move='1']").first.click()
        status = ordering.locator("[data-order-status]").text_content() or ""
        assert status and "{" not in status, status
        ordering.locator("button[type=submit]").click()
        numeric = page.locator("#practice .question[data-type=numeric]")
        numeric.locator("input").fill("x")
        numeric.locator("button[type=submit]").click()
        page.locator("#practice .question[data-type=matching] button[type=submit]").click()
        texts = [*page.evaluate(_TEXT_NODES), status]
        # Opened as a file, Chromium refuses the players' caption tracks (tests/outputs/
        # test_audio_page.py serves them); the words around the players are there all the same.
        refused = "Unsafe attempt to load URL file:"
        assert [line for line in log.console if not line.startswith(refused)] == []
    left = sorted({t for t in texts if t.strip(" :.,()✓✗") in english})
    # "Python", "CC-BY-4.0", "KV" … are lesson text, not interface strings.
    assert left == [], left


@pytest.mark.browser
@pytest.mark.slow
def test_counts_the_script_writes_follow_the_language_word_order_and_digits(
    built: Path, browser: Browser
) -> None:
    # "Card 1 of 3" and the score line are whole sentences of the catalogue, their numbers
    # in the language's digits, not English word order around translated words.
    with opened(browser, built / LESSONS["fa"] / "index.html") as (page, _log):
        progress = page.text_content("#flashcards .deck-progress") or ""
        page.locator("#practice .question").first.locator("button[type=submit]").click()
        score = page.text_content("#practice .quiz-score") or ""
    assert progress.startswith("کارت ۱ از "), progress
    assert score.startswith("امتیاز: ") and "{" not in score, score
    assert not any(c.isdigit() and c.isascii() for c in progress + score), (progress, score)


@pytest.mark.slow
@pytest.mark.parametrize("language", AUDIO)
def test_the_handout_names_the_audio_files_in_the_language(
    built_audio: Path, language: str
) -> None:
    text = " ".join(_pdftotext(built_audio / LESSONS[language] / "handout.pdf").split())
    words = i18n.for_language(language)
    assert "Listen:" not in text and "captions beside it" not in text
    assert _plain(words.text("listen_file", file="").rstrip(": ")) in _plain(text), text


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("language", ["fa", "ar", "zh", "de"])
def test_direction_and_accessibility(built: Path, browser: Browser, language: str) -> None:
    with opened(browser, built / LESSONS[language] / "index.html", bypass_csp=True) as (page, _):
        direction = page.evaluate("getComputedStyle(document.body).direction")
        assert direction == ("rtl" if language in ("fa", "ar") else "ltr")
        assert page.get_attribute("html", "lang") == ("zh-Hans" if language == "zh" else language)
        assert axe_violations(page) == []


@pytest.mark.browser
@pytest.mark.slow
def test_an_answer_typed_with_arabic_letters_is_right_in_persian(
    built: Path, browser: Browser
) -> None:
    with opened(browser, built / LESSONS["fa"] / "index.html") as (page, _):
        page.fill("#q-name-of-structure--input", "ديكشنري")  # Arabic yeh and kaf
        page.click("#q-name-of-structure button[type=submit]")
        verdict = " ".join((page.text_content("#q-name-of-structure .verdict") or "").split())
        assert verdict.startswith("درست است."), verdict
        page.fill("#q-name-of-structure--input", "فهرست")
        page.click("#q-name-of-structure button[type=submit]")
        verdict = " ".join((page.text_content("#q-name-of-structure .verdict") or "").split())
        assert "نه کاملاً." in verdict and "پاسخ مورد انتظار:" in verdict


_BIDI_MARKS = dict.fromkeys(map(ord, "\u200c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"))


def _plain(text: str) -> str:
    """Text without the bidi controls poppler adds and the joiners it drops."""
    return text.translate(_BIDI_MARKS)


def _pdftotext(pdf: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return _plain(done.stdout)


def _pdffonts(pdf: Path) -> list[list[str]]:
    done = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    return [line.split() for line in done.stdout.splitlines()[2:]]


@pytest.mark.slow
@pytest.mark.parametrize("language", list(LESSONS))
def test_handout_fonts_are_embedded_and_cover_the_script(built: Path, language: str) -> None:
    pdf = built / LESSONS[language] / "handout.pdf"
    fonts = _pdffonts(pdf)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts  # the 'emb' column
    text = _pdftotext(pdf)
    assert "\ufffd" not in text and ".notdef" not in " ".join(r[0] for r in fonts)
    words = i18n.for_language(language)
    assert _plain(words.text("answer_key")) in text
    assert _plain(words.text("practice_questions")) in text
    if language == "zh":
        # Simplified Chinese glyphs throughout, never the Japanese forms of the same characters.
        assert any("CJK-SC" in row[0] for row in fonts)
        assert not any("CJK-JP" in row[0] for row in fonts), fonts
    if language in ("fa", "ar"):
        assert any("Arabic" in row[0] or "Vazirmatn" in row[0] for row in fonts)


@pytest.mark.slow
def test_persian_handout_is_right_aligned_with_persian_page_numbers(built: Path) -> None:
    text = _pdftotext(built / LESSONS["fa"] / "handout.pdf")
    lines = text.splitlines()
    heading = next(
        line for line in lines if line.strip() == "اهداف" or line.strip().endswith("اهداف")
    )
    # Right-aligned: the heading sits at the far end of a line poppler lays out left to right.
    assert len(heading) - len(heading.lstrip()) > 60, heading
    assert "درس 5.5" in text
    # Page n / N in Persian digits; the running header carries the lesson line in Persian.
    words = i18n.for_language("fa")
    first, last = words.number(1), words.number(text.count("\f"))  # poppler ends pages with \f
    assert any(first in line and "/" in line and last in line for line in lines)
    assert any("آموزش پایتون · درس" in line for line in lines)
    assert "Page" not in text and "Lesson" not in text


def _anki_cards(apkg: Path, tmp_path: Path) -> list[tuple[str, str, str]]:
    with fresh_collection(tmp_path, apkg) as collection:
        cards = []
        for card_id in collection.find_cards(""):
            card = collection.get_card(card_id)
            note_type = card.note_type()
            cards.append((note_type["name"], card.question(), card.answer()))
        return cards


@pytest.mark.anki
@pytest.mark.parametrize(("language", "direction"), [("fa", "rtl"), ("ar", "rtl"), ("de", "ltr")])
def test_cards_carry_the_direction_and_translated_labels(
    built: Path, tmp_path: Path, language: str, direction: str
) -> None:
    cards = _anki_cards(built / LESSONS[language] / "deck.apkg", tmp_path)
    assert cards
    for _, question, answer in cards:
        assert f'dir="{direction}"' in question and f'dir="{direction}"' in answer
    words = i18n.for_language(language)
    html = "\n".join(q + a for _, q, a in cards)
    for key in ("define", "which_term", "key_concept_explain", "answer", "card_select_all"):
        assert words.text(key) in html, key
    assert "Select all that apply" not in html and ">Define<" not in html
    # Note types of their own: importing this deck never relabels an English deck's cards.
    assert all(name.endswith(f"({words.tag})") for name, _, _ in cards)


def test_gift_and_qti_accept_the_arabic_keyboard_spelling(built: Path) -> None:
    gift = (built / LESSONS["fa"] / "quiz.gift").read_text(encoding="utf-8")
    assert "=دیکشنری" in gift and "=ديكشنري" in gift
    with zipfile.ZipFile(built / LESSONS["fa"] / "quiz-qti.zip") as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))
    assert ">ديكشنري</varequal>" in xml and ">دیکشنری</varequal>" in xml
