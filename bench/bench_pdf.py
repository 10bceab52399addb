"""How much lessonc adds on top of WeasyPrint when it writes the PDF handout.

Two comparisons, both on the example lesson:

1. Warm, in one process: lessonc's PDF step (checks, print HTML, sandboxed
   render in a child process) against WeasyPrint rendering the very same HTML
   directly in this process. Median of several repetitions. Target <= 1.10x.
2. Cold, whole processes: ``python -m lessonc build --force`` (every format,
   no cache) against a process that only imports lessonc's libraries and
   renders that HTML. Target <= 1.20x.

Run from the repository root: ``python bench/bench_pdf.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "content" / "foundation-models.yaml"
EPOCH = 1_700_000_000
LIBRARIES = "click, pydantic, yaml, jinja2, markdown_it, nh3, genanki, rich, weasyprint"
"""lessonc's runtime dependencies: what a cold build could not avoid importing."""

FLOOR_SCRIPT = f"""
import sys
import {LIBRARIES}
from weasyprint import HTML
html = sys.stdin.read()
HTML(string=html, base_url=sys.argv[1]).write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=True)
"""


PREPARED_BUILD = """
import sys
from lessonc.outputs.pdf import prepare
prepare()
from lessonc.cli import main
main(["build", "--force", sys.argv[1], "-o", sys.argv[2]])
"""


def interleaved_medians(actions: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median wall time of each action; one untimed warm-up each, then runs taken in turn.

    Taking the actions in turn means a busy machine slows them alike, so the
    ratios stay meaningful even when the absolute figures drift.
    """
    for action in actions.values():
        action()
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(repeat):
        for name, action in actions.items():
            start = time.perf_counter()
            action()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def environment() -> dict[str, str]:
    search = [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in search if p)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per figure")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))

    from lessonc.outputs import BuildContext, BuildOptions
    from lessonc.outputs.pdf import RENDERER
    from lessonc.outputs.pdf.handout import handout_html
    from lessonc.pipeline import load_lesson

    loaded = load_lesson(EXAMPLE)
    options = BuildOptions(source_date_epoch=EPOCH)
    html = handout_html(loaded.lesson, paper="a4", source_date_epoch=EPOCH)
    base_url = EXAMPLE.parent.absolute().as_uri() + "/"

    def lessonc_step() -> None:
        ctx = BuildContext(source=loaded.source, options=options)
        list(RENDERER.render(loaded.lesson, ctx))

    start = time.perf_counter()
    lessonc_step()
    first_step = time.perf_counter() - start
    import weasyprint

    def raw_weasyprint() -> None:
        weasyprint.HTML(string=html, base_url=base_url).write_pdf(
            pdf_variant="pdf/ua-1", pdf_identifier=True
        )

    warm = interleaved_medians({"step": lessonc_step, "raw": raw_weasyprint}, args.repeat)

    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)

        def cold_build() -> None:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "lessonc",
                    "build",
                    "--force",
                    str(EXAMPLE),
                    "-o",
                    out / "b",
                ],
                check=True,
                capture_output=True,
                env=environment(),
                cwd=ROOT,
            )

        def cold_floor() -> None:
            subprocess.run(
                [sys.executable, "-c", FLOOR_SCRIPT, base_url],
                input=html.encode(),
                check=True,
                capture_output=True,
                env=environment(),
            )

        def cold_build_prepared() -> None:
            subprocess.run(
                [sys.executable, "-c", PREPARED_BUILD, str(EXAMPLE), str(out / "p")],
                check=True,
                capture_output=True,
                env=environment(),
                cwd=ROOT,
            )

        cold = interleaved_medians(
            {"build": cold_build, "prepared": cold_build_prepared, "floor": cold_floor},
            args.repeat,
        )

    step, raw = warm["step"], warm["raw"]
    build, prepared, floor = cold["build"], cold["prepared"], cold["floor"]
    print(f"example: {EXAMPLE.relative_to(ROOT)}, {len(html):,} characters of print HTML")
    print(f"median of {args.repeat} runs (after one warm-up each), taken in turn")
    print(f"  lessonc PDF step, first in this process   {first_step:6.3f} s")
    print(f"  lessonc PDF step                          {step:6.3f} s")
    print(f"  WeasyPrint on the same HTML, in-process   {raw:6.3f} s")
    print(f"  ratio                                     {step / raw:6.2f}x  (target <= 1.10x)")
    print(f"  cold `lessonc build` (all formats)        {build:6.3f} s")
    print(f"  cold build, PDF prepared first (*)        {prepared:6.3f} s")
    print(f"  cold floor: import libraries + render     {floor:6.3f} s")
    print(f"  ratio                                     {build / floor:6.2f}x  (target <= 1.20x)")
    print(f"  ratio with the PDF prepared first (*)     {prepared / floor:6.2f}x")
    print("  (*) lessonc.outputs.pdf.prepare() called before the build, as a pipeline could")
    print(f"load average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
