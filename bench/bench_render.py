"""What each lesson renderer costs: the HTML page, the Anki deck and the quiz, per lesson.

Makes the synthetic course of ``bench_course.py`` (N lessons with distinct prose),
then in one process loads every lesson and renders it as a build does (html, anki,
quiz in turn, the callouts titled in the lesson's language), timing each renderer
in CPU seconds, which a machine shared with other work disturbs less than wall time.
Loading and checking the sources is not counted.

With ``--baseline DIR`` (the ``src`` folder of another checkout) the same course is
rendered by that code too, in child processes taken in turns with this checkout's
(the median of ``--repeat`` runs of each), and the ratio printed; the outputs of the
two are compared byte for byte, so a faster renderer that changes a page shows.

Run from the repository root:
``python bench/bench_render.py [--lessons 500] [--repeat 3] [--baseline ../main/src]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("html", "anki", "quiz")
EPOCH = 1700000000

_CHILD = """
import hashlib, json, sys, time
from pathlib import Path
from lessonc.outputs import BuildOptions
from lessonc.pipeline import load_lesson, render

formats = sys.argv[2].split(",")
paths = sorted(Path(sys.argv[1]).glob("*.yaml"))
loaded = [load_lesson(path) for path in paths]
options = BuildOptions(source_date_epoch=int(sys.argv[3]), in_course=True)
seconds = dict.fromkeys(formats, 0.0)
digest = {name: hashlib.sha256() for name in formats}
for lesson in loaded:
    for name in formats:
        start = time.process_time()
        artifacts, problems = render(lesson, [name], options)
        seconds[name] += time.process_time() - start
        assert not any(p.is_error for p in problems), problems
        for _, artifact in artifacts:
            digest[name].update(artifact.path.encode() + b"\\0" + artifact.data)
print(json.dumps({
    "ms_per_lesson": {name: seconds[name] * 1000 / len(loaded) for name in formats},
    "sha256": {name: digest[name].hexdigest() for name in formats},
}))
"""


def run_child(src: Path, lessons: Path) -> dict[str, dict[str, float | str]]:
    """One fresh process of ``src``'s code rendering every lesson: ms per lesson and digests."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(lessons), ",".join(FORMATS), str(EPOCH)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=src.parent,
    )
    found: dict[str, dict[str, float | str]] = json.loads(result.stdout)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="src folder of the checkout to compare with")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_course import make_course

    here = ROOT / "src"
    sources = [here, *([args.baseline.resolve()] if args.baseline else [])]
    with tempfile.TemporaryDirectory() as folder:
        lessons = make_course(Path(folder), args.lessons)
        runs: dict[Path, list[dict[str, dict[str, float | str]]]] = {src: [] for src in sources}
        for _ in range(args.repeat):
            for src in sources:  # in turns, so a busy spell of the machine hits both alike
                runs[src].append(run_child(src, lessons))

    def median_ms(src: Path, name: str) -> float:
        return statistics.median(float(run["ms_per_lesson"][name]) for run in runs[src])

    print(f"{args.lessons} lessons, CPU ms per lesson (median of {args.repeat} processes):")
    for name in FORMATS:
        line = f"  {name:5} {median_ms(here, name):7.2f}"
        if args.baseline:
            base = median_ms(args.baseline.resolve(), name)
            same = runs[here][0]["sha256"][name] == runs[args.baseline.resolve()][0]["sha256"][name]
            line += (
                f"   baseline {base:7.2f}   ratio {median_ms(here, name) / base:.2f}"
                f"   outputs {'identical' if same else 'DIFFERENT'}"
            )
        print(line)


if __name__ == "__main__":
    main()
