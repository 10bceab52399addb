"""The quiz format: ``quiz.json``, its models, its JSON Schema, and reading it back.

``lessonc build --format quiz`` writes a lesson's practice questions as
``quiz.json`` for other programs (a web quiz, an LMS importer, a grader). The
models here define that file: :func:`json_schema` publishes them as JSON
Schema 2020-12 (``schema/quiz.schema.json``) and :func:`load` reads a file back
into them. The LMS exports (GIFT, QTI) render from the same models, so every
format agrees on ids, text and answers.

Compatibility rule: ``version`` changes only when a consumer of version 1
would misread a file; new optional fields do not change it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from os import PathLike
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import ConfigDict, Field
from pydantic_core import to_json

from lessonc import markup
from lessonc.model import (
    Choice,
    Lesson,
    MultipleChoice,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)
from lessonc.model import Question as LessonQuestion
from lessonc.quiz_base import (
    Part,
    QuestionBase,
    QuestionType,
    QuizChoice,
    RichText,
    optional,
    rich,
)
from lessonc.quiz_exercises import (
    FillBlanksQuestion,
    MatchingQuestion,
    NumericQuestion,
    OpenQuestion,
    OrderingQuestion,
    QuizGap,
    QuizNumericAnswer,
    QuizOrderItem,
    QuizPair,
    exercise_question,
)

__all__ = [
    "QUIZ_FORMAT", "QUIZ_VERSION", "SCHEMA_ID", "FillBlanksQuestion", "MatchingQuestion",
    "MultipleChoiceQuestion", "NumericQuestion", "OpenQuestion", "OrderingQuestion", "Part",
    "QuestionBase", "QuestionType", "Quiz", "QuizChoice", "QuizGap", "QuizLesson",
    "QuizNumericAnswer", "QuizOrderItem", "QuizPair", "QuizQuestion", "RichText",
    "ShortAnswerQuestion", "SingleChoiceQuestion", "TrueFalseQuestion", "dumps", "from_lesson",
    "json_schema", "load", "rich",
]  # fmt: skip

QUIZ_FORMAT: Final = "lessonc-quiz"
# Version 2 added the exercise types (matching … open): a version-1 reader validates `type`
# against four names and would reject such a file. `load` reads versions 1 and 2.
QUIZ_VERSION: Final = 2
# A name, not an address: nobody fetches it, and it changes with the quiz format's version.
SCHEMA_ID = f"urn:lessonc:schema:quiz:{QUIZ_VERSION}"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class SingleChoiceQuestion(QuestionBase):
    """Exactly one choice is correct."""

    type: Literal["single_choice"]
    choices: list[QuizChoice] = Field(min_length=2)
    """The options in the order to show them."""


class MultipleChoiceQuestion(QuestionBase):
    """One or more choices are correct; the learner picks all that apply."""

    type: Literal["multiple_choice"]
    choices: list[QuizChoice] = Field(min_length=2)
    """The options in the order to show them."""


class TrueFalseQuestion(QuestionBase):
    """A statement that is true or false."""

    type: Literal["true_false"]
    answer: bool
    """The right answer."""
    feedback_true: RichText | None
    """Shown when the learner answers true."""
    feedback_false: RichText | None
    """Shown when the learner answers false."""


class ShortAnswerQuestion(QuestionBase):
    """The learner types a short answer, compared with the accepted ones."""

    type: Literal["short_answer"]
    accepted: list[str] = Field(min_length=1)
    """Every answer counted as right, as plain text; the first is the model answer."""
    case_sensitive: bool
    """Whether 'GPT' and 'gpt' differ."""


QuizQuestion = Annotated[
    SingleChoiceQuestion
    | MultipleChoiceQuestion
    | TrueFalseQuestion
    | ShortAnswerQuestion
    | MatchingQuestion
    | OrderingQuestion
    | NumericQuestion
    | FillBlanksQuestion
    | OpenQuestion,
    Field(discriminator="type"),
]


class QuizLesson(Part):
    """The lesson the questions come from."""

    id: str = Field(min_length=1, examples=["foundation-models"])
    """The lesson's id."""
    title: str
    """Lesson title."""
    course: str
    """The course the lesson is part of."""
    chapter_number: int = Field(ge=0)
    """Number of the course chapter."""
    chapter_title: str
    """Title of the course chapter."""
    number: str = Field(examples=["15.1"])
    """The lesson number within the course."""
    language: str = Field(examples=["en"])
    """BCP 47 language tag of the text."""
    level: Literal["beginner", "intermediate", "advanced"]
    """Who the lesson is pitched at."""
    authors: list[str]
    """Names of the lesson's authors."""
    license: str
    """SPDX identifier of the content licence."""
    tags: list[str]
    """The lesson's keywords."""


class Quiz(Part):
    """A lesson's practice questions: the root of ``quiz.json``."""

    model_config = ConfigDict(
        title="lessonc quiz",
        json_schema_extra={"$id": SCHEMA_ID},
        # Every field is always written, so the published schema requires each one.
        json_schema_serialization_defaults_required=True,
    )

    format: Literal["lessonc-quiz"] = QUIZ_FORMAT
    """Always 'lessonc-quiz': tells this file from other JSON."""
    version: Literal[1, 2] = QUIZ_VERSION
    """Version of the quiz format: 2 (1 for files holding only the first four types)."""
    shuffle_seed: int | None = None
    """The seed questions and choices were shuffled with; null when they are in source order."""
    lesson: QuizLesson
    """Metadata of the lesson the questions come from."""
    questions: list[QuizQuestion]
    """The questions, in source order unless ``shuffle_seed`` is set."""

    @property
    def total_points(self) -> int:
        """The most a learner can score."""
        return sum(question.points for question in self.questions)


