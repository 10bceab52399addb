"""The lesson format: Pydantic models for every part of a lesson.

These models are the single source of truth. The JSON Schema in ``schema/``,
the format reference and every output format derive from them, so a field's
description and examples live here, on the field.

Identity rule (used by the Anki deck, quiz JSON and HTML anchors): every
flashcard, glossary term, question and choice has an ``id``. Write it
explicitly for anything you expect to edit. When it is left out it is derived
from the item's own text (see :func:`slugify`), never from its position, so
inserting an item never renumbers the others; but then editing that text gives
the item a new identity (a new Anki note, a new quiz id).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

FORMAT_VERSION = 1
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_SLUG_MAX = 48


def slugify(text: str, max_length: int = _SLUG_MAX) -> str:
    """Turn text into an id: ASCII lower case, words joined by '-', cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    if not slug and words:
        slug = words[0][:max_length]
    return slug or "item"


def _require_text(value: str) -> str:
    if not value.strip():
        raise ValueError("text must not be empty")
    return value


def _no_control_chars(value: str) -> str:
    # U+001F separates Anki fields and NUL ends C strings in WeasyPrint's
    # dependencies: both would corrupt an output silently.
    bad = next((c for c in value if unicodedata.category(c) == "Cc" and c not in "\n\t"), None)
    if bad is not None:
        raise ValueError(f"control character U+{ord(bad):04X} is not allowed in text")
    return value


Text = Annotated[
    str,
    AfterValidator(_no_control_chars),
    AfterValidator(_require_text),
    # Editors learn from contentMediaType that the string is Markdown; the
    # field's own docstring stays its description.
    Field(min_length=1, json_schema_extra={"contentMediaType": "text/markdown"}),
]
"""Required text in lessonc's Markdown subset (see markup.py); blank text is an error."""

PlainText = Annotated[
    str,
    AfterValidator(_no_control_chars),
    AfterValidator(_require_text),
    Field(min_length=1, max_length=500),
]
"""A short plain-text line (a title, a name, a term); no Markdown."""

Slug = Annotated[
    str,
    Field(
        pattern=SLUG_PATTERN,
        max_length=64,
        description="An identifier: lower-case letters, digits and single hyphens.",
        examples=["foundation-models"],
    ),
]

Url = Annotated[
    str,
    Field(
        pattern=r"^https?://[^\s/$.?#][^\s]*$",
        max_length=2048,
        description="An absolute http(s) URL.",
        examples=["https://www.youtube.com/watch?v=dQw4w9WgXcQ"],
    ),
]


class Strict(BaseModel):
    """Base for every part: unknown keys are errors, no silent type coercion, no NaN."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        allow_inf_nan=False,
        use_attribute_docstrings=True,
    )


class Identified(Strict):
    """A part with an ``id`` that is derived from :meth:`id_source` when not written."""

    id: Slug | None = None
    """Stable identifier; left out, it is derived from the text (and changes when the text does)."""

    def id_source(self) -> str:
        raise NotImplementedError

    @model_validator(mode="after")
    def _derive_id(self) -> Identified:
        if self.id is None:
            self.id = slugify(self.id_source())
        return self

    @property
    def key(self) -> str:
        """The id, always set after validation."""
        assert self.id is not None
        return self.id


# --- metadata -----------------------------------------------------------------


class ChapterRef(Strict):
    """The course chapter a lesson belongs to."""

    number: int = Field(ge=0, examples=[15])
    """Chapter number within the course."""
    title: PlainText = Field(examples=["Modern Topics – LLMs & Foundation Models"])
    """Chapter title."""


class Author(Strict):
    """A person credited for the lesson."""

    name: PlainText
    """Full name as it should be printed."""
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")
    """Contact address, optional."""


# --- dialogue -----------------------------------------------------------------


class Speaker(Strict):
    """A voice in the dialogue."""

    id: Slug
    """How turns refer to this speaker."""
    name: PlainText = Field(examples=["Teacher", "Student 1"])
    """Name shown beside each turn."""
    role: Literal["teacher", "student", "narrator", "guest"]
    """The speaker's part in the conversation."""


class Turn(Strict):
    """One utterance in a scene."""

    speaker: Slug
    """The ``id`` of one of the dialogue's speakers."""
    text: Text
    """What the speaker says."""


class Scene(Strict):
    """A titled part of the dialogue."""

    title: PlainText = Field(examples=["Definition and Characteristics of Foundation Models"])
    """Scene heading."""
    turns: list[Turn] = Field(min_length=1)
    """The turns in the order they are spoken."""


class Dialogue(Strict):
    """The teacher–student conversation (the "audio lesson")."""

    speakers: list[Speaker] = Field(min_length=1)
    """Everyone who speaks; ids must be unique."""
    scenes: list[Scene] = Field(min_length=1)
    """The scenes in order."""


# --- summary, videos, chapters ---------------------------------------------------


