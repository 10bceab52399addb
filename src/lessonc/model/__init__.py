"""The lesson format: Pydantic models for every part of a lesson.

These models are the single source of truth. The JSON Schema in ``schema/``,
the format reference and every output format derive from them, so a field's
description and examples live here, on the field (as its docstring).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from lessonc.model.base import (
    FORMAT_VERSION,
    KEY_PATTERN,
    SLUG_PATTERN,
    Identified,
    InterfaceStrings,
    Key,
    PlainText,
    Slug,
    Strict,
    Text,
    Url,
    empty_dict,
    empty_list,
    slugify,
)
from lessonc.model.content import (
    Acronym,
    Author,
    Chapter,
    ChapterRef,
    Dialogue,
    Example,
    KeyConcept,
    MemoryAid,
    Mnemonic,
    Rhyme,
    Scene,
    Speaker,
    Story,
    Summary,
    Turn,
    Video,
    Voice,
)
from lessonc.model.exercises import (
    GAP_PATTERN,
    FillBlanks,
    Gap,
    Matching,
    MatchPair,
    Numeric,
    NumericAnswer,
    Open,
    Ordering,
    OrderItem,
    Question,
)
from lessonc.model.study import (
    CLOZE_PATTERN,
    BasicCard,
    Choice,
    ClozeCard,
    Flashcard,
    GlossaryEntry,
    MultipleChoice,
    QuestionBase,
    Reference,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)

__all__ = [
    "CLOZE_PATTERN", "FORMAT_VERSION", "GAP_PATTERN", "KEY_PATTERN", "SLUG_PATTERN", "Acronym",
    "Author", "BasicCard", "Chapter", "ChapterRef", "Choice", "ClozeCard", "Dialogue",
    "Example", "FillBlanks", "Flashcard", "Gap", "GlossaryEntry", "Identified",
    "InterfaceStrings", "Key", "KeyConcept", "Lesson", "LintSettings", "MatchPair", "Matching",
    "MemoryAid", "Mnemonic", "MultipleChoice", "Numeric", "NumericAnswer", "Open", "OrderItem",
    "Ordering", "PlainText", "Question", "QuestionBase", "Reference", "Rhyme", "Scene",
    "ScormSettings", "ShortAnswer", "SingleChoice", "Slug", "Speaker", "Story", "Strict",
    "Summary", "Text", "TrueFalse", "Turn", "Url", "Video", "Voice", "slugify",
]  # fmt: skip

# --- the lesson ------------------------------------------------------------------------------


class LintSettings(Strict):
    """How `lessonc lint` treats this lesson."""

    disable: list[Annotated[str, Field(pattern=r"^L\d{3}$")]] = Field(
        default_factory=empty_list, examples=[["L101", "L104"]]
    )
    """Codes of lint rules switched off for this lesson (see `lessonc lint --list-rules`)."""


class ScormSettings(Strict):
    """How an LMS grades the lesson's SCORM package (`--format scorm12` or `scorm2004`)."""

    pass_percent: int = Field(default=80, ge=0, le=100, examples=[80])
    """The share of the practice questions' points a learner needs to pass, in per cent: the package reports passed or failed once every question is answered (a pass mark set in the LMS wins)."""  # noqa: E501


