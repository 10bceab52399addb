"""The release: an sdist and a wheel that twine accepts, one version, and an installed wheel
that builds from any folder exactly what the checkout builds."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

import lessonc
from conftest import EXAMPLE, ROOT, run_cli
from release_env import Release

pytestmark = pytest.mark.slow

EVERY_FORMAT = "html,pdf,anki,quiz,gift,qti"


def test_wheel_ships_templates_and_entry_point(release: Release) -> None:
    with zipfile.ZipFile(release.wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "lessonc = lessonc.cli:run" in archive.read(entry_points).decode()
    shipped = {
        n.removeprefix("lessonc/templates/") for n in names if n.startswith("lessonc/templates/")
    }
    in_tree = {
        str(p.relative_to(ROOT / "templates"))
        for p in (ROOT / "templates").rglob("*")
        if p.is_file()
    }
    assert in_tree and in_tree <= shipped
    assert "lessonc/py.typed" in names
    # The interface catalogues are read from the package at run time.
    catalogues = {p.name for p in (ROOT / "src" / "lessonc" / "locale").glob("*.po")}
    assert catalogues and {f"lessonc/locale/{name}" for name in catalogues} <= names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def test_sdist_carries_what_a_clone_needs(release: Release) -> None:
    with tarfile.open(release.sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    needed = {
        "pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE", ".pre-commit-hooks.yaml",
        "scripts/install.sh", "scripts/system-deps.sh", "docs/tutorial.md",
        "docs/github-actions.yml", "content/foundation-models.yaml",
    }  # fmt: skip
    for folder in ("src", "templates", "schema"):
        needed |= {
            str(p.relative_to(ROOT))
            for p in (ROOT / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
    assert sorted(needed - names) == []
    assert [n for n in names if n.startswith((".venv/", "node_modules/", "build/", "dist/"))] == []


def test_sdist_and_wheel_pass_twine_check(release: Release) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", release.sdist, release.wheel],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2


def test_the_version_is_set_in_one_place(release: Release) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"]
    assert pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["hatch"]["version"]["path"] == "src/lessonc/__init__.py"
    version = lessonc.__version__
    with zipfile.ZipFile(release.wheel) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        assert f"\nVersion: {version}\n" in archive.read(metadata).decode()
    assert release.sdist.name == f"lessonc-{version}.tar.gz"
    # The changelog's newest release is the version being built.
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.findall(r"^## \[([^\]]+)\]", changelog, re.MULTILINE)[0] == version
    installed = subprocess.run(
        ["lessonc", "--version"], env=release.env(), capture_output=True, text=True, check=True
    )
    assert installed.stdout.strip() == f"lessonc, version {version}"


def test_installed_wheel_builds_the_example_as_the_checkout_does(
    release: Release, tmp_path: Path
) -> None:
    env = release.env(SOURCE_DATE_EPOCH="1700000000")
    where = subprocess.run(
        ["python", "-c", "import lessonc; print(lessonc.__file__)"],
        env=env, cwd=tmp_path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert Path(where.stdout.strip()).is_relative_to(release.venv)
    assert (
        subprocess.run(["pip", "check"], env=env, capture_output=True, check=False).returncode == 0
    )
    installed = subprocess.run(
        ["lessonc", "build", str(EXAMPLE), "-o", "out", "--format", EVERY_FORMAT],
        env=env, cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    checkout = run_cli(
        ["build", str(EXAMPLE), "-o", str(tmp_path / "checkout"), "--format", EVERY_FORMAT],
        env={"SOURCE_DATE_EPOCH": "1700000000"},
    )
    assert checkout.exit_code == 0, checkout.stderr
    built = tmp_path / "out" / "foundation-models"
    names = sorted(p.name for p in built.iterdir() if p.is_file())
    assert {"index.html", "handout.pdf", "deck.apkg", "quiz.json", "manifest.json"} <= set(names)
    for name in names:
        same = (tmp_path / "checkout" / "foundation-models" / name).read_bytes()
        assert (built / name).read_bytes() == same, f"{name} differs from the checkout's"