class Summary(Strict):
    """The lesson summed up at three depths."""

    quick: Text
    """One or two sentences."""
    standard: Text
    """A short paragraph."""
    detailed: Text
    """Several paragraphs."""


class Video(Strict):
    """A video to watch alongside the lesson; pages only link to it until a reader asks."""

    title: PlainText
    """Video title."""
    url: Url
    """Where the video lives (YouTube, Vimeo or any page)."""


class Chapter(Strict):
    """A section of the lesson body (the "audio book")."""

    title: PlainText
    """Section heading."""
    text: Text
    """The core text."""
    explanation: Text | None = None
    """The detailed explanation."""
    analogy: Text | None = None
    """Examples & analogies that make the idea concrete."""


class KeyConcept(Identified):
    """A term with a short explanation."""

    term: PlainText
    """The concept's name."""
    explanation: Text
    """One or two sentences."""

    def id_source(self) -> str:
        return self.term


class Example(Strict):
    """A real-life example or application."""

    title: PlainText | None = None
    """Optional short heading."""
    text: Text
    """The example."""


# --- memory aids ------------------------------------------------------------------


class Rhyme(Identified):
    """A rhyme to remember the idea by."""

    kind: Literal["rhyme"]
    """Which kind of memory aid this is."""
    text: Text
    """The rhyme."""

    def id_source(self) -> str:
        return f"rhyme {self.text}"


class Story(Identified):
    """A short story or picture that carries the idea."""

    kind: Literal["story"]
    """Which kind of memory aid this is."""
    title: PlainText | None = None
    """Optional title."""
    text: Text
    """The story."""

    def id_source(self) -> str:
        return f"story {self.title or self.text}"


class Mnemonic(Identified):
    """A memory device; when it spells a word, give ``cue`` and ``words`` to check the letters."""

    kind: Literal["mnemonic"]
    """Which kind of memory aid this is."""
    text: Text
    """The mnemonic as it is taught."""
    cue: PlainText | None = Field(default=None, examples=["DATS"])
    """The word its first letters spell, if any."""
    words: list[PlainText] | None = None
    """The words behind ``cue``, one per letter."""

    def id_source(self) -> str:
        return f"mnemonic {self.cue or self.text}"


class Acronym(Identified):
    """An acronym; each letter must start the word it stands for."""

    kind: Literal["acronym"]
    """Which kind of memory aid this is."""
    acronym: PlainText = Field(examples=["FARM"])
    """The acronym itself."""
    words: list[PlainText] = Field(min_length=1)
    """The words it stands for, one per letter, in order."""
    text: Text | None = None
    """How to read it, optional."""

    def id_source(self) -> str:
        return f"acronym {self.acronym}"


MemoryAid = Annotated[
    Rhyme | Story | Mnemonic | Acronym,
    Field(discriminator="kind"),
]


# --- flashcards and glossary ----------------------------------------------------------


class BasicCard(Identified):
    """A question on the front, the answer on the back."""

    front: Text
    """The prompt."""
    back: Text
    """The answer."""

    def id_source(self) -> str:
        return self.front


CLOZE_PATTERN = re.compile(r"\{\{c(\d+)::(.+?)(?:::(.+?))?\}\}", re.DOTALL)


class ClozeCard(Identified):
    """A sentence with gaps written as Anki does: ``{{c1::answer}}`` or ``{{c1::answer::hint}}``."""

    cloze: Text = Field(
        examples=["Foundation models are {{c1::pre-trained}} on {{c2::massive}} data."]
    )
    """The sentence with its gaps."""
    extra: Text | None = None
    """Shown on the back after the sentence."""

    def id_source(self) -> str:
        return CLOZE_PATTERN.sub(lambda m: m.group(2), self.cloze)


def _card_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return "cloze" if "cloze" in value else "basic"
    if isinstance(value, ClozeCard):
        return "cloze"
    if isinstance(value, BasicCard):
        return "basic"
    return None


Flashcard = Annotated[
    Annotated[BasicCard, Tag("basic")] | Annotated[ClozeCard, Tag("cloze")],
    Discriminator(
        _card_kind,
        custom_error_type="flashcard_kind",
        custom_error_message="a flashcard needs either 'front' and 'back', or 'cloze'",
    ),
]


class GlossaryEntry(Identified):
    """A term and its definition."""

    term: PlainText
    """The term as it appears in the text."""
    definition: Text
    """What it means."""
    aliases: list[PlainText] = Field(default_factory=list)
    """Other spellings to link in the text (e.g. 'fine-tuning' for 'Finetuning')."""

    def id_source(self) -> str:
        return self.term


# --- practice questions ------------------------------------------------------------------


class Choice(Identified):
    """One option of a choice question."""

    text: Text
    """The option as shown."""
    correct: bool = False
    """Whether choosing it is right."""
    feedback: Text | None = None
    """Shown when this option is picked."""

    def id_source(self) -> str:
        return self.text


