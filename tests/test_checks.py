"""Each semantic check fires on the mistake it is for, at the right node, and not otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLE
from lessonc.source import loads
from lessonc.validation import validate


def example_data() -> dict:  # type: ignore[type-arg]
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def codes_for(data: dict) -> list[tuple[str, tuple[int, int]]]:  # type: ignore[type-arg]
    text = yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True)
    located = loads(text.encode(), Path("l.yaml"))
    _, problems = validate(located)
    return [(d.code, (d.line, d.col)) for d in problems]


def only_codes(data: dict) -> list[str]:  # type: ignore[type-arg]
    return [code for code, _ in codes_for(data)]


def test_example_passes_every_check() -> None:
    assert codes_for(example_data()) == []


def test_duplicate_flashcard_id() -> None:
    data = example_data()
    data["flashcards"][1]["id"] = data["flashcards"][0]["id"]
    assert only_codes(data) == ["duplicate-id"]


def test_duplicate_choice_id_and_text() -> None:
    data = example_data()
    question = next(q for q in data["practice"] if q["type"] == "single_choice")
    question["choices"][1]["id"] = question["choices"][0]["id"]
    question["choices"][1]["text"] = question["choices"][0]["text"]
    assert sorted(only_codes(data)) == ["duplicate-choice", "duplicate-id"]


@pytest.mark.parametrize(
    ("kind", "right"), [("single_choice", 0), ("single_choice", 2), ("multiple_choice", 0)]
)
def test_wrong_number_of_correct_choices(kind: str, right: int) -> None:
    data = example_data()
    question = next(q for q in data["practice"] if q["type"] == kind)
    for index, choice in enumerate(question["choices"]):
        choice["correct"] = index < right
    assert only_codes(data) == ["correct-choices"]


def test_acronym_letters_must_start_its_words() -> None:
    data = example_data()
    acronym = next(a for a in data["memory_aids"] if a["kind"] == "acronym")
    acronym["words"][2] = "Useful"
    assert only_codes(data) == ["acronym-mismatch"]
    acronym["words"] = acronym["words"][:2]
    assert only_codes(data) == ["acronym-mismatch"]


def test_mnemonic_cue_checked_too() -> None:
    data = example_data()
    mnemonic = next(a for a in data["memory_aids"] if a["kind"] == "mnemonic")
    mnemonic["cue"] = "DOTS"
    assert only_codes(data) == ["acronym-mismatch"]


def test_duplicate_flashcard_text() -> None:
    data = example_data()
    basic = [c for c in data["flashcards"] if "front" in c]
    basic[1]["front"] = basic[0]["front"].upper()
    assert "duplicate-flashcard" in only_codes(data)


def test_cloze_without_gap() -> None:
    data = example_data()
    cloze = next(c for c in data["flashcards"] if "cloze" in c)
    cloze["cloze"] = "No gap here."
    assert only_codes(data) == ["cloze-without-gap"]


def test_glossary_terms_unique_ignoring_case() -> None:
    data = example_data()
    data["glossary"].append(
        {"id": "another", "term": data["glossary"][0]["term"].lower(), "definition": "x"}
    )
    assert only_codes(data) == ["duplicate-term"]


def test_turn_with_unknown_speaker() -> None:
    data = example_data()
    data["dialogue"]["scenes"][0]["turns"][0]["speaker"] = "nobody"
    assert only_codes(data) == ["unknown-reference"]


def test_derived_ids_collide_only_when_texts_match() -> None:
    data = example_data()
    for card in data["flashcards"]:
        card.pop("id")
    assert only_codes(data) == []


def _question(data: dict, question_id: str) -> dict:  # type: ignore[type-arg]
    [question] = [q for q in data["practice"] if q["id"] == question_id]
    assert isinstance(question, dict)
    return question


def test_matching_pair_without_partner_and_repeated_items() -> None:
    data = example_data()
    pairs = _question(data, "match-model-developer")["pairs"]
    del pairs[1]["right"]
    assert only_codes(data) == ["missing-key"]
    data = example_data()
    pairs = _question(data, "match-model-developer")["pairs"]
    pairs[1]["left"] = pairs[0]["left"].upper()
    _question(data, "match-model-developer")["distractors"] = ["openai"]
    assert only_codes(data) == ["duplicate-choice", "duplicate-choice"]


def test_duplicate_ordering_item() -> None:
    data = example_data()
    items = _question(data, "order-the-lifecycle")["items"]
    items.append({"id": "again", "text": items[0]["text"]})
    [(code, (line, _))] = codes_for(data)
    assert code == "duplicate-choice"
    assert line > 1


@pytest.mark.parametrize(
    "answer",
    [{"min": 7, "max": 5}, {}, {"value": 6, "min": 5, "max": 7}, {"min": 5}],
    ids=["min-above-max", "nothing", "value-and-range", "half-a-range"],
)
def test_numeric_answer_needs_a_value_or_an_ordered_range(answer: dict) -> None:  # type: ignore[type-arg]
    data = example_data()
    _question(data, "how-many-examples")["answers"] = [answer]
    assert only_codes(data) == ["numeric-range"]


@pytest.mark.parametrize(
    ("gaps", "text"),
    [
        ([{"accepted": []}], None),
        ([{"accepted": ["fine-tuning"], "choices": ["prompting", "pruning"]}], None),
        ([{"accepted": ["fine-tuning"]}], "Foundation models + {{2}} = Versatility!"),
        ([{"accepted": ["fine-tuning"]}, {"accepted": ["x"]}], None),
    ],
    ids=["no-answer", "answer-not-a-choice", "gap-without-entry", "entry-without-gap"],
)
def test_gap_without_answer(gaps: list, text: str | None) -> None:  # type: ignore[type-arg]
    data = example_data()
    question = _question(data, "versatility-formula")
    question["gaps"] = gaps
    if text is not None:
        question["text"] = text
    found = codes_for(data)
    assert {code for code, _ in found} == {"gap-without-answer"}
    assert all(line > 1 for _, (line, _) in found)
