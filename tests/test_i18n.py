"""Catalogues, ids from any script and short-answer folding (issue 16), without a browser."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from lessonc import answers, i18n
from lessonc.model import slugify
from lessonc.pipeline import load_lesson

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "i18n"
SHIPPED = ("en", "de", "fr", "es", "pt-BR", "ar", "fa", "hi", "zh-Hans", "ja")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _forms(message: i18n.Message) -> tuple[str, ...]:
    return message if isinstance(message, tuple) else (message,)


@pytest.mark.parametrize("tag", SHIPPED)
def test_every_catalogue_has_every_english_key_with_its_placeholders(tag: str) -> None:
    catalogue, found = i18n.catalogue(tag)
    assert found and catalogue.tag == tag
    english = i18n.catalogue("en")[0].messages
    missing = sorted(set(english) - set(catalogue.messages))
    assert missing == [], f"{tag}.po lacks {missing}"
    assert sorted(set(catalogue.messages) - set(english)) == []
    for key, message in english.items():
        wanted = set().union(*(_PLACEHOLDER.findall(f) for f in _forms(message))) - {"count"}
        for form in _forms(catalogue.messages[key]):
            assert set(_PLACEHOLDER.findall(form)) <= wanted | {"count"}, (tag, key, form)
            if "count" not in _PLACEHOLDER.findall(_forms(message)[-1]):
                assert set(_PLACEHOLDER.findall(form)) == wanted, (tag, key, form)


@pytest.mark.parametrize("tag", SHIPPED)
def test_no_catalogue_names_a_key_twice(tag: str) -> None:
    # gettext keeps the last of two entries silently: a second translation added by another
    # change would win without anyone choosing it.
    text = (i18n.LOCALE_DIR / f"{tag}.po").read_text(encoding="utf-8")
    keys = re.findall(r'^msgid "(.+)"$', text, re.MULTILINE)
    assert sorted({k for k in keys if keys.count(k) > 1}) == []


@pytest.mark.parametrize("tag", SHIPPED)
def test_plural_messages_have_as_many_forms_as_the_language_has(tag: str) -> None:
    with (i18n.LOCALE_DIR / f"{tag}.po").open("rb") as handle:
        po = read_po(handle)
    for message in po:
        if message.pluralizable:
            assert len(message.string) == po.num_plurals and all(message.string), message.id


def test_plural_rules_choose_the_right_form() -> None:
    assert i18n.for_language("en").text("about_minutes", 1) == "About 1 minute"
    assert i18n.for_language("de").text("about_minutes", 1) == "Etwa 1 Minute"
    assert i18n.for_language("de").text("about_minutes", 5) == "Etwa 5 Minuten"
    arabic = i18n.for_language("ar")
    assert arabic.text("points_count", 2) == "(نقطتان)"
    assert arabic.text("points_count", 5) == "(5 نقاط)"
    # Persian readers get Persian digits.
    assert i18n.for_language("fa").text("about_minutes", 60) == "حدود ۶۰ دقیقه"


def test_regional_and_script_tags_find_their_catalogue() -> None:
    assert i18n.catalogue_tag("fa-IR") == "fa"
    assert i18n.catalogue_tag("pt") == "pt-BR"
    assert i18n.catalogue_tag("zh-CN") == "zh-Hans"
    assert i18n.catalogue_tag("tlh") is None
    assert i18n.text_direction("fa") == "rtl" and i18n.text_direction("ar-EG") == "rtl"
    assert i18n.text_direction("ku-Latn") == "ltr" and i18n.text_direction("pa-Arab") == "rtl"


def test_inserted_values_are_escaped_and_isolated() -> None:
    html = i18n.for_language("fa").markup("lesson_number", number="<b>1.2</b>")
    assert html == "درس <bdi>&lt;b&gt;1.2&lt;/b&gt;</bdi>"
    # An author's ui: string is text: braces do not reach into Python objects.
    words = i18n.for_language("en", {"lesson_number": "{number.__class__} <i>"})
    assert words.markup("lesson_number", number="1") == "{number.__class__} &lt;i&gt;"


def test_a_new_catalogue_is_one_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(i18n.LOCALE_DIR, tmp_path / "locale")
    english = (tmp_path / "locale" / "en.po").read_text(encoding="utf-8")
    esperanto = english.replace('msgstr "Show answer"', 'msgstr "Montri respondon"')
    (tmp_path / "locale" / "eo.po").write_text(esperanto, encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    i18n._load.cache_clear()
    try:
        catalogue, found = i18n.catalogue("eo")
        assert found and catalogue.text("show_answer") == "Montri respondon"
    finally:
        i18n._load.cache_clear()


def test_an_unknown_language_warns_once_and_falls_back(tmp_path: Path) -> None:
    text = (
        (FIXTURES / "de.yaml").read_text(encoding="utf-8").replace("language: de", "language: tlh")
    )
    path = tmp_path / "lesson.yaml"
    path.write_text(text, encoding="utf-8")
    from lessonc import checks

    loaded = load_lesson(path)
    found = [d for d in checks.run(loaded.lesson, loaded.source) if d.code == "unknown-language"]
    assert len(found) == 1 and not found[0].is_error
    assert found[0].line == text.splitlines().index("language: tlh") + 1


def test_ui_overrides_are_checked_against_the_known_keys(tmp_path: Path) -> None:
    text = (FIXTURES / "de.yaml").read_text(encoding="utf-8")
    path = tmp_path / "lesson.yaml"
    path.write_text(text + "ui:\n  show_anwser: Zeigen\n", encoding="utf-8")
    from click.testing import CliRunner

    from lessonc.cli import main

    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:" in result.output and "show_anwser" in result.output
    assert "error[invalid-value]" in result.output


def test_derived_ids_keep_every_script_and_stay_stable() -> None:
    assert slugify("What is a Foundation Model?") == "what-is-a-foundation-model"
    # ASCII text takes a shortcut; a zero-width non-joiner (dropped, never a break) sends
    # the same text the long way, character by character, which must agree.
    every_ascii = "".join(map(chr, range(128)))
    samples = [every_ascii, every_ascii[::-1], "O'Brien's 3rd-party_API v2.0", "a" * 60 + " b"]
    for text in samples + every_ascii.split():
        if any(c.isalnum() for c in text):
            assert slugify(text) == slugify(text + "\u200c"), text
    assert slugify("Café au lait") == "cafe-au-lait"
    first = slugify("دیکشنری در پایتون چیست؟")
    second = slugify("کلید دیکشنری چه ویژگی‌ای دارد؟")
    assert first == "دیکشنری-در-پایتون-چیست" and second == "کلید-دیکشنری-چه-ویژگیای-دارد"
    assert slugify("Python 中的字典是什么？") == "python-中的字典是什么"
    assert slugify("सूची क्या है?") == "सूची-क्या-है"
    # Harakat and tatweel do not change an id; text with no letter gets a hash, not "item".
    assert slugify("قَامُوس") == slugify("قـاموس") == "قاموس"
    assert slugify("`{}`") != slugify("`[]`") and slugify("`{}`").startswith("item-")


def test_persian_flashcards_without_ids_get_distinct_ids() -> None:
    lesson = load_lesson(FIXTURES / "fa.yaml").lesson
    ids = [card.key for card in lesson.flashcards]
    assert len(set(ids)) == len(ids) and all(re.search("[\u0600-\u06ff]", i) for i in ids[:2])
    assert ids == [card.key for card in load_lesson(FIXTURES / "fa.yaml").lesson.flashcards]
    assert "پایتون" in lesson.tags


def test_short_answers_fold_arabic_letters_and_wide_forms() -> None:
    assert answers.fold("ديكشنري", "fa") == answers.fold("دیکشنری", "fa")
    assert answers.fold("مَدرسـة", "fa") == answers.fold("مدرسه", "fa")
    assert answers.fold("مدرسة", "ar") != answers.fold("مدرسه", "ar")
    assert answers.fold("ＤＩＣＴ", "zh") == answers.fold("dict", "zh")
    assert answers.fold("Dict", "en", case_sensitive=True) != answers.fold("dict", "en", True)
    assert answers.spellings("دیکشنری") == ["دیکشنری", "ديكشنري"]
    assert answers.spellings("chlorophyll") == ["chlorophyll"]


def test_new_with_a_language_writes_a_starter_in_it(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from lessonc.cli import main

    result = CliRunner().invoke(
        main, ["new", "python-dict", "--language", "fa", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    text = (tmp_path / "python-dict.yaml").read_text(encoding="utf-8")
    assert "\nlanguage: fa " in text and "\ndirection: rtl " in text
    assert "# --- گفت‌وگو · dialogue" in text and 'show_answer: "نمایش پاسخ"' in text
    lesson = load_lesson(tmp_path / "python-dict.yaml").lesson
    assert lesson.language == "fa" and lesson.direction == "rtl"
    refused = CliRunner().invoke(
        main, ["new", "other", "--language", "Persian", "-o", str(tmp_path)]
    )
    assert refused.exit_code == 2


def test_ui_strings_replace_the_catalogue_on_the_page_escaped(tmp_path: Path) -> None:
    from outputs.html_support import render_files

    text = (FIXTURES / "fa.yaml").read_text(encoding="utf-8")
    path = tmp_path / "lesson.yaml"
    ui = 'ui:\n  show_answer: "<b>ببین</b>"\n  lesson_number: "جلسهٔ {number}"\n'
    path.write_text(text + ui, encoding="utf-8")
    page = render_files(path)["index.html"].decode("utf-8")
    assert "<summary>&lt;b&gt;ببین&lt;/b&gt;</summary>" in page and "<b>ببین" not in page
    assert "جلسهٔ <bdi>5.5</bdi>" in page
    assert 'dir="rtl"' in page and "<summary>نمایش پاسخ</summary>" not in page


def test_exercise_words_in_the_handout_key_and_on_cards_follow_the_language() -> None:
    from lessonc.outputs.anki.notes import practice_fields
    from lessonc.outputs.pdf.exercises import exercise_answer

    lesson = load_lesson(FIXTURES / "de.yaml").lesson
    words = i18n.for_language("de")
    english = i18n.for_language("en")
    by_type = {question.type: question for question in lesson.practice}
    for kind, key in (
        ("ordering", "anki_put_in_order"),
        ("numeric", "anki_answer_number"),
        ("open", "anki_answer_own_words"),
    ):
        instructions = practice_fields(by_type[kind], words)[1]
        assert words.text(key) in instructions and english.text(key) not in instructions
    numeric = exercise_answer(by_type["numeric"], str, words)
    assert "2.5 bis 3.5" in numeric and " to " not in numeric
    model = exercise_answer(by_type["open"], str, words)
    assert "Musterantwort:" in model and "Model answer" not in model


def test_callout_titles_follow_the_language_and_are_cached_apart() -> None:
    from lessonc import markup
    from lessonc.textwriters import CALLOUT_TITLES, titled_callouts

    text = "::: warning\nCareful.\n:::\n"
    assert ">Warning<" in markup.to_html(text)
    for tag in ("de", "ja"):
        words = i18n.for_language(tag)
        with titled_callouts({k: words.text(f"callout_{k}") for k in CALLOUT_TITLES}):
            html = markup.to_html(text)
            assert f">{words.text('callout_warning')}<" in html and ">Warning<" not in html
            assert markup.to_plain(text).startswith(words.text("callout_warning"))
    assert ">Warning<" in markup.to_html(text)  # the English page's cache entry is untouched


@pytest.mark.parametrize("value", [-1_234_567, -5, 0, 1, 42, 999, 1_000, 12_345, 10**9])
def test_english_integers_are_written_as_babel_writes_them(value: int) -> None:
    # English skips Babel's locale data: its digits and separators must still be CLDR's.
    from babel import Locale
    from babel.numbers import format_decimal

    expected = format_decimal(value, locale=Locale("en"), numbering_system="default")
    assert i18n.for_language("en").number(value) == expected
    assert i18n.for_language("en-GB").number(value) == expected
