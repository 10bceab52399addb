"""The teaching parts of a lesson: metadata, dialogue, summary, chapters, concepts, memory aids."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from lessonc.model.base import Identified, Key, PlainText, Strict, Text, Url

# --- metadata -----------------------------------------------------------------


class ChapterRef(Strict):
    """The course chapter a lesson belongs to."""

    number: int = Field(ge=0, examples=[15])
    """Chapter number within the course."""
    title: PlainText = Field(examples=["Modern Topics – LLMs & Foundation Models"])
    """Chapter title."""


class Author(Strict):
    """A person credited for the lesson."""

    name: PlainText = Field(examples=["lessonc contributors"])
    """Full name as it should be printed."""
    email: str | None = Field(
        default=None,
        pattern=r"^[^@\s]+@[^@\s]+$",
        max_length=320,
        examples=["authors@example.org"],
    )
    """Contact address, optional."""


# --- dialogue -----------------------------------------------------------------


class Voice(Strict):
    """How a speaker sounds in the audio lesson (``--format audio``); every part is optional."""

    # Starts with a letter or digit: a speech command gets it as an argument, never an option.
    name: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}(\+[A-Za-z0-9][A-Za-z0-9_-]{0,19})?$",
        max_length=61,
        examples=["en-gb+f2"],
    )
    """The engine's voice, for eSpeak NG a language and variant ("en-gb+f2"); left out, the lesson's language with a variant chosen by the role."""  # noqa: E501
    pitch: int | None = Field(default=None, ge=0, le=99, examples=[60])
    """Base pitch, 0 (lowest) to 99; left out, chosen by the speaker's role."""
    rate: int | None = Field(default=None, ge=80, le=450, examples=[165])
    """Speaking rate in words per minute; left out, 165."""


class Speaker(Strict):
    """A voice in the dialogue."""

    id: Key = Field(examples=["teacher", "student-1"])
    """How turns refer to this speaker (lower-case letters, digits and single hyphens)."""
    name: PlainText = Field(examples=["Teacher", "Student 1"])
    """Name shown beside each turn."""
    role: Literal["teacher", "student", "narrator", "guest"] = Field(
        examples=["teacher", "student"]
    )
    """The speaker's part in the conversation."""
    voice: Voice | None = Field(default=None, examples=[{"name": "en-gb+f2", "pitch": 60}])
    """How the speaker sounds in the audio lesson; left out, a voice chosen by the role."""


class Turn(Strict):
    """One utterance in a scene."""

    speaker: Key = Field(examples=["teacher", "student-1"])
    """The ``id`` of one of the dialogue's speakers."""
    text: Text = Field(
        examples=[
            "Today, we’re going to discuss foundation models. Can anyone tell me what one is?"
        ]
    )
    """What the speaker says."""


class Scene(Strict):
    """A titled part of the dialogue."""

    title: PlainText = Field(examples=["Definition and Characteristics of Foundation Models"])
    """Scene heading."""
    turns: list[Turn] = Field(
        min_length=1,
        examples=[
            [
                {"speaker": "student-1", "text": "Are they really big models used across tasks?"},
                {"speaker": "teacher", "text": "Exactly: large-scale, pre-trained models."},
            ]
        ],
    )
    """The turns in the order they are spoken."""


class Dialogue(Strict):
    """The teacher–student conversation (the "audio lesson")."""

    speakers: list[Speaker] = Field(
        min_length=1,
        examples=[
            [
                {"id": "teacher", "name": "Teacher", "role": "teacher"},
                {"id": "student-1", "name": "Student 1", "role": "student"},
            ]
        ],
    )
    """Everyone who speaks; ids must be unique."""
    scenes: list[Scene] = Field(
        min_length=1,
        examples=[
            [
                {
                    "title": "Core Ideas Behind Foundation Models",
                    "turns": [
                        {"speaker": "student-2", "text": "What does fine-tuning exactly mean?"},
                        {
                            "speaker": "teacher",
                            "text": "Training a pre-trained model further on a smaller, "
                            "task-specific dataset.",
                        },
                    ],
                }
            ]
        ],
    )
    """The scenes in order."""


# --- summary, videos, chapters ---------------------------------------------------


class Summary(Strict):
    """The lesson summed up at three depths."""

    quick: Text = Field(
        examples=[
            "Foundation models are scalable, pre-trained models that serve as a base for "
            "varied downstream tasks in AI."
        ]
    )
    """One or two sentences."""
    standard: Text = Field(
        examples=[
            "Foundation models are extensive, pre-trained models capable of adapting to "
            "numerous applications across diverse fields by leveraging massive datasets."
        ]
    )
    """A short paragraph."""
    detailed: Text = Field(
        examples=[
            "Foundation models are large-scale pre-trained models used as the base for many "
            "downstream tasks.\n\nKey examples include GPT from OpenAI, BERT from Google and "
            "LLaMA from Meta."
        ]
    )
    """Several paragraphs."""


class Video(Strict):
    """A video to watch alongside the lesson; pages only link to it until a reader asks."""

    title: PlainText = Field(examples=["Every Major Learning Theory (Explained in 5 Minutes)"])
    """Video title."""
    url: Url = Field(
        examples=[
            "https://www.youtube.com/results?search_query=Every+Major+Learning+Theory+Explained"
        ]
    )
    """Where the video lives (YouTube, Vimeo or any page): an absolute http(s) URL."""


