"""The SCORM packages in a real SCORM runtime: scorm-again's API in a test LMS page, the
package's page in its iframe, driven in Chromium like a learner would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Frame, Page
from tests.outputs.html_support import axe_violations, chromium, opened, watch
from tests.outputs.scorm_support import VERSIONS, graded_lesson, package, unpack, write_lms

from static_site import serving

LAUNCH = """([version, stored]) => {
  const settings = {autocommit: false, logLevel: 5};
  const api = version === 'scorm2004' ? new window.Scorm2004API(settings)
                                      : new window.Scorm12API(settings);
  if (stored) api.loadFromJSON(stored);
  const names = version === 'scorm2004'
    ? {start: 'Initialize', commit: 'Commit', finish: 'Terminate', set: 'SetValue'}
    : {start: 'LMSInitialize', commit: 'LMSCommit', finish: 'LMSFinish', set: 'LMSSetValue'};
  window.lms = {calls: {start: 0, commit: 0, finish: 0}, sets: [], api: api};
  for (const key of ['start', 'commit', 'finish']) api.on(names[key], () => { lms.calls[key] += 1; });
  api.on(names.set + '.cmi.*', (element, value) => { lms.sets.push([element, value, api.lastErrorCode]); });
  if (version === 'scorm2004') window.API_1484_11 = api; else window.API = api;
  document.getElementById('sco').src = 'package/index.html';
}"""
SESSION_TIME = {
    "scorm12": re.compile(r"^\d{4}:[0-5]\d:[0-5]\d\.\d\d$"),
    "scorm2004": re.compile(r"^PT\d+H\d+M\d+\.\d\dS$"),
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def launch(page: Page, base: str, version: str, stored: dict[str, Any] | None) -> Frame:
    """Open the test LMS, give it the stored cmi (a learner's return), and play the lesson."""
    page.goto(f"{base}/lms.html")
    with page.expect_event("framenavigated"):
        page.evaluate(LAUNCH, [version, stored])
    frame = page.frames[1]
    frame.wait_for_load_state("load")
    page.wait_for_function("lms.calls.start === 1")
    return frame


def answer_everything(frame: Frame) -> None:
    """Through the page's own buttons: 2 + 0 + 1 + 1 = 4 of 5 points (one answer partly right)."""
    frame.check("#q-pick-one--right")
    frame.click("#q-pick-one button[type=submit]")
    frame.check("#q-pick-two--a")
    frame.click("#q-pick-two button[type=submit]")
    frame.check("#q-is-it--true")
    frame.click("#q-is-it button[type=submit]")
    frame.fill("#q-name-it--input", "gadget")
    frame.click("#q-name-it button[type=submit]")


def cmi(page: Page) -> dict[str, Any]:
    """Everything the LMS stored for the learner, as scorm-again would send it to its server."""
    stored: dict[str, Any] = page.evaluate("lms.api.renderCMIToJSONObject().cmi")
    return stored


@pytest.mark.parametrize(("version", "pass_percent"), [("scorm12", 80), ("scorm2004", 90)])
def test_an_lms_records_answers_score_status_and_time_and_gets_them_back(
    browser: Browser, tmp_path: Path, version: str, pass_percent: int
) -> None:
    source = graded_lesson(tmp_path, pass_percent)
    root = tmp_path / "site"
    unpack(package(source, VERSIONS[version]), root / "package")
    write_lms(root, VERSIONS[version])
    passed = pass_percent * 5 <= 4 * 100
    with serving(root) as base:
        page = browser.new_page()
        log = watch(page)
        frame = launch(page, base, version, None)
        answer_everything(frame)
        page.wait_for_function("lms.calls.commit >= 5")  # one after load, one per answer
        # pagehide twice (an LMS that hides the frame, then the real leaving): one Terminate.
        frame.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide'))")
        page.evaluate("document.getElementById('sco').src = 'about:blank'")
        page.wait_for_function("lms.calls.finish > 0")
        page.wait_for_timeout(200)
        calls = page.evaluate("lms.calls")
        sets = page.evaluate("lms.sets")
        stored = cmi(page)

        assert calls["start"] == 1 and calls["finish"] == 1 and calls["commit"] >= 5
        assert not [s for s in sets if s[2] not in (0, "0")], "the LMS refused a value"
        interactions = [stored["interactions"][str(n)] for n in range(4)]
        assert [(i["id"], i["type"], i["result"]) for i in interactions] == [
            ("pick-one", "choice", "correct"),
            ("pick-two", "choice", "wrong" if version == "scorm12" else "incorrect"),
            ("is-it", "true-false", "correct"),
            ("name-it", "fill-in", "correct"),
        ]
        response = "student_response" if version == "scorm12" else "learner_response"
        assert [i[response] for i in interactions] == [
            "right", "a", "t" if version == "scorm12" else "true", "gadget"
        ]  # fmt: skip
        patterns = [i["correct_responses"]["0"]["pattern"] for i in interactions]
        if version == "scorm12":
            assert patterns == ["right", "a,b", "t", "Gadget"]
            score = stored["core"]["score"]
            assert stored["core"]["lesson_status"] == ("passed" if passed else "failed")
            assert stored["core"]["exit"] == "suspend"
        else:
            assert patterns == ["right", "a[,]b", "true", "{case_matters=false}Gadget"]
            score = stored["score"]
            assert float(score["scaled"]) == pytest.approx(0.8)
            assert stored["completion_status"] == "completed"
            assert stored["success_status"] == ("passed" if passed else "failed")
            assert stored["exit"] == "suspend"
        assert (score["raw"], score["min"], score["max"]) == ("4", "0", "5")
        times = [value for element, value, _ in sets if element.endswith("session_time")]
        assert times and all(SESSION_TIME[version].match(t) for t in times), times

        # The learner comes back: the LMS hands the page its stored data.
        frame = launch(page, base, version, stored)
        assert frame.is_checked("#q-pick-one--right") and not frame.is_checked("#q-pick-one--wrong")
        assert frame.is_checked("#q-pick-two--a") and not frame.is_checked("#q-pick-two--b")
        assert frame.is_checked("#q-is-it--true")
        assert frame.input_value("#q-name-it--input") == "gadget"
        assert "4 of 5 points" in (frame.text_content(".quiz-score") or "")
        assert "Correct." in (frame.text_content("#q-pick-one .verdict") or "")
        again = cmi(page)
        status = again["core"]["lesson_status"] if version == "scorm12" else again["success_status"]
        assert status == ("passed" if passed else "failed")
        assert page.evaluate("lms.calls.finish") == 0
        assert log.console == [], log.console
        # Nothing leaves the package: every request is for the test LMS or the package's files.
        outside = [u for u in log.requests if not u.startswith(f"{base}/") and u != "about:blank"]
        assert outside == []
        assert any(u.startswith(f"{base}/package/assets/scorm.js") for u in log.requests)
        page.close()


def test_the_packaged_page_has_no_accessibility_violation(browser: Browser, tmp_path: Path) -> None:
    source = graded_lesson(tmp_path, 80)
    folder = unpack(package(source, VERSIONS["scorm2004"]), tmp_path / "package")
    with opened(browser, folder / "index.html", bypass_csp=True) as (page, _log):
        assert axe_violations(page) == []


def test_outside_an_lms_the_page_calls_nothing_and_logs_nothing(
    browser: Browser, tmp_path: Path
) -> None:
    source = graded_lesson(tmp_path, 80)
    folder = unpack(package(source, VERSIONS["scorm12"]), tmp_path / "package")
    # Opened on its own, as a learner opens index.html: the quiz works, nothing is logged,
    # nothing but the page's own files is asked for.
    with opened(browser, folder / "index.html") as (page, log):
        page.check("#q-pick-one--right")
        page.click("#q-pick-one button[type=submit]")
        assert "Correct." in (page.text_content("#q-pick-one .verdict") or "")
        page.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide'))")
        assert log.console == []
        assert log.requests_outside(folder) == []


def test_an_api_behind_another_origin_is_neither_reached_nor_an_error(
    browser: Browser, tmp_path: Path
) -> None:
    """The discovery walk stops at a frame of another origin without an error showing."""
    source = graded_lesson(tmp_path, 80)
    lesson_root = tmp_path / "lesson-site"
    unpack(package(source, VERSIONS["scorm12"]), lesson_root / "package")
    parent_root = tmp_path / "parent-site"
    parent_root.mkdir()
    (parent_root / "parent.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Elsewhere</title>'
        '<link rel="icon" href="data:,"></head><body><iframe id="sco" title="Lesson"></iframe>'
        "</body></html>",
        encoding="utf-8",
    )
    with serving(parent_root) as parent, serving(lesson_root) as lesson:
        page = browser.new_page()
        log = watch(page)
        page.goto(f"{parent}/parent.html")
        page.evaluate("""() => {
          window.calls = [];
          const count = (name) => () => { window.calls.push(name); return 'true'; };
          window.API = {LMSInitialize: count('LMSInitialize'), LMSCommit: count('LMSCommit'),
                        LMSFinish: count('LMSFinish'), LMSSetValue: count('LMSSetValue'),
                        LMSGetValue: count('LMSGetValue')};
        }""")
        with page.expect_event("framenavigated"):
            page.evaluate(f"document.getElementById('sco').src = '{lesson}/package/index.html'")
        frame = page.frames[1]
        frame.wait_for_load_state("load")
        frame.check("#q-pick-one--right")
        frame.click("#q-pick-one button[type=submit]")
        assert "Correct." in (frame.text_content("#q-pick-one .verdict") or "")
        page.evaluate("document.getElementById('sco').src = 'about:blank'")
        assert page.evaluate("window.calls") == []
        assert log.console == []
        page.close()


@pytest.mark.parametrize(
    ("version", "lms_mark"),
    [
        ("scorm12", {"student_data": {"mastery_score": "50"}}),
        ("scorm2004", {"scaled_passing_score": "0.5"}),
    ],
)
def test_a_pass_mark_the_lms_sets_wins_over_the_lessons(
    browser: Browser, tmp_path: Path, version: str, lms_mark: dict[str, Any]
) -> None:
    """4 of 5 points fails the lesson's 90 % but passes the 50 % the LMS read from a manifest."""
    source = graded_lesson(tmp_path, 90)
    root = tmp_path / "site"
    unpack(package(source, VERSIONS[version]), root / "package")
    write_lms(root, VERSIONS[version])
    with serving(root) as base:
        page = browser.new_page()
        answer_everything(launch(page, base, version, lms_mark))
        page.wait_for_function("lms.calls.commit >= 5")
        stored = cmi(page)
        status = (
            stored["core"]["lesson_status"] if version == "scorm12" else stored["success_status"]
        )
        assert status == "passed"
        page.close()


def _nest(root: Path, depth: int) -> str:
    """Frames ``depth`` deep between the LMS page and the lesson; returns the first frame's page."""
    for level in range(depth, 0, -1):
        inner = "package/index.html" if level == depth else f"frame-{level + 1}.html"
        (root / f"frame-{level}.html").write_text(
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{level}</title>'
            f'</head><body><iframe src="{inner}" title="Frame {level}"></iframe></body></html>',
            encoding="utf-8",
        )
    return "frame-1.html"


@pytest.mark.parametrize(("depth", "found"), [(3, True), (9, False)])
def test_the_api_is_found_through_nested_frames_but_not_without_end(
    browser: Browser, tmp_path: Path, depth: int, found: bool
) -> None:
    """LMS players wrap content in a few frames; the walk looks up seven and stops there."""
    root = tmp_path / "site"
    unpack(package(graded_lesson(tmp_path, 80), VERSIONS["scorm2004"]), root / "package")
    write_lms(root, VERSIONS["scorm2004"])
    first = _nest(root, depth)
    with serving(root) as base:
        page = browser.new_page()
        log = watch(page)
        page.goto(f"{base}/lms.html")
        page.evaluate(LAUNCH.replace("'package/index.html'", f"'{first}'"), ["scorm2004", None])
        lesson = page.wait_for_event(
            "framenavigated", predicate=lambda frame: frame.url.endswith("/package/index.html")
        )
        lesson.wait_for_load_state("load")
        page.wait_for_timeout(300)
        assert page.evaluate("lms.calls.start") == (1 if found else 0)
        assert log.console == []
        page.close()


def test_a_lesson_opened_in_a_new_window_finds_the_api_of_its_opener(
    browser: Browser, tmp_path: Path
) -> None:
    root = tmp_path / "site"
    unpack(package(graded_lesson(tmp_path, 80), VERSIONS["scorm12"]), root / "package")
    write_lms(root, VERSIONS["scorm12"])
    with serving(root) as base:
        page = browser.new_page()
        page.goto(f"{base}/lms.html")
        page.evaluate(
            LAUNCH.replace("document.getElementById('sco').src = ", "void "), ["scorm12", None]
        )
        with page.expect_popup() as popup:
            page.evaluate("window.open('package/index.html', 'lesson')")
        lesson = popup.value
        lesson.wait_for_load_state("load")
        page.wait_for_function("lms.calls.start === 1")
        lesson.check("#q-is-it--false")
        lesson.click("#q-is-it button[type=submit]")
        page.wait_for_function("lms.calls.commit >= 2")
        lesson.close(run_before_unload=True)
        page.wait_for_function("lms.calls.finish === 1")
        assert cmi(page)["interactions"]["0"]["result"] == "wrong"
        page.close()
