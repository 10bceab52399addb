"""What the voice is given and what the captions show: no engine needed."""

from __future__ import annotations

import io

import numpy as np
import soundfile

from lessonc.outputs.audio.captions import Cue, webvtt
from lessonc.outputs.audio.encode import OGG_SERIAL, SAMPLE_RATE, encode, fix_ogg_serial
from lessonc.speech.text import apply_pronunciations, sentences, speakable


def test_markup_is_dropped_and_code_announced() -> None:
    text = "**GPT** reads [the paper](https://x.org) and `code`.\n\n```python\nprint(1)\n```\n"
    assert speakable(text, "en") == "GPT reads the paper and code. Code example, skipped."
    # Languages without an announcement skip the block silently.
    assert "print" not in speakable(text, "fa")


def test_pronunciations_replace_whole_words_only() -> None:
    words = {"GPT": "G P T", "BERT": "burt", "LLaMA": "lahma"}
    said = apply_pronunciations("GPT, BERTology, BERT and LLaMA-2.", words)
    assert said == "G P T, BERTology, burt and lahma-2."


def test_sentences_split_in_right_to_left_scripts_too() -> None:
    assert sentences("مدل پایه چیست؟ یک مدل بزرگ است. بله!") == [
        "مدل پایه چیست؟", "یک مدل بزرگ است.", "بله!",
    ]  # fmt: skip


def test_captions_cannot_carry_markup_or_end_a_cue() -> None:
    vtt = webvtt([Cue("turn-1-1", 0, 1.5, "Ann <b>", "a --> b <v Eve>x</v> & y\n\nz")]).decode()
    assert "<v Ann &lt;b&gt;>" not in vtt
    body = vtt.split("\n")
    assert body[2:5] == ["turn-1-1", "00:00:00.000 --> 00:00:01.500",
                         "<v Ann &lt;b>a --&gt; b &lt;v Eve&gt;x&lt;/v&gt; &amp; y z"]  # fmt: skip


def test_ogg_pages_get_one_fixed_serial_and_valid_checksums() -> None:
    tone = (np.sin(np.arange(SAMPLE_RATE) / 10) * 8000).astype(np.int16)
    first, second = encode(tone, "ogg"), encode(tone, "ogg")
    assert first == second
    assert fix_ogg_serial(first) == first
    assert int.from_bytes(first[14:18], "little") == OGG_SERIAL
    # libsndfile (libogg) checks every page's CRC when reading back.
    samples, rate = soundfile.read(io.BytesIO(first))
    assert rate == SAMPLE_RATE and len(samples) > SAMPLE_RATE * 0.9
    broken = bytearray(first)
    broken[-1] ^= 0xFF
    assert fix_ogg_serial(bytes(broken)) != bytes(broken)  # the checksum is recomputed
