"""Samples to an audio file's bytes with libsndfile (through soundfile), reproducibly.

libsndfile gives each Ogg stream a serial number drawn from the clock, so two
builds of the same lesson differ in the page headers; every page is rewritten
with one fixed serial and its checksum recomputed. The Opus encoder itself is
deterministic for the same samples. MP3 (LAME) output carries no date.
"""

from __future__ import annotations

import io
import struct

import numpy as np
import numpy.typing as npt
import soundfile

SAMPLE_RATE = 24000
"""Every file's rate: Opus takes 24 kHz, MP3 too, and speech needs no more."""
FORMATS = {"ogg": ("OGG", "OPUS", "audio/ogg"), "mp3": ("MP3", "MPEG_LAYER_III", "audio/mpeg")}
"""``--audio-format`` value → libsndfile format, subtype and MIME type."""
OGG_SERIAL = 0x6C657373  # 'less': any fixed value will do
_OGG_PAGE = b"OggS"


def resample(samples: npt.NDArray[np.int16], rate: int) -> npt.NDArray[np.int16]:
    """Linear resampling to :data:`SAMPLE_RATE` (engines speak at 22.05 kHz and others)."""
    if rate == SAMPLE_RATE or len(samples) == 0:
        return samples
    count = round(len(samples) * SAMPLE_RATE / rate)
    positions = np.arange(count) * (rate / SAMPLE_RATE)
    resampled = np.interp(positions, np.arange(len(samples)), samples.astype(np.float64))
    clipped: npt.NDArray[np.int16] = np.clip(np.round(resampled), -32768, 32767).astype(np.int16)
    return clipped


def encode(samples: npt.NDArray[np.int16], audio_format: str) -> bytes:
    """The samples (mono, :data:`SAMPLE_RATE`) as an Ogg Opus or MP3 file."""
    container, subtype, _ = FORMATS[audio_format]
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, SAMPLE_RATE, format=container, subtype=subtype)
    data = buffer.getvalue()
    return fix_ogg_serial(data) if container == "OGG" else data


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
        table.append(crc & 0xFFFFFFFF)
    return table


_CRC = _crc_table()


def _ogg_crc(page: bytes) -> int:
    crc = 0
    for byte in page:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC[((crc >> 24) & 0xFF) ^ byte]
    return crc


def fix_ogg_serial(data: bytes, serial: int = OGG_SERIAL) -> bytes:
    """Every page of a single-stream Ogg file given ``serial``, checksums recomputed."""
    out = bytearray(data)
    offset = 0
    while offset < len(out):
        if out[offset : offset + 4] != _OGG_PAGE:
            raise ValueError(f"not an Ogg page at byte {offset}")
        segments = out[offset + 26]
        table = out[offset + 27 : offset + 27 + segments]
        length = 27 + segments + sum(table)
        struct.pack_into("<I", out, offset + 14, serial)
        struct.pack_into("<I", out, offset + 22, 0)
        struct.pack_into("<I", out, offset + 22, _ogg_crc(bytes(out[offset : offset + length])))
        offset += length
    return bytes(out)
