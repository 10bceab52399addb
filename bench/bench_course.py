"""Course builds at scale: lessonc against mkdocs, the no-op rebuild, PDF with one and two jobs.

Makes a synthetic course of N lessons from the example lesson (distinct ids,
titles and numbers, ten lessons a chapter) in a temporary folder, then runs
each case as its own process and prints, side by side, the wall time and the
peak resident memory (the largest single process of the case, from
``getrusage(RUSAGE_CHILDREN)`` of a small wrapper process):

1. ``lessonc build`` html+anki+quiz of N lessons, cold (default --jobs);
2. ``mkdocs build`` of the same N lessons' text as Markdown pages;
3. ``lessonc build`` again with nothing changed (the no-op rebuild);
4. ``lessonc build --format pdf`` of M lessons with --jobs 1 and --jobs 2;
5. ``lessonc validate`` of the N lessons: reading and checking them, no output
   and one process; a floor under any build of them, printed beside (1).

Targets: (1) <= 0.2x (2); (3) < 0.5 s; (4) speed-up >= 1.7x; every case < 400 MB.
Needs mkdocs (``pip install mkdocs``: a benchmark-only dependency).
Run from the repository root: ``python bench/bench_course.py [--lessons 500] [--pdf-lessons 40]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "content" / "foundation-models.yaml"
EPOCH = "1700000000"
PER_CHAPTER = 10
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: faster

_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
seconds = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": code, "seconds": seconds, "peak_mib": peak_kib / 1024}))
"""


@dataclass
class Measure:
    name: str
    seconds: float
    peak_mib: float


