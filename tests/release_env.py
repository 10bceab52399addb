"""The release as a user gets it: `python -m build`, then the wheel in a fresh virtualenv.

Made once per test session (the `release` fixture in conftest) and shared by the packaging
and tutorial tests. The fresh environment installs the wheel's dependencies from the
package index as a user's `pip install` would, so a dependency missing from pyproject.toml
fails here even though the development environment happens to have it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Release:
    sdist: Path
    wheel: Path
    venv: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a user who activated the fresh venv (and nothing else of ours)."""
        env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
        ours = Path(sys.prefix)  # the development venv, when its bin/ is on PATH
        path = [p for p in env.get("PATH", "").split(os.pathsep) if ours not in Path(p).parents]
        path_value = os.pathsep.join([str(self.bin), *path])
        return {**env, "VIRTUAL_ENV": str(self.venv), "PATH": path_value, **extra}


def _run(command: Sequence[str | Path], **kwargs: object) -> None:
    result = subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, check=False, **kwargs
    )  # type: ignore[call-overload]
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, command))} exited {result.returncode}:\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )


def build_and_install(folder: Path) -> Release:
    """Build the sdist and, from it, the wheel (as `python -m build` does); install the wheel."""
    dist = folder / "dist"
    _run([sys.executable, "-m", "build", "--outdir", dist, ROOT])
    (sdist,) = dist.glob("lessonc-*.tar.gz")
    (wheel,) = dist.glob("lessonc-*.whl")
    venv = folder / "venv"
    # sys.executable is the development venv's Python; venv bases the new one on the
    # interpreter underneath, so none of the development packages are visible in it.
    _run([sys.executable, "-m", "venv", venv])
    _run([venv / "bin" / "python", "-m", "pip", "install", "-q", wheel])
    return Release(sdist=sdist, wheel=wheel, venv=venv)
