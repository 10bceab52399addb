"""Speech for the audio lesson: a small engine interface, the voices, and the cache.

An engine turns one piece of text into mono 16-bit samples. eSpeak NG, in this
process, is the default (offline, 100+ languages, its library and data ship in
the ``espeakng-loader`` wheel); :mod:`lessonc.speech.command` runs a program the
person building chose. Every piece goes through :class:`lessonc.speech.cache.SpeechCache`
so a rebuild speaks only text that changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from lessonc.model import Speaker

DEFAULT_RATE = 165
"""Words per minute when a voice names none: eSpeak NG's own default is a little fast."""

# Variants and pitches per role, so a listener tells the teacher from a student
# without names being read out; the n-th student of a role takes the n-th entry
# (round robin). The variants ship with every eSpeak NG voice.
ROLE_VOICES: dict[str, list[tuple[str, int]]] = {
    "teacher": [("m3", 35), ("m7", 40)],
    "student": [("f3", 75), ("m2", 62), ("f4", 88), ("m5", 70)],
    "narrator": [("m1", 50)],
    "guest": [("f2", 60), ("m4", 45)],
}


@dataclass(frozen=True)
class VoiceSpec:
    """A voice as an engine takes it: the engine's voice name, pitch (0-99), words per minute."""

    name: str
    pitch: int
    rate: int


@dataclass(frozen=True)
class Speech:
    """Spoken text: mono 16-bit samples at ``sample_rate``."""

    samples: npt.NDArray[np.int16]
    sample_rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.sample_rate


class SpeechError(Exception):
    """The engine could not speak; the message says why, for a diagnostic."""


class SpeechEngine(Protocol):
    """The interface every engine implements."""

    name: str
    """Short name, e.g. 'espeak-ng' or 'command'."""

    def identity(self) -> str:
        """What makes this engine's output differ from another's (version, command line):
        part of every cache key, so changing it re-speaks everything."""
        ...

    def voice_for(
        self, language: str, role: str, speaker: Speaker | None, index: int = 0
    ) -> VoiceSpec:
        """The voice for the ``index``-th speaker of a role in a language, with the
        speaker's own ``voice:`` applied."""
        ...

    def speak(self, text: str, voice: VoiceSpec) -> Speech:
        """Speak ``text`` (plain text, already prepared for speech)."""
        ...


def role_voice(base: str, role: str, speaker: Speaker | None, index: int = 0) -> VoiceSpec:
    """``base`` (a language voice) with the role's variant and pitch, then the speaker's
    own ``voice:``."""
    choices = ROLE_VOICES.get(role, ROLE_VOICES["narrator"])
    variant, pitch = choices[index % len(choices)]
    name, rate = f"{base}+{variant}", DEFAULT_RATE
    chosen = speaker.voice if speaker is not None else None
    if chosen is not None:
        name = chosen.name or name
        pitch = chosen.pitch if chosen.pitch is not None else pitch
        rate = chosen.rate or rate
    return VoiceSpec(name, pitch, rate)
