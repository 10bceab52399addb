"""What the audio lesson says, in order: tracks of pieces, each with its voice and caption.

Kept apart from speaking so the plan can be tested (and shown in the page) without an engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lessonc import i18n
from lessonc.speech.text import apply_pronunciations, sentences, speakable

if TYPE_CHECKING:
    from lessonc.model import Lesson, Speaker
    from lessonc.source import PathKey

TURN_PAUSE = 0.6
SCENE_PAUSE = 1.2
SENTENCE_PAUSE = 0.35
PARAGRAPH_PAUSE = 0.8
"""Seconds of silence after a piece: listeners need the breaks the page shows as layout."""


@dataclass(frozen=True)
class Piece:
    """One stretch of speech, one caption cue."""

    cue_id: str
    caption: str
    """What the captions and the page show."""
    spoken: str
    """What the engine is given: the caption with the lesson's pronunciations applied."""
    role: str
    speaker: Speaker | None
    voice_tag: str
    """The caption's voice (the speaker's name)."""
    pause_after: float
    where: PathKey


@dataclass
class Track:
    """One audio file: ``dialogue`` or ``chapter-<n>``."""

    stem: str
    title: str
    pieces: list[Piece] = field(default_factory=list)


def narrator(lesson: Lesson) -> Speaker | None:
    """The dialogue's narrator, whose voice also reads the chapters, if the lesson has one."""
    speakers = lesson.dialogue.speakers if lesson.dialogue else []
    return next((s for s in speakers if s.role == "narrator"), None)


def plan(lesson: Lesson) -> list[Track]:
    """The dialogue (when the lesson has one) and every chapter, as tracks."""
    words = lesson.pronunciations
    language = i18n.for_language(lesson.language, lesson.ui)
    tracks: list[Track] = []
    if lesson.dialogue is not None:
        track = Track("dialogue", language.text("dialogue_track", title=lesson.title))
        scenes = lesson.dialogue.scenes
        for s, scene in enumerate(scenes, 1):
            for t, turn in enumerate(scene.turns, 1):
                speaker = lesson.speaker(turn.speaker)
                caption = speakable(turn.text, lesson.language)
                if not caption:
                    continue
                last = t == len(scene.turns)
                track.pieces.append(
                    Piece(
                        f"turn-{s}-{t}", caption, apply_pronunciations(caption, words),
                        speaker.role if speaker else "guest", speaker,
                        speaker.name if speaker else turn.speaker,
                        SCENE_PAUSE if last else TURN_PAUSE,
                        ("dialogue", "scenes", s - 1, "turns", t - 1, "text"),
                    )
                )  # fmt: skip
        tracks.append(track)
    reader = narrator(lesson)
    # The chapters' captions name their reader: the narrator, or the role in the language.
    name = reader.name if reader else language.text("role_narrator")
    for n, chapter in enumerate(lesson.chapters, 1):
        track = Track(f"chapter-{n}", chapter.title)
        parts: list[tuple[str, str]] = [("title", chapter.title), ("text", chapter.text)]
        parts += [(k, v) for k, v in (("explanation", chapter.explanation),
                                      ("analogy", chapter.analogy)) if v]  # fmt: skip
        for key, text in parts:
            said = sentences(speakable(text, lesson.language))
            for i, sentence in enumerate(said, 1):
                track.pieces.append(
                    Piece(
                        f"{key}-{i}", sentence, apply_pronunciations(sentence, words),
                        "narrator", reader, name,
                        PARAGRAPH_PAUSE if i == len(said) else SENTENCE_PAUSE,
                        ("chapters", n - 1, key),
                    )
                )  # fmt: skip
        tracks.append(track)
    return tracks
