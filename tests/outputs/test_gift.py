"""The GIFT export, read back by an independent GIFT parser (PyPI ``ua-exam``'s ``gift_parser``).

ua-exam's parser handles GIFT's backslash escapes (the older ``pygiftparser``
and ``pygiftparserrgmf`` break on an escaped brace inside an answer), but it
keeps no feedback; feedback is checked on its tokenizer's output instead, so
escapes are still resolved by the independent code.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE, FIXTURES
from lessonc import quiz
from lessonc.diagnostics import Severity
from lessonc.outputs import BuildContext, BuildOptions, get_renderer
from lessonc.outputs.gift import escape, format_weight, moodle_weight
from lessonc.pipeline import load_lesson

SPECIAL = FIXTURES / "quiz" / "special-chars.yaml"

try:
    from ua_exam.gift_parser import parse_gift_content, tokenize
except ImportError:  # a machine set up before ua-exam joined the test extra
    HAS_PARSER = False
else:
    HAS_PARSER = True
needs_parser = pytest.mark.skipif(not HAS_PARSER, reason="needs ua-exam: pip install -e '.[test]'")


def _render(path: Path) -> tuple[str, BuildContext, quiz.Quiz]:
    loaded = load_lesson(path)
    ctx = BuildContext(loaded.source, BuildOptions(source_date_epoch=1_700_000_000))
    artifacts = list(get_renderer("gift").render(loaded.lesson, ctx))
    assert [a.path for a in artifacts] == ["quiz.gift"]
    return artifacts[0].data.decode("utf-8"), ctx, quiz.from_lesson(loaded.lesson)


def _same(parsed: str, expected_html: str) -> bool:
    """Equal as HTML text: the parser decodes entities before it reads GIFT."""
    return html.unescape(parsed).strip() == html.unescape(expected_html).strip()


@dataclass
class Answers:
    """An answer block split by the parser's tokens: (marker, weight, text, feedback) and more."""

    options: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    head: str = ""
    head_feedback: list[str] = field(default_factory=list)
    general: str | None = None


def _answers(block: str) -> Answers:
    tokens = [(kind, value) for kind, value, *_ in tokenize(block) if kind != "NEWLINE"]
    start = next(i for i, (kind, _) in enumerate(tokens) if kind == "{")
    end = max(i for i, (kind, _) in enumerate(tokens) if kind == "}")
    body = tokens[start + 1 : end]
    kinds = [kind for kind, _ in body]
    result = Answers()
    for i in range(len(kinds) - 3):
        if kinds[i : i + 4] == ["#"] * 4:
            result.general = "".join(value for _, value in body[i + 4 :])
            body = body[:i]
            break
    parts: list[list[tuple[str, str]]] = [[]]
    for kind, value in body:
        if kind in "=~":
            parts.append([(kind, value)])
        else:
            parts[-1].append((kind, value))
    head, *options = parts
    head_segments = _split_hash(head)
    result.head = head_segments[0]
    result.head_feedback = head_segments[1:]
    for option in options:
        marker, rest = option[0][0], option[1:]
        weight = ""
        if rest and rest[0][0] == "%":
            close = next(i for i in range(1, len(rest)) if rest[i][0] == "%")
            weight = "".join(value for _, value in rest[1:close])
            rest = rest[close + 1 :]
        segments = _split_hash(rest)
        result.options.append(
            (marker, weight, segments[0], segments[1] if len(segments) > 1 else None)
        )
    return result


def _split_hash(tokens: list[tuple[str, str]]) -> list[str]:
    segments = [""]
    for kind, value in tokens:
        if kind == "#":
            segments.append("")
        else:
            segments[-1] += value
    return [segment.strip() for segment in segments]


def _blocks(text: str) -> list[str]:
    return [block for block in text.split("\n\n") if block.lstrip().startswith("::")]


@needs_parser
@pytest.mark.parametrize("path", [EXAMPLE, SPECIAL], ids=["example", "special-chars"])
def test_parser_reads_back_questions_and_answers(path: Path) -> None:
    text, _, built = _render(path)
    parsed = parse_gift_content(text)
    assert len(parsed) == len(built.questions)
    assert {q["category"] for q in parsed} == {f"$course$/top/{built.lesson.id}"}
    for question, ours in zip(parsed, built.questions, strict=True):
        assert question["title"] == ours.id
        assert question["text"].startswith("[html]")
        shown = question["text"].removeprefix("[html]")
        if isinstance(ours, quiz.FillBlanksQuestion | quiz.NumericQuestion):
            assert html.unescape(shown).startswith(html.unescape(ours.prompt.html))
        else:
            assert _same(shown, ours.prompt.html)
        exercise = _exercise_options(ours)
        if exercise is not None:
            got = [(html.unescape(o["text"]), o["is_correct"]) for o in question["options"]]
            assert got == exercise, ours.id
            assert question["type"] == ("essay" if ours.type == "open" else "multiple_choice")
        elif isinstance(ours, quiz.TrueFalseQuestion):
            assert (question["type"], question["correct"]) == ("true_false", ours.answer)
        elif isinstance(ours, quiz.ShortAnswerQuestion):
            # An all-'=' block is a short answer; Moodle's '*' wildcard is escaped.
            expected = [(a.replace("*", "\\*"), True) for a in ours.accepted]
            assert [(o["text"], o["is_correct"]) for o in question["options"]] == expected
        else:
            got = [(html.unescape(o["text"]), o["is_correct"]) for o in question["options"]]
            assert got == [(html.unescape(c.text.html), c.correct) for c in ours.choices]


