"""The exercise types as SCORM interactions, in scorm-again's runtime in Chromium: each
answer is recorded with its SCORM type, the learner's response and the right pattern,
the LMS accepts every value, and a returning learner finds the answers again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Frame
from tests.outputs.html_support import chromium, watch
from tests.outputs.scorm_support import VERSIONS, package, unpack, write_lms
from tests.outputs.test_scorm_runtime import cmi, launch

from conftest import FIXTURES
from static_site import serving

EVERY_TYPE = FIXTURES / "exercises" / "every-type.yaml"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def answer_exercises(frame: Frame) -> None:
    """Matching 3 of 4, ordering as shown, numeric with a decimal comma, one gap of two."""
    frame.select_option("#q-match-developers--gpt", label="OpenAI")
    frame.select_option("#q-match-developers--bert", label="Google")
    frame.select_option("#q-match-developers--t5", label="Microsoft")
    frame.select_option("#q-match-developers--llama", label="Meta")
    frame.click("#q-match-developers button[type=submit]")
    frame.click("#q-order-lifecycle button[type=submit]")
    frame.fill("#q-learning-rate--input", "1,25")
    frame.click("#q-learning-rate button[type=submit]")
    frame.fill("#q-adaptation-gaps--gap-1", "finetuning")
    frame.select_option("#q-adaptation-gaps--gap-2", label="pruning")
    frame.click("#q-adaptation-gaps button[type=submit]")


@pytest.mark.parametrize("version", ["scorm12", "scorm2004"])
def test_exercise_answers_are_interactions_of_their_scorm_types(
    browser: Browser, tmp_path: Path, version: str
) -> None:
    root = tmp_path / "site"
    unpack(package(EVERY_TYPE, VERSIONS[version]), root / "package")
    write_lms(root, VERSIONS[version])
    with serving(root) as base:
        page = browser.new_page()
        log = watch(page)
        frame = launch(page, base, version, None)
        shown = frame.eval_on_selector_all(
            "#q-order-lifecycle [data-item]", "items => items.map(i => i.dataset.position)"
        )
        answer_exercises(frame)
        page.wait_for_function("lms.calls.commit >= 5")
        sets = page.evaluate("lms.sets")
        stored: dict[str, Any] = cmi(page)
        assert not [s for s in sets if s[2] not in (0, "0")], "the LMS refused a value"
        interactions = [stored["interactions"][str(n)] for n in range(4)]
        wrong = "wrong" if version == "scorm12" else "incorrect"
        right_order = "correct" if shown == sorted(shown) else wrong
        assert [(i["id"], i["type"], i["result"]) for i in interactions] == [
            ("match-developers", "matching", wrong),
            ("order-lifecycle", "sequencing", right_order),
            ("learning-rate", "numeric", "correct"),
            ("adaptation-gaps", "fill-in", wrong),
        ]
        response = "student_response" if version == "scorm12" else "learner_response"
        dot, comma = (".", ",") if version == "scorm12" else ("[.]", "[,]")
        letters = [chr(ord("a") + int(p)) for p in shown]
        # Options in their shown order: Google, Meta, Microsoft, OpenAI (see the page).
        options = frame.eval_on_selector_all(
            "#q-match-developers--gpt option", "options => options.map(o => o.text)"
        )[1:]
        code = {name: chr(ord("a") + options.index(name)) for name in options}
        given = [("a", "OpenAI"), ("b", "Google"), ("c", "Microsoft"), ("d", "Meta")]
        expected_gaps = "finetuning, pruning" if version == "scorm12" else "finetuning[,]pruning"
        assert [i[response] for i in interactions] == [
            comma.join(f"{s}{dot}{code[t]}" for s, t in given),
            comma.join(letters),
            "1.25",
            expected_gaps,
        ]
        patterns = [i["correct_responses"]["0"]["pattern"] for i in interactions]
        right = [("a", "OpenAI"), ("b", "Google"), ("c", "Google"), ("d", "Meta")]
        assert patterns[0] == comma.join(f"{s}{dot}{code[t]}" for s, t in right)
        assert patterns[1] == comma.join("abcd")
        assert patterns[2] == ("1.25" if version == "scorm12" else "1.24[:]1.26")
        assert patterns[3].endswith("fine-tuning" + (", " if version == "scorm12" else "[,]")
                                    + "prompting")  # fmt: skip
        # 3 of 4 pairs of 4 points, the order's share, 1 point, 1 of 2 gaps of 2 points.
        score = stored["core"]["score"] if version == "scorm12" else stored["score"]
        places = sum(1 for n, p in enumerate(shown) if int(p) == n)
        assert float(score["raw"]) == pytest.approx(3 + places / 4 + 1 + 1)
        assert score["max"] == "12"

        frame = launch(page, base, version, stored)
        assert frame.input_value("#q-match-developers--t5") != ""
        assert frame.input_value("#q-learning-rate--input") == "1,25"
        assert frame.input_value("#q-adaptation-gaps--gap-1") == "finetuning"
        assert "Correct." in (frame.text_content("#q-learning-rate .verdict") or "")
        assert log.console == [], log.console
        page.close()
