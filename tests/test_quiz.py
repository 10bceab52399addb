"""The quiz format: its published schema, reading it back, and the seeded shuffle."""

from __future__ import annotations

import json
import random
from pathlib import Path

import jsonschema
import pydantic
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE, FIXTURES, ROOT
from fuzz.strategies import valid_lessons
from lessonc import markup, quiz
from lessonc.model import Lesson, ShortAnswer
from lessonc.pipeline import load_lesson

SPECIAL = FIXTURES / "quiz" / "special-chars.yaml"
EVERY_TYPE = FIXTURES / "exercises" / "every-type.yaml"


def _lesson(path: Path) -> Lesson:
    return load_lesson(path).lesson


def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((ROOT / "schema" / "quiz.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_schema_is_what_the_models_generate() -> None:
    committed = (ROOT / "schema" / "quiz.schema.json").read_text(encoding="utf-8")
    generated = json.dumps(quiz.json_schema(), indent=2, ensure_ascii=False) + "\n"
    assert committed == generated, "schema/quiz.schema.json is stale: run `lessonc schema`"


def test_schema_names_its_dialect_and_id_first() -> None:
    schema = quiz.json_schema()
    assert list(schema)[:2] == ["$schema", "$id"]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "urn:lessonc:schema:quiz:2"


def test_every_schema_field_is_documented() -> None:
    schema = quiz.json_schema()
    definitions = {**schema["$defs"], "Quiz": schema}
    undocumented = [
        f"{name}.{field}"
        for name, definition in definitions.items()
        for field, spec in definition.get("properties", {}).items()
        if field != "type" and not spec.get("description")
    ]
    assert undocumented == []


@pytest.mark.parametrize(
    "path", [EXAMPLE, SPECIAL, EVERY_TYPE], ids=["example", "special-chars", "every-type"]
)
@pytest.mark.parametrize("seed", [None, 42])
def test_quiz_json_validates_against_the_schema(path: Path, seed: int | None) -> None:
    data = json.loads(quiz.dumps(quiz.from_lesson(_lesson(path), shuffle_seed=seed)))
    errors = [error.message for error in _validator().iter_errors(data)]
    assert errors == []


def test_schema_rejects_what_the_models_reject() -> None:
    data = json.loads(quiz.dumps(quiz.from_lesson(_lesson(EXAMPLE))))
    data["questions"][0]["prompt"]["markdown"] = "unknown key"
    data["version"] = 3
    assert len(list(_validator().iter_errors(data))) == 2


@pytest.mark.parametrize("seed", [None, 7])
def test_round_trips_through_load(tmp_path: Path, seed: int | None) -> None:
    original = quiz.from_lesson(_lesson(SPECIAL), shuffle_seed=seed)
    raw = quiz.dumps(original)
    written = tmp_path / "quiz.json"
    written.write_bytes(raw)
    for source in (written, str(written), raw, raw.decode()):
        loaded = quiz.load(source)
        assert loaded == original
        assert quiz.dumps(loaded) == raw


def test_load_reads_a_version_1_file() -> None:
    """A file from before the exercise types (version 1, the first four types only) loads."""
    data = json.loads(quiz.dumps(quiz.from_lesson(_lesson(SPECIAL))))
    assert data["version"] == 2
    data["version"] = 1
    loaded = quiz.load(json.dumps(data))
    assert loaded.version == 1
    assert [q.id for q in loaded.questions] == [q["id"] for q in data["questions"]]


def test_a_version_1_reader_would_reject_the_new_types() -> None:
    """Why the version went up: version 1's schema names four types, and no other."""
    data = json.loads(quiz.dumps(quiz.from_lesson(_lesson(EVERY_TYPE))))
    new = {q["type"] for q in data["questions"]} - {
        "single_choice", "multiple_choice", "true_false", "short_answer"
    }  # fmt: skip
    assert new == {"matching", "ordering", "numeric", "fill_blanks", "open"}
    assert data["version"] == 2


@pytest.mark.parametrize(
    ("change", "value"),
    [("format", "other-quiz"), ("version", 3), ("shuffle_seed", 1.5), ("extra", True)],
)
def test_load_rejects_an_invalid_file(change: str, value: object) -> None:
    data = json.loads(quiz.dumps(quiz.from_lesson(_lesson(EXAMPLE))))
    data[change] = value
    with pytest.raises(pydantic.ValidationError):
        quiz.load(json.dumps(data))


def test_load_rejects_nan() -> None:
    text = quiz.dumps(quiz.from_lesson(_lesson(EXAMPLE))).decode()
    text = text.replace('"points": 1', '"points": NaN', 1)
    with pytest.raises(pydantic.ValidationError):
        quiz.load(text)


def test_unshuffled_quiz_keeps_source_order_and_ids() -> None:
    lesson = _lesson(EXAMPLE)
    built = quiz.from_lesson(lesson)
    assert built.shuffle_seed is None
    assert [q.id for q in built.questions] == [q.key for q in lesson.practice]
    assert [q.type for q in built.questions] == [q.type for q in lesson.practice]
    for ours, theirs in zip(built.questions, lesson.practice, strict=True):
        if isinstance(ours, quiz.SingleChoiceQuestion | quiz.MultipleChoiceQuestion):
            assert [c.id for c in ours.choices] == [c.key for c in theirs.choices]  # type: ignore[union-attr]


def _choice_map(built: quiz.Quiz) -> dict[str, dict[str, quiz.QuizChoice]]:
    return {
        q.id: {c.id: c for c in q.choices}
        for q in built.questions
        if isinstance(q, quiz.SingleChoiceQuestion | quiz.MultipleChoiceQuestion)
    }


def test_shuffle_is_deterministic_differs_and_keeps_ids() -> None:
    lesson = _lesson(EXAMPLE)
    plain = quiz.from_lesson(lesson)
    first = quiz.from_lesson(lesson, shuffle_seed=1234)
    again = quiz.from_lesson(lesson, shuffle_seed=1234)
    other = quiz.from_lesson(lesson, shuffle_seed=4321)

    assert quiz.dumps(first) == quiz.dumps(again)
    assert first.shuffle_seed == 1234
    assert [q.id for q in first.questions] != [q.id for q in plain.questions]
    assert [q.id for q in first.questions] != [q.id for q in other.questions]
    # Same questions and the same choices (ids, text, correctness), in a new order.
    assert sorted(q.id for q in first.questions) == sorted(q.id for q in plain.questions)
    assert _choice_map(first) == _choice_map(plain)
    plain_orders, first_orders = _choice_orders(plain), _choice_orders(first)
    assert any(first_orders[qid] != order for qid, order in plain_orders.items())


def _choice_orders(built: quiz.Quiz) -> dict[str, list[str]]:
    return {qid: list(choices) for qid, choices in _choice_map(built).items()}


def test_shuffle_leaves_the_global_random_generator_alone() -> None:
    random.seed(99)
    state = random.getstate()
    quiz.from_lesson(_lesson(EXAMPLE), shuffle_seed=5)
    assert random.getstate() == state


def test_special_characters_survive_in_quiz_json() -> None:
    lesson = _lesson(SPECIAL)
    data = json.loads(quiz.dumps(quiz.from_lesson(lesson)).decode("utf-8"))
    for question, source in zip(data["questions"], lesson.practice, strict=True):
        assert question["prompt"]["text"] == markup.to_plain(source.prompt)
        assert question["prompt"]["html"] == markup.to_html(source.prompt)
        if isinstance(source, ShortAnswer):
            assert question["accepted"] == source.accepted
    tf = next(q for q in data["questions"] if q["id"] == "scripts-and-emoji")
    assert "日本語、Ελληνικά, العربية and emoji 😀👩\u200d🔬" in tf["prompt"]["text"]
    scripts = next(q for q in data["questions"] if q["id"] == "markup-and-scripts")
    assert "<script>" not in scripts["prompt"]["html"]
    assert "&lt;script&gt;" in scripts["prompt"]["html"]
    assert data["lesson"]["title"].endswith("<&> \"quoted\" 'quoted'")


_SMALL_NUMBERS = {
    "id": "0", "title": "0", "course": "0", "chapter": {"number": 0, "title": "0"},
    "number": "0", "estimated_minutes": 1, "authors": [{"name": "0"}], "objectives": ["0"],
    "summary": {"quick": "0", "standard": "0", "detailed": "0"},
    "chapters": [{"title": "0", "text": "0"}],
    "practice": [
        {"prompt": "0", "explanation": "0", "type": "numeric", "id": "practice-0",
         "answers": [{"value": 1.9415033651810098e-05}, {"value": 2.0, "tolerance": 1.5e-07}]}
    ],
}  # fmt: skip
"""Numbers Pydantic writes otherwise than json does (``0.0000194…``, ``1.5e-7``)."""


@settings(max_examples=60, deadline=None)
@given(valid_lessons(), st.sampled_from([None, 1]))
@example(_SMALL_NUMBERS, None)
def test_quiz_json_is_what_the_standard_json_module_writes(data: dict, seed: int | None) -> None:
    # quiz.dumps uses Pydantic's serialiser for speed; readers (and diffs of
    # committed quiz files) see exactly json.dumps(indent=2, ensure_ascii=False).
    built = quiz.from_lesson(Lesson.model_validate(data), shuffle_seed=seed)
    standard = json.dumps(built.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    assert quiz.dumps(built) == standard.encode()


def test_total_points_adds_up() -> None:
    built = quiz.from_lesson(_lesson(SPECIAL))
    assert built.total_points == 2 + 5


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1))
def test_rich_text_is_never_empty_and_never_live_html(text: str) -> None:
    assume(text.strip())
    rich = quiz.rich(text)
    assert rich.text
    assert rich.html
    assert "<script" not in rich.html.lower()
