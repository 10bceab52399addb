"""A text-to-speech program the person building chose (a Piper voice, a system engine).

It gets the text on stdin (and in ``{text}``, a file, for programs that read
one) and writes a WAV to ``{out}``. Running a program is only ever allowed from
the command line (``--speech-command``): a lesson arriving in a pull request is
untrusted, and a command named in it would run on the builder's machine. The
program runs in an empty temporary folder, with a minimal environment (no
proxy settings), no stdin beyond the text, and a time limit; where the Linux
``unshare`` command can make a network namespace it runs without a network.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import soundfile

from lessonc.speech import Speech, SpeechError, VoiceSpec, role_voice

if TYPE_CHECKING:
    from lessonc.model import Speaker

SPEAK_TIMEOUT_SECONDS = 60.0
"""One piece of text takes a second or two; past this the program is killed."""


def _no_network_prefix() -> list[str]:
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    try:  # an unprivileged user may not be allowed to make namespaces
        probe = subprocess.run(
            [unshare, "--net", "--map-root-user", "true"], capture_output=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [unshare, "--net", "--map-root-user"] if probe.returncode == 0 else []


class CommandEngine:
    """Speak by running ``argv`` once per piece; ``{out}``, ``{text}``, ``{voice}``,
    ``{pitch}`` and ``{rate}`` in its arguments are replaced."""

    name = "command"

    def __init__(self, argv: tuple[str, ...]) -> None:
        if not argv:
            raise SpeechError("the speech command is empty")
        self.argv = argv
        self._prefix = _no_network_prefix()

    def identity(self) -> str:
        program = shutil.which(self.argv[0])
        digest = ""
        if program is not None:
            digest = hashlib.sha256(Path(program).read_bytes()).hexdigest()[:16]
        return "command " + "\0".join(self.argv) + " " + digest

    def voice_for(
        self, language: str, role: str, speaker: Speaker | None, index: int = 0
    ) -> VoiceSpec:
        return role_voice(language.lower(), role, speaker, index)

    def speak(self, text: str, voice: VoiceSpec) -> Speech:
        with tempfile.TemporaryDirectory(prefix="lessonc-speech-") as folder:
            out, text_file = Path(folder) / "speech.wav", Path(folder) / "text.txt"
            text_file.write_text(text, encoding="utf-8")
            fields = {"out": str(out), "text": str(text_file), "voice": voice.name,
                      "pitch": str(voice.pitch), "rate": str(voice.rate)}  # fmt: skip
            argv = [self._fill(part, fields) for part in self.argv]
            environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": folder,
                           "LANG": "C.UTF-8"}  # fmt: skip
            try:
                done = subprocess.run(
                    self._prefix + argv, input=text.encode("utf-8"), capture_output=True,
                    cwd=folder, env=environment, timeout=SPEAK_TIMEOUT_SECONDS,
                )  # fmt: skip
            except subprocess.TimeoutExpired:
                raise SpeechError(
                    f"the speech command took longer than {SPEAK_TIMEOUT_SECONDS:g} s"
                ) from None
            except OSError as error:
                raise SpeechError(f"the speech command could not start: {error}") from None
            if done.returncode != 0:
                said = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
                raise SpeechError(
                    f"the speech command failed (exit {done.returncode}): {' '.join(said)}"
                )
            try:
                samples, rate = soundfile.read(out, dtype="int16", always_2d=True)
            except (OSError, RuntimeError, soundfile.LibsndfileError):
                raise SpeechError("the speech command wrote no readable WAV to {out}") from None
        return Speech(np.ascontiguousarray(samples[:, 0], dtype=np.int16), int(rate))

    @staticmethod
    def _fill(part: str, fields: dict[str, str]) -> str:
        for name, value in fields.items():
            part = part.replace("{" + name + "}", value)
        return part
