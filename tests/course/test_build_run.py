"""The build plan: in worker processes, the first of two lessons with one id keeps the folder."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from conftest import EXAMPLE
from lessonc.course.build_run import build
from lessonc.outputs import BuildOptions

OPTIONS = BuildOptions(source_date_epoch=1_700_000_000)


def test_with_two_jobs_the_first_of_two_lessons_with_one_id_keeps_the_folder(
    tmp_path: Path,
) -> None:
    sources = []
    for minutes in (31, 32, 33, 34):  # four sources, one id: whichever worker writes first
        source = tmp_path / str(minutes) / "foundation-models.yaml"
        source.parent.mkdir()
        text = EXAMPLE.read_text("utf-8")
        source.write_text(text.replace("estimated_minutes: 25", f"estimated_minutes: {minutes}"))
        sources.append(source)
    report = build(sources, tmp_path / "out", ["quiz"], OPTIONS, jobs=2)
    assert [d.code for d in report.all_diagnostics] == ["duplicate-lesson"] * 3
    assert [r.status for r in report.results] == ["built", "failed", "failed", "failed"]
    manifest = json.loads(
        (tmp_path / "out" / "foundation-models" / "manifest.json").read_text("utf-8")
    )
    assert manifest["source"]["sha256"] == hashlib.sha256(sources[0].read_bytes()).hexdigest()
