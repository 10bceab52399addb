"""Helpers for the audio tests: building with the CLI, reading files and captions back."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt

from lessonc.outputs.audio.captions import Cue

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "content" / "foundation-models.yaml"
EPOCH = 1_700_000_000


def build(
    source: Path, out: Path, cache: Path, *extra: str, formats: str = "audio", jobs: int = 1
) -> subprocess.CompletedProcess[str]:
    """``lessonc build`` in a child process, with its own speech cache and a fixed epoch."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH), "LESSONC_SPEECH_CACHE": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "lessonc", "build", str(source), "-o", str(out),
         "--format", formats, "--jobs", str(jobs), *extra],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip


_TIME = r"(\d\d):(\d\d):(\d\d)\.(\d\d\d)"
_CUE = re.compile(rf"^(\S+)\n{_TIME} --> {_TIME}\n<v ([^>]*)>(.*)$", re.MULTILINE)


def _seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def read_vtt(path: Path) -> list[Cue]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT\n")
    return [
        Cue(m[1], _seconds(*m.groups()[1:5]), _seconds(*m.groups()[5:9]), m[10], m[11])
        for m in _CUE.finditer(text)
    ]


def rms(samples: npt.NDArray[np.float64]) -> float:
    return float(np.sqrt(np.mean(np.square(samples)))) if len(samples) else 0.0


def pitch(samples: npt.NDArray[np.float64], rate: int) -> float:
    """Median fundamental frequency of the voiced frames, by autocorrelation (60-400 Hz)."""
    frame = int(rate * 0.04)
    low, high = rate // 400, rate // 60
    found = []
    floor = 0.3 * rms(samples)
    for start in range(0, len(samples) - frame, frame // 2):
        window = samples[start : start + frame]
        if rms(window) < floor:
            continue
        window = window - window.mean()
        correlation = np.correlate(window, window, mode="full")[frame - 1 :]
        if correlation[0] <= 0:
            continue
        lag = low + int(np.argmax(correlation[low:high]))
        if correlation[lag] / correlation[0] > 0.5:  # clearly periodic: a voiced frame
            found.append(rate / lag)
    assert found, "no voiced frame"
    return float(np.median(found))