def _exercise_options(ours: quiz.QuizQuestion) -> list[tuple[str, bool]] | None:
    """The (text, right) options the parser should read from an exercise type's block: it
    knows no matching or numeric type, so it keeps their answers as written."""
    if isinstance(ours, quiz.MatchingQuestion):
        pairs = [(f"{html.unescape(p.left.html)} -> {p.right.text}", True) for p in ours.pairs]
        return pairs + [(f"-> {d.text}", True) for d in ours.distractors]
    if isinstance(ours, quiz.OrderingQuestion):
        return [(f"{html.unescape(i.text.html)} -> {n}", True) for n, i in enumerate(ours.items, 1)]
    if isinstance(ours, quiz.NumericQuestion):
        return [
            (f"{a.value:.12g}:{a.tolerance:.12g}" if a.value is not None else
             f"{a.min:.12g}..{a.max:.12g}", True)
            for a in ours.answers
        ]  # fmt: skip
    if isinstance(ours, quiz.FillBlanksQuestion):
        gap = ours.gaps[0]
        if gap.choices:
            return [(c, c in gap.accepted) for c in gap.choices]
        return [(a, True) for a in gap.accepted]
    if isinstance(ours, quiz.OpenQuestion):
        return []
    return None


@needs_parser
def test_every_type_reads_back_with_the_answers_of_quiz_json() -> None:
    text, ctx, built = _render(FIXTURES / "exercises" / "every-type.yaml")
    parsed = {q["title"]: q for q in parse_gift_content(text)}
    # The two-gap question is left out, with a located warning; every other one is there.
    skipped = [d for d in ctx.diagnostics if d.code == "gift-gaps"]
    assert [(d.severity, d.line) for d in skipped] == [(Severity.WARNING, 80)]
    assert sorted(parsed) == sorted(q.id for q in built.questions if q.id != "adaptation-gaps")
    matching = parsed["match-developers"]["options"]
    assert [o["text"] for o in matching][-1] == "-> Microsoft"
    assert [o["text"] for o in parsed["learning-rate"]["options"]] == ["1.25:0.01", "12.4..12.6"]
    assert parsed["reflect-reuse"]["type"] == "essay"


@needs_parser
@pytest.mark.parametrize("path", [EXAMPLE, SPECIAL], ids=["example", "special-chars"])
def test_feedback_and_explanations_match_the_source(path: Path) -> None:
    text, _, built = _render(path)
    blocks = _blocks(text)
    assert len(blocks) == len(built.questions)
    for block, ours in zip(blocks, built.questions, strict=True):
        answers = _answers(block)
        assert answers.general is not None
        assert _same(answers.general, ours.explanation.html)
        if isinstance(ours, quiz.SingleChoiceQuestion | quiz.MultipleChoiceQuestion):
            assert len(answers.options) == len(ours.choices)
            for (_, _, choice_text, feedback), choice in zip(
                answers.options, ours.choices, strict=True
            ):
                assert _same(choice_text, choice.text.html)
                if choice.feedback is None:
                    assert feedback is None
                else:
                    assert feedback is not None
                    assert _same(feedback, choice.feedback.html)
        elif isinstance(ours, quiz.TrueFalseQuestion):
            assert answers.head == ("T" if ours.answer else "F")
            right, wrong = (
                (ours.feedback_true, ours.feedback_false)
                if ours.answer
                else (ours.feedback_false, ours.feedback_true)
            )
            # Moodle's order: the feedback for a wrong answer first, then for a right one.
            expected = [wrong.html if wrong else "", right.html if right else ""]
            got = answers.head_feedback + [""] * (2 - len(answers.head_feedback))
            assert all(_same(g, e) for g, e in zip(got, expected, strict=True)), got


def _weights(block: str) -> list[tuple[float, bool]]:
    return [(float(weight), marker == "~") for marker, weight, _, _ in _answers(block).options]


@needs_parser
def test_multiple_choice_weights_sum_to_100_and_wrong_ones_are_negative() -> None:
    text, _, built = _render(EXAMPLE)
    blocks = dict(zip((q.id for q in built.questions), _blocks(text), strict=True))
    checked = 0
    for ours in built.questions:
        if not isinstance(ours, quiz.MultipleChoiceQuestion):
            continue
        weights = [weight for weight, _ in _weights(blocks[ours.id])]
        right = [w for w, c in zip(weights, ours.choices, strict=True) if c.correct]
        wrong = [w for w, c in zip(weights, ours.choices, strict=True) if not c.correct]
        assert sum(right) == pytest.approx(100, abs=0.001)
        assert all(w > 0 for w in right)
        assert all(w <= 0 for w in wrong)
        if wrong:
            assert sum(wrong) == pytest.approx(-100, abs=0.001)
        checked += 1
    assert checked > 0