# --- from a lesson -----------------------------------------------------------------------------


def _choice(choice: Choice, writer: markup.Writer) -> QuizChoice:
    return QuizChoice(
        id=choice.key,
        text=rich(choice.text, inline=True, writer=writer),
        correct=choice.correct,
        feedback=optional(choice.feedback, writer),
    )


def _question(question: LessonQuestion, writer: markup.Writer) -> QuizQuestion:
    common: dict[str, Any] = {
        "id": question.key,
        "prompt": rich(question.prompt, writer=writer),
        "explanation": rich(question.explanation, writer=writer),
        "points": question.points,
        "tags": list(question.tags),
    }
    if isinstance(question, SingleChoice):
        choices = [_choice(choice, writer) for choice in question.choices]
        return SingleChoiceQuestion(type="single_choice", choices=choices, **common)
    if isinstance(question, MultipleChoice):
        choices = [_choice(choice, writer) for choice in question.choices]
        return MultipleChoiceQuestion(type="multiple_choice", choices=choices, **common)
    if isinstance(question, TrueFalse):
        return TrueFalseQuestion(
            type="true_false",
            answer=question.answer,
            feedback_true=optional(question.feedback_true, writer),
            feedback_false=optional(question.feedback_false, writer),
            **common,
        )
    if not isinstance(question, ShortAnswer):
        return exercise_question(question, common, writer)
    return ShortAnswerQuestion(
        type="short_answer",
        accepted=list(question.accepted),
        case_sensitive=question.case_sensitive,
        **common,
    )


def from_lesson(
    lesson: Lesson, shuffle_seed: int | None = None, writer: markup.Writer = "html"
) -> Quiz:
    """The quiz of a lesson: its practice questions in source order, or shuffled by a seed.

    ``writer`` says how the HTML shows formulas and code: MathML for quiz.json and QTI,
    TeX delimiters for GIFT (Moodle's filters typeset them).

    The shuffle uses its own ``random.Random(seed)``, never the global generator,
    so the same seed gives the same order on every run and machine (Python
    keeps ``Random.shuffle`` stable across versions for integer seeds).
    """
    questions = [_question(question, writer) for question in lesson.practice]
    if shuffle_seed is not None:
        questions = _shuffled(questions, random.Random(shuffle_seed))
    info = QuizLesson(
        id=lesson.id,
        title=lesson.title,
        course=lesson.course,
        chapter_number=lesson.chapter.number,
        chapter_title=lesson.chapter.title,
        number=lesson.number,
        language=lesson.language,
        level=lesson.level,
        authors=[author.name for author in lesson.authors],
        license=lesson.license,
        tags=list(lesson.tags),
    )
    return Quiz(shuffle_seed=shuffle_seed, lesson=info, questions=questions)


def _shuffled(questions: list[QuizQuestion], rng: random.Random) -> list[QuizQuestion]:
    # Questions first, then each question's choices in the new order: this
    # order of draws is part of the format's promise that a seed reproduces.
    order = list(questions)
    rng.shuffle(order)
    result: list[QuizQuestion] = []
    for question in order:
        if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
            choices = list(question.choices)
            rng.shuffle(choices)
            question = question.model_copy(update={"choices": choices})
        result.append(question)
    return result


# --- JSON --------------------------------------------------------------------------------------


def dumps(quiz: Quiz) -> bytes:
    """``quiz.json`` bytes: the models' key order, UTF-8 unescaped, indented, final newline.

    Pydantic's serialiser writes the same bytes as ``json.dumps(data,
    ensure_ascii=False, indent=2)`` (a test holds it to that) several times
    faster: the standard library falls back to pure Python when indenting. Except
    for some numbers: it writes 1.5e-07 as ``1.5e-7`` and 1.94e-05 as ``0.0000194``
    (the same values), so a quiz with such a number is written by ``json`` itself.
    """
    if all(_written_alike(number) for number in _numbers(quiz)):
        return (quiz.model_dump_json(indent=2) + "\n").encode()
    document = json.dumps(quiz.model_dump(mode="json"), ensure_ascii=False, indent=2)
    return (document + "\n").encode()


def _numbers(quiz: Quiz) -> Iterator[float]:
    """The quiz's floating-point numbers (its other numbers are integers, written alike)."""
    for question in quiz.questions:
        if isinstance(question, NumericQuestion):
            for answer in question.answers:
                if answer.value is not None:
                    yield answer.value
                yield from (answer.tolerance, answer.min, answer.max)


def _written_alike(number: float) -> bool:
    # json writes a float as its repr; pydantic-core as its own shortest form.
    return to_json(number) == repr(number).encode()


def load(path_or_text: str | bytes | PathLike[str]) -> Quiz:
    """Read a ``quiz.json`` back into the models, validating it on the way.

    Accepts a path (``Path`` or a string naming a file) or the JSON itself (a
    string or bytes whose first non-blank character is ``{``). Raises
    ``pydantic.ValidationError`` when the data is not a valid quiz.
    """
    if isinstance(path_or_text, bytes):
        raw = path_or_text
    elif isinstance(path_or_text, str) and path_or_text.lstrip().startswith("{"):
        raw = path_or_text.encode()
    else:
        raw = Path(path_or_text).read_bytes()
    return Quiz.model_validate_json(raw)


def json_schema() -> dict[str, Any]:
    """JSON Schema 2020-12 of ``quiz.json`` (with ``$schema`` and ``$id``), from the models."""
    document = Quiz.model_json_schema(mode="serialization")
    document.pop("$id", None)
    return {"$schema": JSON_SCHEMA_DIALECT, "$id": SCHEMA_ID, **document}
