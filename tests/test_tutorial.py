"""docs/tutorial.md, typed word for word in an empty folder, works from the first command to
the last, against the built wheel installed in a fresh venv; so do the steps of the GitHub
Actions example, docs/github-actions.yml, and the pre-commit set-up in docs/authoring.md,
in a repository of lessons.

The tutorial's shell commands are its ``sh`` (and ``console``) fenced blocks, run in order.
A word after the language, which a rendered page does not show, marks the two blocks that
cannot simply run: ``install`` (the session's `release` fixture has done what it says: the
package built from the repository, installed in a fresh venv) and ``serve`` (a server
that runs until Ctrl-C: the test does what the step tells the reader to do, then stops it).
"""

from __future__ import annotations

import json
import re
import shlex
import signal
import subprocess
import sys
import tarfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from conftest import EXAMPLE, ROOT
from release_env import Release

TUTORIAL = ROOT / "docs" / "tutorial.md"
TIMEOUT = 60.0
SHELLS = {"sh", "console"}


@dataclass(frozen=True)
class Block:
    line: int  # of the opening fence, 1-based
    mark: str  # "", "install" or "serve"
    commands: tuple[str, ...]


def shell_blocks(markdown: str) -> list[Block]:
    """The tutorial's shell blocks in order; a console block's commands are its `$ ` lines."""
    blocks = []
    for token in MarkdownIt("commonmark").parse(markdown):
        language, _, mark = token.info.strip().partition(" ")
        if token.type != "fence" or language not in SHELLS:
            continue
        lines = token.content.splitlines()
        if language == "console":
            lines = [line.removeprefix("$ ") for line in lines if line.startswith("$ ")]
        commands = tuple(line for line in lines if line.strip() and not line.startswith("#"))
        assert token.map is not None
        blocks.append(Block(token.map[0] + 1, mark.strip(), commands))
    return blocks


def _text_block_after(markdown: str, words: str) -> str:
    """The first ```text block after ``words``: output the tutorial says the reader sees."""
    start = markdown.index(words)
    match = re.compile(r"```text\n(.*?)\n```", re.DOTALL).search(markdown, start)
    assert match is not None
    return match.group(1)


def test_only_the_install_and_the_server_are_not_run_as_written() -> None:
    blocks = shell_blocks(TUTORIAL.read_text(encoding="utf-8"))
    assert len(blocks) >= 5
    marks = [block.mark for block in blocks]
    assert marks[0] == "install"
    assert sorted(mark for mark in marks if mark) == ["install", "serve"]
    # The install block installs the package built from the repository, as the fixture does.
    assert "pip install ./lessonc" in blocks[0].commands
    (serve,) = (block for block in blocks if block.mark == "serve")
    assert [shlex.split(c)[:2] for c in serve.commands] == [["lessonc", "serve"]]


def test_shell_blocks_are_found_with_their_marks() -> None:
    markdown = (
        "Text\n\n```sh\nlessonc new x\n# a comment\n\nlessonc build x.yaml\n```\n\n"
        "```sh serve\nlessonc serve x.yaml\n```\n\n```yaml\nid: x\n```\n\n"
        "```console\n$ lessonc validate x.yaml\nx.yaml: ok\n```\n\n    indented code\n"
    )
    assert shell_blocks(markdown) == [
        Block(3, "", ("lessonc new x", "lessonc build x.yaml")),
        Block(10, "serve", ("lessonc serve x.yaml",)),
        Block(18, "", ("lessonc validate x.yaml",)),
    ]


def _save_until(lesson: Path, text: str, condition: Callable[[], bool], what: str) -> None:
    """Save ``text`` until ``condition`` holds, saving again every few seconds.

    The server prints its address just before its file watcher is ready, so a save made at
    once can go unseen; a reader, slower than a test, never hits that window.
    """
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        lesson.write_text(text, encoding="utf-8")
        saved = time.monotonic()
        while time.monotonic() - saved < 3:
            if condition():
                return
            time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _status(base: str) -> dict[str, object]:
    with urllib.request.urlopen(base + "__lessonc__/status", timeout=5) as response:
        data: dict[str, object] = json.loads(response.read())
    return data