class QuestionBase(Identified):
    prompt: Text
    """The question."""
    explanation: Text
    """Why the answer is what it is; shown after answering."""
    points: int = Field(default=1, ge=0, le=1000)
    """Weight in a score."""
    tags: list[Slug] = Field(default_factory=list)
    """Labels for filtering in an LMS."""

    def id_source(self) -> str:
        return self.prompt


class SingleChoice(QuestionBase):
    """Exactly one choice is correct."""

    type: Literal["single_choice"]
    """Which kind of question this is."""
    choices: list[Choice] = Field(min_length=2)
    """The options, in the order shown."""


class MultipleChoice(QuestionBase):
    """One or more choices are correct; the learner picks all that apply."""

    type: Literal["multiple_choice"]
    """Which kind of question this is."""
    choices: list[Choice] = Field(min_length=2)
    """The options, in the order shown."""


class TrueFalse(QuestionBase):
    """A statement that is true or false."""

    type: Literal["true_false"]
    """Which kind of question this is."""
    answer: bool
    """Write ``true`` or ``false`` (``yes``/``no`` are strings, not booleans)."""
    feedback_true: Text | None = None
    """Shown when the learner answers true."""
    feedback_false: Text | None = None
    """Shown when the learner answers false."""


class ShortAnswer(QuestionBase):
    """The learner types a short answer, compared with the accepted ones."""

    type: Literal["short_answer"]
    """Which kind of question this is."""
    accepted: list[PlainText] = Field(min_length=1)
    """Every answer counted as right; the first is shown as the model answer."""
    case_sensitive: bool = False
    """Whether 'GPT' and 'gpt' differ."""


Question = Annotated[
    SingleChoice | MultipleChoice | TrueFalse | ShortAnswer,
    Field(discriminator="type"),
]


class Reference(Strict):
    """A source or further reading."""

    title: PlainText
    """Title of the work."""
    url: Url | None = None
    """Where to find it."""
    authors: list[PlainText] = Field(default_factory=list)
    """Who wrote it."""
    note: Text | None = None
    """Why it is worth reading."""


# --- the lesson ------------------------------------------------------------------------------


class Lesson(Strict):
    """One lesson: the root of a lesson source file."""

    model_config = ConfigDict(
        title="lessonc lesson",
        json_schema_extra={"$id": "https://lessonc.dev/schema/lesson.schema.json"},
    )

    lessonc: Literal[1] = 1
    """Version of the lesson format."""
    id: Slug = Field(examples=["foundation-models"])
    """The lesson's identity: names its output folder, Anki notes and quiz ids. Never change it."""
    title: PlainText = Field(examples=["What are Foundation Models?"])
    """Lesson title."""
    course: PlainText = Field(examples=["Advanced Machine Learning"])
    """The course this lesson is part of."""
    chapter: ChapterRef
    """The course chapter."""
    number: str = Field(pattern=r"^\d+(\.\d+)*$", examples=["15.1"])
    """The lesson number within the course, quoted: "15.1"."""
    language: str = Field(
        default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", examples=["en", "pt-BR"]
    )
    """BCP 47 language tag of the text."""
    level: Literal["beginner", "intermediate", "advanced"] = "intermediate"
    """Who the lesson is pitched at."""
    estimated_minutes: int = Field(ge=1, le=600, examples=[30])
    """Time a learner needs for the whole lesson."""
    authors: list[Author] = Field(min_length=1)
    """Who wrote the lesson."""
    license: str = Field(default="CC-BY-4.0", examples=["CC-BY-4.0"])
    """SPDX identifier of the content licence."""
    objectives: list[Text] = Field(min_length=1)
    """What a learner can do after the lesson."""
    tags: list[Slug] = Field(default_factory=list)
    """Keywords, also used as Anki tags."""

    dialogue: Dialogue | None = None
    """The teacher–student conversation."""
    summary: Summary
    """The lesson summed up at three depths."""
    videos: list[Video] = Field(default_factory=list)
    """Videos to watch."""
    chapters: list[Chapter] = Field(min_length=1)
    """The body of the lesson."""
    key_concepts: list[KeyConcept] = Field(default_factory=list)
    """The ideas to take away."""
    examples: list[Example] = Field(default_factory=list)
    """Real-life examples and applications."""
    memory_aids: list[MemoryAid] = Field(default_factory=list)
    """Rhymes, stories, mnemonics and acronyms."""
    flashcards: list[Flashcard] = Field(default_factory=list)
    """Cards for spaced repetition."""
    glossary: list[GlossaryEntry] = Field(default_factory=list)
    """Terms and definitions."""
    practice: list[Question] = Field(default_factory=list)
    """Practice questions."""
    references: list[Reference] = Field(default_factory=list)
    """Sources and further reading."""

    def speaker(self, speaker_id: str) -> Speaker | None:
        """The dialogue speaker with this id, if any."""
        if self.dialogue is None:
            return None
        return next((s for s in self.dialogue.speakers if s.id == speaker_id), None)