@needs_parser
def test_a_wrong_choice_that_looks_like_a_weight_stays_text() -> None:
    text, _, _ = _render(SPECIAL)
    block = next(b for b in _blocks(text) if b.startswith("::gift-controls::"))
    options = _answers(block).options
    assert options[2][:3] == ("~", "0", "%50% of them")


def test_case_sensitive_short_answer_is_a_located_warning() -> None:
    _, ctx, _ = _render(SPECIAL)
    (warning,) = [d for d in ctx.diagnostics if d.code == "gift-case-sensitive"]
    assert warning.severity is Severity.WARNING
    source_lines = SPECIAL.read_text(encoding="utf-8").splitlines()
    assert source_lines[warning.line - 1].strip() == "- id: case-matters"


def test_points_gift_cannot_carry_are_one_warning_at_the_first_points_line(
    tmp_path: Path,
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    lines = text.splitlines()
    types = [n for n, line in enumerate(lines) if line.startswith("    type: ")]
    for n in sorted((types[1], types[4], types[8]), reverse=True):
        lines.insert(n + 1, "    points: 1" if n == types[8] else f"    points: {n % 5 + 2}")
    lesson = tmp_path / "points.yaml"
    lesson.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, ctx, built = _render(lesson)
    (warning,) = ctx.diagnostics
    assert (warning.code, warning.severity) == ("gift-points", Severity.WARNING)
    assert (warning.line, warning.col) == (types[1] + 2, 5)  # the first points: key, moved down
    assert (
        lesson.read_text(encoding="utf-8").splitlines()[warning.line - 1].startswith("    points: ")
    )
    marked = [q for q in built.questions if q.points != 1]
    assert len(marked) == 2
    assert f"2 questions that set points ({marked[0].id}: {marked[0].points}, " in warning.message
    assert "default mark of 1" in warning.message and "qti" in (warning.hint or "")


def test_one_question_with_points_is_named_in_the_warning() -> None:
    _, ctx, _ = _render(SPECIAL)
    (warning,) = [d for d in ctx.diagnostics if d.code == "gift-points"]
    assert "question 'gift-controls' (points: 2)" in warning.message
    source_lines = SPECIAL.read_text(encoding="utf-8").splitlines()
    assert source_lines[warning.line - 1].strip() == "points: 2"


def test_example_has_no_warnings_and_is_reproducible() -> None:
    first, ctx, _ = _render(EXAMPLE)
    assert ctx.diagnostics == []
    assert _render(EXAMPLE)[0] == first


@needs_parser
@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a~b", "a\\~b"), ("a=b", "a\\=b"), ("a#b", "a\\#b"), ("{x}", "\\{x\\}"),
        ("a:b", "a\\:b"), ("a\\b", "a\\\\b"), ("\\=", "\\\\\\="), ("l1\nl2", "l1\\nl2"),
        ("<&> 'q' \"q\" 日本 😀", "<&> 'q' \"q\" 日本 😀"),
    ],
)  # fmt: skip
def test_escape(raw: str, escaped: str) -> None:
    assert escape(raw) == escaped
    # The parser has no '\n' escape (Moodle has): give it the newline itself.
    tokens: list[Any] = tokenize(escape(raw).replace("\\n", "\n"))
    assert "".join(value for kind, value, *_ in tokens if kind in ("TEXT", "NEWLINE")) == raw


@pytest.mark.parametrize(
    ("share", "weight", "exact", "written"),
    [
        (100.0, 100.0, True, "%100%"), (50.0, 50.0, True, "%50%"),
        (100 / 3, 33.33333, True, "%33.33333%"), (-100 / 7, -14.28571, True, "%-14.28571%"),
        (100 / 11, 10.0, False, "%10%"), (-100 / 12, -10.0, False, "%-10%"),
    ],
)  # fmt: skip
def test_moodle_weights(share: float, weight: float, exact: bool, written: str) -> None:
    assert moodle_weight(share) == (weight, exact)
    assert format_weight(weight) == written


@needs_parser
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("~=#{}:\\%ab &;<>'\"日😀 "), min_size=1, max_size=40))
def test_escaped_text_reads_back_unchanged(raw: str) -> None:
    # html.unescape runs inside the parser first: keep '&' from forming an entity.
    assume("&" not in raw)
    tokens = tokenize("::t::" + escape(raw) + "{}")
    body = tokens[tokens.index(next(t for t in tokens if t[0] == "DBLCOLON" and t[3] > 1)) + 1 :]
    text = "".join(value for kind, value, *_ in body if kind != "{" and kind != "}")
    assert text == raw