def _watch_while_writing(command: str, folder: Path, env: dict[str, str], expected: str) -> None:
    """Step 3: serve, open the page, make the mistake, see it, fix it, press Ctrl-C.

    ``--port 0`` is added (the step names `--port`): on a shared machine 8000 may be taken.
    """
    child = subprocess.Popen(
        [*shlex.split(command), "--port", "0"], cwd=folder, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    stderr: list[str] = []
    assert child.stdout is not None and child.stderr is not None
    reader = threading.Thread(target=lambda: stderr.extend(child.stderr or []), daemon=True)
    reader.start()
    try:
        base = child.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:"), "".join(stderr)
        with urllib.request.urlopen(base, timeout=5) as response:
            assert "Photosynthesis" in response.read().decode("utf-8")
        lesson = folder / "content" / "photosynthesis.yaml"
        good = lesson.read_text(encoding="utf-8")
        assert "estimated_minutes: 20\n" in good
        mistake = good.replace("estimated_minutes: 20", "estimated_minutes: twenty")
        _save_until(lesson, mistake, lambda: _status(base)["ok"] is False, "the error page")
        shown = [str(d["text"]) for d in _status(base)["diagnostics"]]  # type: ignore[attr-defined]
        assert expected.splitlines()[0] in "\n".join(shown)
        _save_until(lesson, good, lambda: _status(base)["ok"] is True, "the overlay to go away")
        child.send_signal(signal.SIGINT)  # Ctrl-C
        assert child.wait(timeout=TIMEOUT) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    reader.join(timeout=TIMEOUT)
    assert expected in "".join(stderr), "the terminal did not print what the tutorial shows"


@pytest.mark.slow
def test_the_tutorial_works_word_for_word(release: Release, tmp_path: Path) -> None:
    markdown = TUTORIAL.read_text(encoding="utf-8")
    env = release.env()
    expected_error = _text_block_after(markdown, "The terminal\nprints")
    for block in shell_blocks(markdown):
        if block.mark == "install":
            continue  # the fixture built the package and installed it in a fresh venv
        for command in block.commands:
            if block.mark == "serve":
                _watch_while_writing(command, tmp_path, env, expected_error)
                continue
            done = subprocess.run(
                ["bash", "-c", command], cwd=tmp_path, env=env,
                capture_output=True, text=True, timeout=300, check=False,
            )  # fmt: skip
            assert done.returncode == 0, (
                f"docs/tutorial.md:{block.line}: `{command}` exited {done.returncode}\n"
                f"{done.stdout}{done.stderr}"
            )
    # Step 6's table: every file it lists is in the build folder.
    section = markdown[markdown.index("## 6. Build") :]
    listed = re.findall(r"^\| `([^`]+)` \|", section, re.MULTILINE)
    assert "handout.pdf" in listed
    built = tmp_path / "build" / "photosynthesis"
    assert [name for name in listed if not (built / name).is_file()] == []
    # Step 2's claim: the first line points at a schema that is there.
    first = (tmp_path / "content" / "photosynthesis.yaml").read_text("utf-8").splitlines()[0]
    schema = first.removeprefix("# yaml-language-server: $schema=")
    assert (tmp_path / "content" / schema).resolve().is_file()


WORKFLOW = ROOT / "docs" / "github-actions.yml"


def test_the_workflow_installs_lessonc_from_a_copy_of_its_repository() -> None:
    steps = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["build"]["steps"]
    lessonc = next(s for s in steps if s.get("with", {}).get("path") == ".lessonc")
    assert lessonc["uses"].startswith("actions/checkout@")
    assert lessonc["with"]["repository"] == "${{ vars.LESSONC_REPOSITORY }}"
    install = next(s for s in steps if s.get("name") == "Install lessonc")["run"]
    assert "bash .lessonc/scripts/system-deps.sh" in install
    assert "pip install ./.lessonc" in install
    assert (ROOT / "scripts" / "system-deps.sh").is_file()
    # The guard that stops a run without the variable is the only conditional step.
    assert [s["if"] for s in steps if "if" in s] == ["vars.LESSONC_REPOSITORY == ''"]


@pytest.mark.slow
def test_the_workflow_runs_as_written(release: Release, tmp_path: Path) -> None:
    """Its shell steps, in order, in a repository of lessons, as the runner runs them.

    Not run: the `uses:` steps (GitHub's own actions), the guard (the variable is set) and
    the install step (the `release` fixture installed the package the same way).
    """
    repo = tmp_path / "lessons"
    (repo / "content").mkdir(parents=True)
    (repo / "content" / EXAMPLE.name).write_bytes(EXAMPLE.read_bytes())
    git = ["git", "-c", "user.name=A", "-c", "user.email=a@example.org", "-C", str(repo)]
    subprocess.run([*git[:-2], "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    committed = {"GIT_COMMITTER_DATE": "@1700000000 +0000", "GIT_AUTHOR_DATE": "@1700000000"}
    subprocess.run([*git, "commit", "-q", "-m", "A lesson"], check=True, env=committed)
    github_env = tmp_path / "github-env"
    github_env.touch()
    env = release.env(GITHUB_ACTIONS="true", GITHUB_ENV=str(github_env), CI="true")
    steps = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["build"]["steps"]
    ran = []
    for step in steps:
        if "run" not in step or "if" in step or step["name"] == "Install lessonc":
            continue
        # Like the runner: what earlier steps appended to $GITHUB_ENV is in the environment.
        exported = dict(
            line.split("=", 1) for line in github_env.read_text().splitlines() if "=" in line
        )
        done = subprocess.run(
            ["bash", "-e", "-c", step["run"]], cwd=repo, env={**env, **exported},
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert done.returncode == 0, f"step {step['name']!r}:\n{done.stdout}{done.stderr}"
        ran.append(step["name"])
    assert ran == ["Stamp the outputs with the last commit's time", "Validate", "Lint", "Build"]
    assert github_env.read_text() == "SOURCE_DATE_EPOCH=1700000000\n"
    built = repo / "build" / "foundation-models"
    assert (built / "handout.pdf").is_file() and (built / "deck.apkg").is_file()
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["source_date_epoch"] == 1700000000  # the commit's time, not the file's


def _git(folder: Path, *args: str) -> str:
    dated = {"GIT_COMMITTER_DATE": "@1700000000 +0000", "GIT_AUTHOR_DATE": "@1700000000"}
    done = subprocess.run(
        ["git", "-c", "user.name=A", "-c", "user.email=a@example.org", "-C", str(folder), *args],
        capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin", **dated},
    )  # fmt: skip
    return done.stdout.strip()


@pytest.mark.slow
def test_the_pre_commit_hooks_work_as_the_authoring_guide_sets_them_up(
    release: Release, tmp_path: Path
) -> None:
    """The guide's .pre-commit-config.yaml, with a copy of the repository and a commit SHA.

    pre-commit itself clones the copy and installs lessonc from it, as it would for a user.
    """
    copy = tmp_path / "lessonc"
    with tarfile.open(release.sdist) as archive:
        archive.extractall(tmp_path, filter="data")
    (tmp_path / release.sdist.name.removesuffix(".tar.gz")).rename(copy)
    _git(copy, "init", "-q")
    _git(copy, "add", ".")
    _git(copy, "commit", "-q", "-m", "lessonc")
    sha = _git(copy, "rev-parse", "HEAD")

    guide = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    section = guide[guide.index("## pre-commit") :]
    match = re.search(r"```yaml\n(.*?)\n```", section, re.DOTALL)
    assert match is not None
    config = match.group(1)
    assert "repo: URL-OF-YOUR-COPY-OF-LESSONC" in config
    assert re.search(r"rev: v0\.1\.0 .*full commit SHA", config)
    config = config.replace("URL-OF-YOUR-COPY-OF-LESSONC", str(copy)).replace("v0.1.0", sha)

    lessons = tmp_path / "lessons"
    (lessons / "content").mkdir(parents=True)
    (lessons / "content" / EXAMPLE.name).write_bytes(EXAMPLE.read_bytes())
    (lessons / ".pre-commit-config.yaml").write_text(config + "\n", encoding="utf-8")
    _git(lessons, "init", "-q")
    _git(lessons, "add", ".")
    env = {**release.env(), "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    def pre_commit() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=lessons, env=env,
            capture_output=True, text=True, timeout=900, check=False,
        )  # fmt: skip

    good = pre_commit()
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout.count("Passed") == 2
    broken = EXAMPLE.read_text(encoding="utf-8").replace(
        "estimated_minutes: 25", "estimated_minutes: twenty-five"
    )
    (lessons / "content" / "broken.yaml").write_text(broken, encoding="utf-8")
    _git(lessons, "add", ".")
    bad = pre_commit()
    assert bad.returncode == 1
    assert "content/broken.yaml:" in bad.stdout
    assert "error[wrong-type]" in bad.stdout
