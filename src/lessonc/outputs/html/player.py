"""The audio lesson's player on the page: the files ``--format audio`` writes, as it plays them."""

from __future__ import annotations

from dataclasses import dataclass

from lessonc.model import Lesson


@dataclass(frozen=True)
class AudioTrack:
    """One audio file of the lesson as the page plays it."""

    src: str
    captions: str
    mime: str


@dataclass(frozen=True)
class AudioView:
    """The audio lesson's files, when the same build makes them (``--format audio``)."""

    dialogue: AudioTrack | None
    chapters: list[AudioTrack]
    language: str


_AUDIO_MIME = {"ogg": "audio/ogg", "mp3": "audio/mpeg"}


def audio_view(lesson: Lesson, audio_format: str) -> AudioView:
    """The files ``--format audio`` writes for this lesson (see lessonc.outputs.audio)."""

    def track(stem: str) -> AudioTrack:
        return AudioTrack(f"audio/{stem}.{audio_format}", f"audio/{stem}.vtt",
                          _AUDIO_MIME[audio_format])  # fmt: skip

    dialogue = track("dialogue") if lesson.dialogue is not None else None
    chapters = [track(f"chapter-{n}") for n in range(1, len(lesson.chapters) + 1)]
    return AudioView(dialogue, chapters, lesson.language)