class Chapter(Strict):
    """A section of the lesson body (the "audio book")."""

    title: PlainText = Field(examples=["Definition of Foundation Models"])
    """Section heading."""
    text: Text = Field(
        examples=[
            "Foundation models are large-scale pre-trained models that serve as the base for "
            "a wide range of downstream tasks."
        ]
    )
    """The core text; an image alone in its paragraph is a figure, with caption and credit."""
    explanation: Text | None = Field(
        default=None,
        examples=[
            "Foundation models are pre-trained on extensive datasets, which means they have "
            "already learned a lot before being used for specific tasks."
        ],
    )
    """The detailed explanation."""
    analogy: Text | None = Field(
        default=None,
        examples=[
            "Imagine a person who learns to play the piano: after years of basic technique "
            "they can play classical or jazz with ease."
        ],
    )
    """Examples & analogies that make the idea concrete."""
    teacher_notes: Text | None = Field(
        default=None,
        examples=[
            "Ask who has used a chatbot before reading on: most have, and their examples "
            "lead into fine-tuning. Allow 10 minutes."
        ],
    )
    """Notes for whoever teaches this chapter (timing, questions to ask, common mistakes): printed in the chapter of the teacher edition of the handout (`--edition teacher`) only, never on the page, in the student handout, the deck or the quiz."""  # noqa: E501


class KeyConcept(Identified):
    """A term with a short explanation."""

    id_examples = ("large-scale-pre-training", "transferable-knowledge")

    term: PlainText = Field(examples=["Large-scale Pre-training"])
    """The concept's name."""
    explanation: Text = Field(
        examples=["Models are trained on large datasets to build generalized capabilities."]
    )
    """One or two sentences."""

    def id_source(self) -> str:
        return self.term


class Example(Strict):
    """A real-life example or application."""

    title: PlainText | None = Field(default=None, examples=["GPT (OpenAI)"])
    """Optional short heading."""
    text: Text = Field(
        examples=[
            "GPT from OpenAI is a prime example of a foundation model, showcasing versatility "
            "in tasks from language generation to dialogue."
        ]
    )
    """The example."""


# --- memory aids ------------------------------------------------------------------


class Rhyme(Identified):
    """A rhyme to remember the idea by."""

    id_examples = ("rhyme-foundation-models-are-wide-and-vast-a",)

    kind: Literal["rhyme"] = Field(examples=["rhyme"])
    """Which kind of memory aid this is."""
    text: Text = Field(
        examples=["Foundation models are wide and vast, a single model for tasks that last."]
    )
    """The rhyme."""

    def id_source(self) -> str:
        return f"rhyme {self.text}"


class Story(Identified):
    """A short story or picture that carries the idea."""

    id_examples = ("story-think-of-foundation-models-as-a-library",)

    kind: Literal["story"] = Field(examples=["story"])
    """Which kind of memory aid this is."""
    title: PlainText | None = Field(default=None, examples=["The library of capabilities"])
    """Optional title."""
    text: Text = Field(
        examples=[
            "Think of foundation models as a library where you're building knowledge on "
            "serene shelves. Each book represents a capability waiting to be utilized."
        ]
    )
    """The story."""

    def id_source(self) -> str:
        return f"story {self.title or self.text}"


class Mnemonic(Identified):
    """A memory device; when it spells a word, give ``cue`` and ``words`` to check the letters."""

    id_examples = ("mnemonic-dats",)

    kind: Literal["mnemonic"] = Field(examples=["mnemonic"])
    """Which kind of memory aid this is."""
    text: Text = Field(
        examples=[
            "To remember training benefits: 'DATS' - Diverse datasets, Adaptable tasks, "
            "Training on large scale, Scalable application."
        ]
    )
    """The mnemonic as it is taught."""
    cue: PlainText | None = Field(default=None, examples=["DATS"])
    """The word its first letters spell, if any."""
    words: list[PlainText] | None = Field(
        default=None,
        examples=[
            [
                "Diverse datasets",
                "Adaptable tasks",
                "Training on large scale",
                "Scalable application",
            ]
        ],
    )
    """The words behind ``cue``, one per letter."""

    def id_source(self) -> str:
        return f"mnemonic {self.cue or self.text}"


class Acronym(Identified):
    """An acronym; each letter must start the word it stands for."""

    id_examples = ("acronym-farm",)

    kind: Literal["acronym"] = Field(examples=["acronym"])
    """Which kind of memory aid this is."""
    acronym: PlainText = Field(examples=["FARM"])
    """The acronym itself."""
    words: list[PlainText] = Field(
        min_length=1, examples=[["Foundation models", "Are", "Reusable", "Multi-functional"]]
    )
    """The words it stands for, one per letter, in order."""
    text: Text | None = Field(
        default=None, examples=["FARM - Foundation models Are Reusable and Multi-functional."]
    )
    """How to read it, optional."""

    def id_source(self) -> str:
        return f"acronym {self.acronym}"


MemoryAid = Annotated[
    Rhyme | Story | Mnemonic | Acronym,
    Field(discriminator="kind"),
]
