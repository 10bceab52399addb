"""eSpeak NG, the default engine: offline, 100+ languages, driven in a child process.

The library and its data come from the ``espeakng-loader`` wheel; where that is
missing, from the system (Debian's ``libespeak-ng1``). One helper process per
engine loads the library once and answers each piece from a fresh fork (see
:mod:`lessonc.speech.espeak_worker` for why); requests are serialised by a lock.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import threading
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from lessonc.speech import Speech, SpeechError, VoiceSpec, role_voice

if TYPE_CHECKING:
    from lessonc.model import Speaker

DRIVER_REVISION = 1
"""Part of the cache key with the library's version: raise it when lessonc changes how it
drives eSpeak NG (mode, seeds, parameters), so no cached piece from the old way is reused."""
SPEAK_TIMEOUT_SECONDS = 60.0
"""A piece takes milliseconds; a helper silent this long is stuck and is killed."""


class EspeakEngine:
    """Speaks with eSpeak NG in a helper process started on first use."""

    name = "espeak-ng"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._sample_rate = 0
        self._version = ""
        self._voices: dict[str, bool] = {}

    def _start(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            process = subprocess.Popen(
                [sys.executable, "-m", "lessonc.speech.espeak_worker"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            self._process = process
            status, payload = self._read(process)
            if status != 0:
                self.close()
                raise SpeechError(payload.decode("utf-8", "replace"))
            self._sample_rate, self._version = json.loads(payload)
        return self._process

    def _read(self, process: subprocess.Popen[bytes]) -> tuple[int, bytes]:
        stream: IO[bytes] | None = process.stdout
        assert stream is not None
        timer = threading.Timer(SPEAK_TIMEOUT_SECONDS, process.kill)
        timer.start()
        try:
            header = stream.read(5)
            if len(header) < 5:
                self.close()
                raise SpeechError("the eSpeak NG helper process stopped")
            status, length = struct.unpack("<BI", header)
            return int(status), stream.read(length)
        finally:
            timer.cancel()

    def _ask(self, request: dict[str, Any]) -> bytes:
        with self._lock:
            process = self._start()
            assert process.stdin is not None
            try:
                process.stdin.write(json.dumps(request).encode() + b"\n")
                process.stdin.flush()
            except OSError:
                self.close()
                raise SpeechError("the eSpeak NG helper process stopped") from None
            status, payload = self._read(process)
        if status != 0:
            raise SpeechError(payload.decode("utf-8", "replace"))
        return payload

    def close(self) -> None:
        """Stop the helper: end of input ends it; a stuck one is killed."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if process.stdin is not None:
                process.stdin.close()
            process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()

    def __del__(self) -> None:
        self.close()

    def identity(self) -> str:
        with self._lock:
            self._start()
        return f"espeak-ng {self._version} driver {DRIVER_REVISION}"

    def has_voice(self, name: str) -> bool:
        if name not in self._voices:
            self._voices[name] = self._ask({"op": "voice", "name": name}) == b"1"
        return self._voices[name]

    def language_voice(self, language: str) -> str | None:
        """The eSpeak NG voice for a BCP 47 tag ('pt-BR' → 'pt-br', else 'pt'), if any."""
        tag = language.lower()
        return next((c for c in (tag, tag.split("-")[0]) if self.has_voice(c)), None)

    def voice_for(
        self, language: str, role: str, speaker: Speaker | None, index: int = 0
    ) -> VoiceSpec:
        base = self.language_voice(language)
        if base is None:
            raise SpeechError(f"eSpeak NG has no voice for the language {language!r}")
        return role_voice(base, role, speaker, index)

    def speak(self, text: str, voice: VoiceSpec) -> Speech:
        pcm = self._ask(
            {"op": "speak", "text": text, "voice": voice.name, "pitch": voice.pitch,
             "rate": voice.rate}
        )  # fmt: skip
        return Speech(np.frombuffer(pcm, dtype=np.int16).copy(), self._sample_rate)