class Lesson(Strict):
    """One lesson: the root of a lesson source file."""

    # The $id is a name, not an address: nobody has to fetch it. Editors find the schema
    # through the path on a lesson's first line.
    model_config = ConfigDict(
        title="lessonc lesson",
        json_schema_extra={"$id": f"urn:lessonc:schema:lesson:{FORMAT_VERSION}"},
    )

    lessonc: Literal[1] = Field(default=FORMAT_VERSION, examples=[FORMAT_VERSION])
    """Version of the lesson format."""
    id: Slug = Field(examples=["foundation-models"])
    """The lesson's identity (lower-case letters, digits and single hyphens): names its output folder, Anki notes and quiz ids. Never change it."""  # noqa: E501
    title: PlainText = Field(examples=["What are Foundation Models?"])
    """Lesson title."""
    course: PlainText = Field(examples=["Advanced Machine Learning"])
    """The course this lesson is part of."""
    chapter: ChapterRef = Field(
        examples=[{"number": 15, "title": "Modern Topics – LLMs & Foundation Models"}]
    )
    """The course chapter."""
    number: str = Field(pattern=r"^\d+(\.\d+)*$", max_length=32, examples=["15.1"])
    """The lesson number within the course, quoted: "15.1"."""
    language: str = Field(
        default="en",
        pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        max_length=64,
        examples=["en", "pt-BR"],
    )
    """BCP 47 language tag of the text; picks the interface strings, the text direction and the PDF's fonts."""  # noqa: E501
    direction: Literal["ltr", "rtl"] | None = Field(default=None, examples=["rtl"])
    """Text direction of every output; left out, it follows the language (rtl for Persian, Arabic, Hebrew, Urdu …)."""  # noqa: E501
    ui: InterfaceStrings = Field(default_factory=empty_dict, examples=[{"show_answer": "Reveal"}])
    """Interface strings that replace lessonc's own for this lesson, by key (see docs/translating.md for the keys)."""  # noqa: E501
    level: Literal["beginner", "intermediate", "advanced"] = Field(
        default="intermediate", examples=["advanced"]
    )
    """Who the lesson is pitched at."""
    estimated_minutes: int = Field(ge=1, le=600, examples=[25])
    """Time a learner needs for the whole lesson."""
    authors: list[Author] = Field(min_length=1, examples=[[{"name": "lessonc contributors"}]])
    """Who wrote the lesson."""
    license: str = Field(default="CC-BY-4.0", max_length=100, examples=["CC-BY-4.0"])
    """SPDX identifier of the content licence."""
    objectives: list[Text] = Field(
        min_length=1,
        examples=[
            [
                "Define a foundation model and explain how it serves as the base for a wide "
                "range of downstream tasks.",
                "Explain what fine-tuning is and why using a single model as a foundation for "
                "many applications promotes scalability and reuse.",
            ]
        ],
    )
    """What a learner can do after the lesson."""
    tags: list[Key] = Field(
        default_factory=empty_list, examples=[["foundation-models", "pre-training", "fine-tuning"]]
    )
    """Keywords, also used as Anki tags (lower-case letters and digits of any script, single hyphens)."""  # noqa: E501
    teacher_notes: Text | None = Field(
        default=None,
        examples=[
            "Plan 25 minutes: the dialogue (5), chapters 1 and 2 (10), practice in pairs "
            "(10).\n\nStudents often confuse pre-training with fine-tuning: ask them to "
            "name the data each one uses."
        ],
    )
    """Notes for the teacher (plan, timing, common mistakes, answers to expect): printed near the top of the teacher edition of the handout (`--edition teacher`) only, never on the page, in the student handout, the deck, the quiz or any other output."""  # noqa: E501

    dialogue: Dialogue | None = Field(
        default=None,
        examples=[
            {
                "speakers": [
                    {"id": "teacher", "name": "Teacher", "role": "teacher"},
                    {"id": "student-1", "name": "Student 1", "role": "student"},
                ],
                "scenes": [
                    {
                        "title": "Definition and Characteristics of Foundation Models",
                        "turns": [
                            {
                                "speaker": "teacher",
                                "text": "Can anyone tell me what a foundation model is?",
                            },
                            {
                                "speaker": "student-1",
                                "text": "Are they really big models used across different tasks?",
                            },
                        ],
                    }
                ],
            }
        ],
    )
    """The teacher–student conversation."""
    # Worded unlike Summary's own docstring: pydantic drops a `$ref` sibling equal to the target's.
    summary: Summary = Field(
        examples=[
            {
                "quick": "Foundation models are scalable, pre-trained models that serve as a "
                "base for varied downstream tasks in AI.",
                "standard": "Foundation models are extensive, pre-trained models capable of "
                "adapting to numerous applications by leveraging massive datasets.",
                "detailed": "Foundation models are large-scale pre-trained models used as the "
                "base for many downstream tasks.\n\nKey examples include GPT, BERT and LLaMA.",
            }
        ]
    )
    """The lesson summed up at three depths: quick, standard and detailed."""
    videos: list[Video] = Field(
        default_factory=empty_list,
        examples=[
            [
                {
                    "title": "Every Major Learning Theory (Explained in 5 Minutes)",
                    "url": "https://www.youtube.com/results?search_query=Every+Major+Learning+Theory",
                }
            ]
        ],
    )
    """Videos to watch."""
    chapters: list[Chapter] = Field(
        min_length=1,
        examples=[
            [
                {
                    "title": "Definition of Foundation Models",
                    "text": "Foundation models are large-scale pre-trained models that serve as "
                    "the base for a wide range of downstream tasks.",
                    "analogy": "Imagine a person who learns to play the piano, then plays any "
                    "genre with ease.",
                }
            ]
        ],
    )
    """The body of the lesson."""
    key_concepts: list[KeyConcept] = Field(
        default_factory=empty_list,
        examples=[
            [
                {
                    "term": "Transferable Knowledge",
                    "explanation": "The ability of models to apply knowledge from one area to "
                    "others.",
                }
            ]
        ],
    )
    """The ideas to take away."""
    examples: list[Example] = Field(
        default_factory=empty_list,
        examples=[
            [
                {
                    "title": "BERT (Google)",
                    "text": "BERT from Google transforms natural language processing tasks such "
                    "as text classification and sentiment analysis.",
                }
            ]
        ],
    )
    """Real-life examples and applications."""
    memory_aids: list[MemoryAid] = Field(
        default_factory=empty_list,
        examples=[
            [
                {
                    "kind": "rhyme",
                    "text": "Foundation models are wide and vast, a single model for tasks "
                    "that last.",
                },
                {
                    "kind": "acronym",
                    "acronym": "FARM",
                    "words": ["Foundation models", "Are", "Reusable", "Multi-functional"],
                },
            ]
        ],
    )
    """Rhymes, stories, mnemonics and acronyms."""
    flashcards: list[Flashcard] = Field(
        default_factory=empty_list,
        examples=[
            [
                {
                    "id": "fm-definition",
                    "front": "What is a foundation model?",
                    "back": "A large pre-trained model that serves as the base for many "
                    "downstream tasks.",
                },
                {
                    "id": "cloze-adaptation",
                    "cloze": "Foundation models are adaptable via {{c1::fine-tuning}} or "
                    "{{c2::prompting}}.",
                },
            ]
        ],
    )
    """Cards for spaced repetition."""
    glossary: list[GlossaryEntry] = Field(
        default_factory=empty_list,
        examples=[
            [
                {
                    "id": "transferable",
                    "term": "Transferable",
                    "definition": "The ability of learned knowledge to be applied across "
                    "different tasks and domains.",
                }
            ]
        ],
    )
    """Terms and definitions."""
    practice: list[Question] = Field(
        default_factory=empty_list,
        examples=[
            [
                {
                    "id": "knowledge-is-transferable",
                    "type": "true_false",
                    "prompt": "Because foundation models are trained on massive and diverse "
                    "datasets, their knowledge can be transferred across tasks and domains.",
                    "answer": True,
                    "explanation": "Training on massive and diverse datasets is what makes a "
                    "foundation model’s knowledge transferable.",
                }
            ]
        ],
    )
    """Practice questions."""
    references: list[Reference] = Field(
        default_factory=empty_list,
        examples=[
            [
                {
                    "title": "On the Opportunities and Risks of Foundation Models",
                    "url": "https://arxiv.org/abs/2108.07258",
                    "authors": ["Rishi Bommasani et al."],
                }
            ]
        ],
    )
    """Sources and further reading."""
    lint: LintSettings = Field(
        default_factory=lambda: LintSettings(), examples=[{"disable": ["L101"]}]
    )
    """Settings for `lessonc lint` on this lesson."""
    scorm: ScormSettings | None = Field(default=None, examples=[{"pass_percent": 80}])
    """Grading in an LMS (SCORM packages); when left out, the course's, else a pass mark of 80 %."""
    pronunciations: dict[PlainText, PlainText] = Field(
        default_factory=empty_dict, examples=[{"LLaMA": "lama", "GPT": "G P T", "DATS": "dats"}]
    )
    """How the audio lesson says terms: each key (a whole word, case as written) is spoken as its value, a phonetic spelling."""  # noqa: E501

    @property
    def pass_percent(self) -> int:
        """The SCORM pass mark: the lesson's own, else the default."""
        return (self.scorm or ScormSettings()).pass_percent

    def speaker(self, speaker_id: str) -> Speaker | None:
        """The dialogue speaker with this id, if any."""
        if self.dialogue is None:
            return None
        return next((s for s in self.dialogue.speakers if s.id == speaker_id), None)
