"""What maths and rich text cost.

1. Cold build of the example lesson (whole ``lessonc build`` processes, every default
   format, median of several, in CPU seconds of the build and its PDF worker, which a
   machine shared with other work disturbs far less than wall time): the example has no
   formula, so rich text must cost it only what its writers add. Target: within 1.05x of
   the build before them, given as ``--baseline`` (the ``src`` folder of a checkout of
   that commit); the two are run in turns, on the baseline checkout's own example, the
   lesson both versions can read (today's example uses parts of the format added since).
   Both are compiled to bytecode first, as an installed lessonc is.
2. A lesson of 500 distinct formulas, in one process: the CPU time per formula of the page's
   writer (MathML), first cold and then again (cached by formula, as the page, the quiz
   and the search index reuse them); the handout's SVG writer, cold. Target for the
   page: under 1 ms a formula.

Run from the repository root: ``python bench/bench_maths.py [--repeat N] [--baseline DIR]``.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "content" / "foundation-models.yaml"
EPOCH = "1700000000"


def cold_build(src: Path, lesson: Path) -> float:
    """CPU seconds of one ``lessonc build`` of ``lesson`` (html, pdf, anki, quiz)."""
    with tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "PYTHONPATH": str(src), "SOURCE_DATE_EPOCH": EPOCH}
        code = "import sys; from lessonc.cli import run; sys.argv[0] = 'lessonc'; run()"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [sys.executable, "-c", code, "build", str(lesson), "-o", out, "--force"],
            env=env,
            check=True,
            capture_output=True,
            cwd=src.parent,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def formulas(count: int) -> list[str]:
    """Distinct formulas of the kinds a deep-learning lesson holds."""
    shapes = [
        r"f_{{{i}}}(x) = \frac{{1}}{{1 + e^{{-{i}x}}}}",
        r"\sum_{{j=1}}^{{{i}}} x_j w_j + b",
        r"\sigma'(x_{{{i}}}) = \sigma(x)\,(1 - \sigma(x))",
        r"\mathbf{{W}}^{{({i})}} \in \mathbb{{R}}^{{n \times m}}",
        r"\sqrt{{\frac{{{i}}}{{d_k}}}} \cdot \mathrm{{softmax}}(QK^T)",
    ]
    return [shapes[i % len(shapes)].format(i=i) for i in range(count)]


def per_formula(count: int) -> tuple[float, float, float]:
    """ms a formula: MathML cold, MathML cached, SVG cold."""
    sys.path.insert(0, str(ROOT / "src"))
    from lessonc import markup

    text = "\n\n".join(f"Step {i}: ${tex}$ holds." for i, tex in enumerate(formulas(count)))
    markup.to_html("warm-up: $x^2$")  # imports, not maths, are not what is measured
    markup.to_html("warm-up: $x^2$", "pdf")
    # CPU time, like the builds: on a shared machine wall time measures the other users.
    clock = time.process_time
    start = clock()
    markup.to_html(text)
    cold = clock() - start
    # The text parsed and written again, only its formulas from the cache.
    markup._full_html.cache_clear()
    markup._tree.cache_clear()
    start = clock()
    markup.to_html(text)
    cached = clock() - start
    start = clock()
    markup.to_html(text, "pdf")
    svg = clock() - start
    return cold * 1000 / count, cached * 1000 / count, svg * 1000 / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="src folder of the commit to compare with")
    parser.add_argument("--formulas", type=int, default=500)
    args = parser.parse_args()
    sources = [ROOT / "src", *([args.baseline.resolve()] if args.baseline else [])]
    lesson = (
        args.baseline.resolve().parent / EXAMPLE.relative_to(ROOT) if args.baseline else EXAMPLE
    )
    for src in sources:
        # An installed lessonc runs from the bytecode pip compiled; with PYTHONDONTWRITEBYTECODE
        # set, every build would compile the source again and time the size of the code.
        compileall.compile_dir(src, quiet=1)
        cold_build(src, lesson)  # untimed: both versions start with warm file caches
    times: dict[Path, list[float]] = {src: [] for src in sources}
    for _ in range(args.repeat):
        for src in sources:
            times[src].append(cold_build(src, lesson))
    medians = {src: statistics.median(found) for src, found in times.items()}
    print(
        f"cold build of the example, CPU s (median of {args.repeat}): {medians[ROOT / 'src']:.3f}"
    )
    if args.baseline:
        base = medians[args.baseline.resolve()]
        print(f"  baseline {base:.3f}; ratio {medians[ROOT / 'src'] / base:.3f} (target <= 1.05)")
    cold, cached, svg = per_formula(args.formulas)
    print(
        f"{args.formulas} formulas: MathML {cold:.3f} ms a formula cold, {cached:.3f} ms cached;"
        f" handout SVG {svg:.1f} ms a formula cold"
    )


if __name__ == "__main__":
    main()
