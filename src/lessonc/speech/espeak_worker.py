"""The eSpeak NG process: loads the library once, then forks a fresh child per request.

eSpeak NG keeps state from one utterance to the next that no call resets (its
wave generator's phase and noise among them): the same text spoken twice in
one process gives different samples, so a piece's bytes would depend on what
was spoken before it (and a course's on which worker took which lesson). This
process initialises the library and never speaks; each request is answered by
a child forked from that untouched state, so a piece's samples depend on its
text and voice only. Forking is safe here: this process runs one thread.

Requests are JSON lines on stdin; each answer on stdout is a status byte, a
4-byte length and the payload (raw 16-bit samples, or a UTF-8 message).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import struct
import sys
from typing import Any, BinaryIO

_AUDIO_OUTPUT_SYNCHRONOUS = 2  # speak in the calling thread, samples through the callback
_INITIALIZE_DONT_EXIT = 0x8000  # an error returns a code instead of ending the process
_RATE, _PITCH = 1, 3  # espeak_PARAMETER values
_POS_CHARACTER, _CHARS_UTF8 = 1, 1
_SEED = 1
_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)
OK, FAILED = 0, 1


def locate() -> tuple[str, str | None]:
    """The library and its data: the espeakng-loader wheel's, else the system's."""
    try:
        import espeakng_loader

        return str(espeakng_loader.get_library_path()), str(espeakng_loader.get_data_path())
    except ImportError:
        found = ctypes.util.find_library("espeak-ng")
        if found is None:
            raise OSError(
                "eSpeak NG is not installed: pip install espeakng-loader "
                "(or the Debian package libespeak-ng1)"
            ) from None
        return found, None


class Library:
    def __init__(self) -> None:
        library, data = locate()
        self.lib = ctypes.CDLL(library)
        self.lib.espeak_Initialize.argtypes = [
            ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int
        ]  # fmt: skip
        self.lib.espeak_Synth.argtypes = [
            ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
            ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]  # fmt: skip
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_Info.restype = ctypes.c_char_p
        self.lib.espeak_Info.argtypes = [ctypes.c_void_p]
        rate = self.lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, data.encode() if data else None, _INITIALIZE_DONT_EXIT
        )
        if rate <= 0:
            raise OSError("eSpeak NG could not start (its data folder is missing)")
        self.sample_rate = int(rate)
        self.version = (self.lib.espeak_Info(None) or b"?").decode("ascii", "replace")
        self.chunks: list[bytes] = []
        self._callback = _CALLBACK(self._receive)  # kept: the library holds the pointer
        self.lib.espeak_SetSynthCallback(self._callback)

    def _receive(self, wav: Any, count: int, _events: int) -> int:
        if count > 0:
            self.chunks.append(ctypes.string_at(wav, count * 2))
        return 0

    def has_voice(self, name: str) -> bool:
        return int(self.lib.espeak_SetVoiceByName(name.encode("ascii"))) == 0

    def speak(self, text: str, voice: str, pitch: int, rate: int) -> bytes:
        if not self.has_voice(voice):
            raise ValueError(f"eSpeak NG has no voice {voice!r}")
        self.lib.espeak_SetParameter(_RATE, rate, 0)
        self.lib.espeak_SetParameter(_PITCH, pitch, 0)
        # Voices mix in noise from random generators: eSpeak NG's own (1.52 and
        # later) and the C library's rand(); the same seeds before every piece.
        setter = getattr(self.lib, "espeak_ng_SetRandSeed", None)
        if setter is not None:
            setter(ctypes.c_long(_SEED))
        ctypes.CDLL(None).srand(ctypes.c_uint(_SEED))
        data = text.encode("utf-8")
        status = self.lib.espeak_Synth(
            data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
        )
        self.lib.espeak_Synchronize()
        if status != 0:
            raise ValueError(f"eSpeak NG failed to speak (status {status})")
        return b"".join(self.chunks)


def _answer(out: BinaryIO, status: int, payload: bytes) -> None:
    out.write(struct.pack("<BI", status, len(payload)) + payload)
    out.flush()


def _handle(library: Library, request: dict[str, Any]) -> bytes:
    if request["op"] == "voice":
        return b"1" if library.has_voice(str(request["name"])) else b"0"
    return library.speak(
        str(request["text"]), str(request["voice"]), int(request["pitch"]), int(request["rate"])
    )


def main() -> None:
    out = sys.stdout.buffer
    try:
        library = Library()
    except OSError as error:
        _answer(out, FAILED, str(error).encode())
        return
    _answer(out, OK, json.dumps([library.sample_rate, library.version]).encode())
    for line in sys.stdin.buffer:
        request = json.loads(line)
        child = os.fork()
        if child == 0:  # a fresh copy of the untouched library answers, then vanishes
            try:
                try:
                    _answer(out, OK, _handle(library, request))
                except (ValueError, KeyError, TypeError) as error:
                    _answer(out, FAILED, str(error).encode())
            finally:
                os._exit(0)
        _, status = os.waitpid(child, 0)
        if status != 0:
            _answer(out, FAILED, f"eSpeak NG stopped (wait status {status})".encode())


if __name__ == "__main__":
    main()