def make_course(folder: Path, count: int) -> Path:
    """N lessons made from the example, each with its own id, title, number, chapter and prose.

    Every long text gets the lesson's number appended, so no two lessons share
    their prose: a real course repeats little text, and lessonc's per-process
    Markdown cache must not make identical copies look cheaper than real lessons.
    """
    lessons = folder / "lessons"
    lessons.mkdir(parents=True)
    example = yaml.load(EXAMPLE.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    for index in range(count):
        chapter, position = divmod(index, PER_CHAPTER)
        number = f"{chapter + 1}.{position + 1}"
        lesson = _marked(example, f" (Lesson {number}.)")
        lesson.update(
            id=f"lesson-{index + 1:04d}",
            title=f"What are Foundation Models? (part {index + 1})",
            number=number,
            chapter={"number": chapter + 1, "title": f"Chapter {chapter + 1}"},
        )
        text = yaml.safe_dump(lesson, sort_keys=False, allow_unicode=True, width=100)
        (lessons / f"lesson-{index + 1:04d}.yaml").write_text(text, encoding="utf-8")
    return lessons


def _marked(node: Any, mark: str) -> Any:
    """A copy of ``node`` with ``mark`` appended to every prose string (60+ characters)."""
    if isinstance(node, dict):
        return {key: _marked(value, mark) for key, value in node.items()}
    if isinstance(node, list):
        return [_marked(item, mark) for item in node]
    if isinstance(node, str) and len(node) >= 60 and " " in node:
        return node.rstrip("\n") + mark
    return node


def as_markdown(source: Path) -> str:
    """A lesson's text as one Markdown page (what a static site generator would be given)."""
    data = yaml.load(source.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    lines = [f"# {data['title']}", ""]

    def walk(node: object) -> None:
        if isinstance(node, str):
            lines.extend([node, ""])
        elif isinstance(node, dict):
            for key, value in node.items():
                if key in ("id", "type", "kind", "speaker", "role"):
                    continue
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for part in ("objectives", "summary", "dialogue", "chapters", "key_concepts", "glossary"):
        lines.extend([f"## {part.replace('_', ' ').title()}", ""])
        walk(data.get(part))
    return "\n".join(lines)


def make_mkdocs(folder: Path, lessons: Path) -> Path:
    docs = folder / "docs"
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# Course\n", encoding="utf-8")
    for source in sorted(lessons.glob("*.yaml")):
        (docs / f"{source.stem}.md").write_text(as_markdown(source), encoding="utf-8")
    (folder / "mkdocs.yml").write_text("site_name: Bench course\n", encoding="utf-8")
    return folder / "mkdocs.yml"


def run(name: str, command: list[str], cwd: Path) -> Measure:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)
    if result["code"] != 0:
        raise SystemExit(f"{name} failed with exit code {result['code']}")
    return Measure(name, result["seconds"], result["peak_mib"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lessons", type=int, default=500)
    parser.add_argument("--pdf-lessons", type=int, default=40)
    args = parser.parse_args()
    lessonc = [sys.executable, "-m", "lessonc", "build"]
    with tempfile.TemporaryDirectory(prefix="lessonc-bench-") as temp:
        folder = Path(temp)
        lessons = make_course(folder / "course", args.lessons)
        pdf_lessons = make_course(folder / "pdf-course", args.pdf_lessons)
        config = make_mkdocs(folder / "mkdocs", lessons)
        n, m = args.lessons, args.pdf_lessons
        html = ["-f", "html,anki,quiz"]
        cold = run(
            f"lessonc html+anki+quiz, {n} lessons, cold",
            [*lessonc, str(lessons), "-o", "site", *html],
            folder,
        )
        mkdocs = run(
            f"mkdocs build, {n} pages",
            [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)],
            folder,
        )
        noop = run(
            f"lessonc no-op rebuild, {n} lessons",
            [*lessonc, str(lessons), "-o", "site", *html],
            folder,
        )
        pdf = ["-f", "pdf"]
        pdf1 = run(
            f"lessonc pdf, {m} lessons, --jobs 1",
            [*lessonc, str(pdf_lessons), "-o", "pdf1", *pdf, "--jobs", "1"],
            folder,
        )
        pdf2 = run(f"lessonc pdf, {m} lessons, --jobs 2", [*lessonc, str(pdf_lessons), "-o", "pdf2", *pdf, "--jobs", "2"], folder)  # fmt: skip
        validate = run(
            f"lessonc validate, {n} lessons (no output)",
            [sys.executable, "-m", "lessonc", "validate", str(lessons)],
            folder,
        )
    measures = [cold, mkdocs, noop, pdf1, pdf2, validate]
    width = max(len(m.name) for m in measures)
    print(f"{'case':<{width}}  {'time':>9}  {'peak RSS':>9}")
    for measure in measures:
        print(f"{measure.name:<{width}}  {measure.seconds:8.2f}s  {measure.peak_mib:6.0f} MiB")
    ratio = cold.seconds / mkdocs.seconds
    speedup = pdf1.seconds / pdf2.seconds
    peak = max(m.peak_mib for m in measures if m is not mkdocs)
    print()
    print(
        f"lessonc / mkdocs:        {ratio:5.2f}x   (target <= 0.20x) {'ok' if ratio <= 0.2 else 'MISSED'}"
    )
    print(
        f"no-op rebuild:           {noop.seconds:5.2f} s  (target < 0.5 s)  {'ok' if noop.seconds < 0.5 else 'MISSED'}"
    )
    print(
        f"pdf speed-up 1 -> 2 jobs: {speedup:5.2f}x   (target >= 1.7x)  {'ok' if speedup >= 1.7 else 'MISSED'}"
    )
    print(f"validate only / mkdocs:  {validate.seconds / mkdocs.seconds:5.2f}x   (reading and checking alone)")  # fmt: skip
    print(f"lessonc peak memory:     {peak:5.0f} MiB (target < 400)   {'ok' if peak < 400 else 'MISSED'}")  # fmt: skip
    print(f"CPUs: {os.cpu_count()}; started {time.strftime('%Y-%m-%d %H:%M')}")


if __name__ == "__main__":
    main()
