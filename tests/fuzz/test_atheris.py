"""Runs the atheris loader harness for a bounded time (longer runs: see fuzz_loader.py)."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE, FIXTURES, ROOT

HARNESS = Path(__file__).with_name("fuzz_loader.py")
SECONDS = 30
SEED_LIMIT_BYTES = 65_536


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("atheris") is None, reason="atheris not installed")
def test_loader_survives_coverage_guided_fuzzing(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seeds = [*(FIXTURES / "bad").glob("*.yaml"), EXAMPLE, FIXTURES / "pdf" / "minimal.yaml"]
    for seed in seeds:
        if seed.stat().st_size <= SEED_LIMIT_BYTES:
            shutil.copy(seed, corpus / seed.name)
    done = subprocess.run(
        [
            sys.executable, str(HARNESS), str(corpus), f"-max_total_time={SECONDS}",
            f"-max_len={SEED_LIMIT_BYTES}", "-timeout=20", "-rss_limit_mb=2048",
            f"-artifact_prefix={tmp_path}/",
        ],
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=SECONDS + 120,
        check=False,
    )  # fmt: skip
    runs = re.search(r"Done (\d+) runs in (\d+) second", done.stderr)
    print(f"\natheris: {runs.group(0) if runs else 'no summary'}")
    crashes = sorted(p.name for p in tmp_path.glob("crash-*"))
    assert done.returncode == 0 and crashes == [], done.stderr[-3000:]
    assert runs and int(runs.group(1)) > 100
