"""The quiz renderer: quiz.json bytes as the pipeline writes them."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import EXAMPLE, FIXTURES
from lessonc import quiz
from lessonc.course.build_run import build
from lessonc.outputs import Artifact, BuildContext, BuildOptions, get_renderer
from lessonc.pipeline import load_lesson

SPECIAL = FIXTURES / "quiz" / "special-chars.yaml"


def _render(path: Path, seed: int | None = None) -> tuple[Artifact, BuildContext]:
    loaded = load_lesson(path)
    options = BuildOptions(source_date_epoch=1_700_000_000, shuffle_seed=seed)
    ctx = BuildContext(source=loaded.source, options=options)
    artifacts = list(get_renderer("quiz").render(loaded.lesson, ctx))
    assert len(artifacts) == 1
    return artifacts[0], ctx


def test_writes_quiz_json_with_a_fixed_key_order() -> None:
    artifact, ctx = _render(EXAMPLE)
    assert artifact.path == "quiz.json"
    assert ctx.diagnostics == []
    data = json.loads(artifact.data)
    assert list(data) == ["format", "version", "shuffle_seed", "lesson", "questions"]
    assert (data["format"], data["version"], data["shuffle_seed"]) == ("lessonc-quiz", 2, None)
    assert list(data["questions"][0])[:3] == ["id", "type", "prompt"]


def test_bytes_are_utf8_unescaped_with_a_final_newline_and_no_nan() -> None:
    artifact, _ = _render(SPECIAL)
    text = artifact.data.decode("utf-8")
    assert text.endswith("}\n")
    assert not text.endswith("\n\n")
    assert "日本語" in text
    assert "😀" in text
    assert "\\u" not in text
    assert "NaN" not in text
    assert "Infinity" not in text


def test_same_source_gives_the_same_bytes() -> None:
    assert _render(SPECIAL)[0].data == _render(SPECIAL)[0].data
    assert _render(EXAMPLE, seed=3)[0].data == _render(EXAMPLE, seed=3)[0].data


def test_shuffle_seed_option_shuffles_and_is_recorded() -> None:
    plain = quiz.load(_render(EXAMPLE)[0].data)
    shuffled = quiz.load(_render(EXAMPLE, seed=2024)[0].data)
    assert shuffled.shuffle_seed == 2024
    assert [q.id for q in shuffled.questions] != [q.id for q in plain.questions]
    assert sorted(q.id for q in shuffled.questions) == sorted(q.id for q in plain.questions)


def test_pipeline_writes_quiz_gift_and_qti(tmp_path: Path) -> None:
    report = build(
        [SPECIAL], tmp_path, ["quiz", "gift", "qti"], BuildOptions(source_date_epoch=1_700_000_000)
    )
    folder = tmp_path / "special-chars"
    for name in ("quiz.json", "quiz.gift", "quiz-qti.zip"):
        assert (folder / name).is_file(), name
    assert quiz.load(folder / "quiz.json").lesson.id == "special-chars"
    assert report.ok
    # GIFT's losses on this lesson (a case-sensitive short answer, a question worth 2 points)
    # are warnings, not silence.
    codes = sorted((d.code, d.severity.value) for d in report.all_diagnostics)
    assert codes == [("gift-case-sensitive", "warning"), ("gift-points", "warning")]
