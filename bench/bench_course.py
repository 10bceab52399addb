"""Course builds at scale, measured in A/B pairs: lessonc against mkdocs, jobs, start-up, no-op.

Makes a synthetic course of N lessons from the example lesson (distinct ids,
titles, numbers and prose, ten lessons a chapter) and the same lessons' text as
an mkdocs site, then times whole processes from outside, through the command
line only, so it measures whatever lessonc is installed:

1. ``lessonc build -f html,anki,quiz`` / ``mkdocs build``, cold   (target <= 1.0x)
2. ``lessonc build -f html`` / ``mkdocs build``, cold             (target <= 0.6x)
3. ``--jobs 2`` / ``--jobs 1``, html+anki+quiz, cold             (target <= 0.625x: 1.6x faster,
   on a quiet machine)
4. the same with one CPU-burning process running beside it       (target <= 1.0x: never slower)
5. one lesson, html+anki+quiz, cold CLI / a Python process that only imports the
   third-party modules that build imports (listed by running it)  (target <= 1.5x);
   its compiled templates kept in the cache folder, as a second build finds them,
   and the first build ever (an empty cache folder) beside it, with no target
6. the no-op rebuild of the N lessons, into the folder already built (target <= 0.3 s)
7. ``lessonc validate`` of the N lessons: reading and checking only (no target)
8. ``lessonc build -f pdf`` of M lessons (and ``course.pdf``), ``--jobs 2`` / ``--jobs 1`` (no target)

How it measures fairly:

- Each ratio row runs A and B in pairs, alternating the order (AB BA AB …), so a
  machine that gets slower or faster during the row weighs on both sides alike,
  and prints the median of the per-pair ratios A/B with their min–max, beside the
  medians of the absolute times. One slow outlier moves a median little.
- "Cold" means nothing kept from an earlier run: every timed run writes into a
  fresh, empty output folder and gets ``LESSONC_CACHE_DIR`` pointed at a fresh,
  empty folder (except row 5, see above). The operating system's page cache and
  Python's bytecode are warm (lessonc's bytecode is compiled first, as installing it does)
  on purpose (untimed builds by each tool first, in each folder), as on any machine
  that has run the tools before; the no-op rebuild reuses the untimed lessonc build
  and its cache.
- Rows 1 to 6 run in the temporary folder (on disk; ``TMPDIR`` moves it) and
  again on tmpfs (``/dev/shm``) when it exists, so the figures show what the disk
  adds. Rows 7 and 8 read and compute more than they write: disk only.
- Each run is a child of a small wrapper process that reads the wall time and,
  from ``getrusage(RUSAGE_CHILDREN)``, the CPU time and the peak resident memory
  of the largest single process of the run.

The targets were set for 500 lessons and 2 CPUs. The script exits 0 when a
target is missed (it is a measurement; MISSED is printed) and 1 when a run fails.
Needs mkdocs (``pip install mkdocs``: a benchmark-only dependency). From the
repository root: ``python bench/bench_course.py [--lessons 500] [--pairs 5]
[--pdf-lessons 40] [--quick] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import importlib.util
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "content" / "foundation-models.yaml"
EPOCH = "1700000000"
PER_CHAPTER = 10
TMPFS = Path("/dev/shm")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: faster

# The floor under a cold CLI run of one lesson: a Python process that imports the
# very third-party modules that build loads (found by running it once, so the list
# cannot drift from what lessonc imports), and nothing else. The one-lesson row
# (CLI / this process) then shows what lessonc's own start-up and work add.
_LIST_MODULES = """
import json, runpy, sys
sys.argv = ["lessonc", *sys.argv[1:]]
try:
    runpy.run_module("lessonc", run_name="__main__")
except SystemExit:
    pass
third_party = sorted(
    name for name, module in list(sys.modules.items())
    if "site-packages" in (getattr(module, "__file__", None) or "")
    and not name.startswith("lessonc")
)
sys.stdout = sys.__stdout__
print(json.dumps(third_party))
"""
_IMPORT_MODULES = """
import importlib, sys
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except ImportError:
        pass  # a module only its package may import
"""


HTML_ANKI_QUIZ = ("-f", "html,anki,quiz")
INTERRUPTED = "interrupted"

# Runs in its own process around each timed command: its RUSAGE_CHILDREN then
# holds that command's process tree alone, never an earlier run's.
_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "code": done.returncode,
    "seconds": seconds,
    "cpu_seconds": usage.ru_utime + usage.ru_stime,
    "peak_mib": usage.ru_maxrss / 1024,
    "stderr": done.stderr.decode("utf-8", "replace")[-2000:],
}))
"""


# ---------------------------------------------------------------- the course


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
    """An mkdocs project with one Markdown page per lesson; returns its ``mkdocs.yml``."""
    docs = folder / "docs"
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# Course\n", encoding="utf-8")
    for source in sorted(lessons.glob("*.yaml")):
        (docs / f"{source.stem}.md").write_text(as_markdown(source), encoding="utf-8")
    (folder / "mkdocs.yml").write_text("site_name: Bench course\n", encoding="utf-8")
    return folder / "mkdocs.yml"


# ---------------------------------------------------------------- pairs and figures


def pair_orders(pairs: int) -> list[str]:
    """The order of each pair, AB BA AB …: a steady drift of the machine then weighs on A and
    B alike (exactly so over an even number of pairs) instead of always on the second run."""
    return ["AB" if index % 2 == 0 else "BA" for index in range(pairs)]


@dataclass(frozen=True)
class Spread:
    median: float
    low: float
    high: float


def spread(values: Sequence[float]) -> Spread:
    return Spread(statistics.median(values), min(values), max(values))


def pair_ratios(a: Sequence[float], b: Sequence[float]) -> list[float]:
    """A/B of each pair: the two runs of a pair ran next to each other on the same machine
    state, so their ratio is steadier than a ratio of two medians taken apart."""
    if len(a) != len(b):
        raise ValueError(f"{len(a)} A runs but {len(b)} B runs")
    return [x / y for x, y in zip(a, b, strict=True)]


@dataclass(frozen=True)
class Target:
    limit: float
    unit: str  # "x" for a ratio A/B, "s" for a time
    note: str = ""

    def met(self, value: float) -> bool:
        return value <= self.limit

    def __str__(self) -> str:
        text = f"<= {_number(self.limit)}{'x' if self.unit == 'x' else ' s'}"
        return f"{text} ({self.note})" if self.note else text


def _number(value: float) -> str:
    """0.625, 0.6, 1.0: as many decimals as the target has, at least one."""
    text = f"{value:.3f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float
    peak_mib: float


@dataclass
class Row:
    case: str
    where: str
    target: Target | None
    a: list[Run] = field(default_factory=list)
    b: list[Run] = field(default_factory=list)  # empty: a row of absolute times
    order: list[str] = field(default_factory=list)
    busy: bool = False
    load_before: float | None = None
    error: str = ""

    @property
    def paired(self) -> bool:
        return bool(self.b)

    def figure(self) -> Spread | None:
        """What the target judges: the per-pair ratios A/B, or A's times for a row without B."""
        if not self.a:
            return None
        a = [run.seconds for run in self.a]
        if not self.paired:
            return spread(a)
        return spread(pair_ratios(a, [run.seconds for run in self.b]))

    def verdict(self) -> str:
        figure = self.figure()
        if self.error == INTERRUPTED:
            return "stopped"
        if self.error:
            return "FAILED"
        if self.target is None or figure is None:
            return ""
        return "met" if self.target.met(figure.median) else "MISSED"

    def as_json(self) -> dict[str, Any]:
        figure = self.figure()
        return {
            "case": self.case,
            "where": self.where,
            "order": self.order,
            "busy_cpu": self.busy,
            "load_before": self.load_before,
            "a": [asdict(run) for run in self.a],
            "b": [asdict(run) for run in self.b],
            "figure": asdict(figure) if figure else None,
            "figure_unit": "ratio" if self.paired else "seconds",
            "target": asdict(self.target) if self.target else None,
            "verdict": self.verdict(),
            "error": self.error,
        }


# ---------------------------------------------------------------- running


class RunFailed(Exception):
    pass


def run_command(command: Sequence[str], cwd: Path, env: dict[str, str]) -> Run:
    """Run ``command`` once under the wrapper; its wall time, CPU time and peak memory."""
    # A session of its own, so a stopped benchmark ends the whole tree it started (the
    # build's worker processes included) instead of leaving it writing into removed folders.
    wrapper = subprocess.Popen(
        [sys.executable, "-c", _WRAPPER, *command],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = wrapper.communicate()
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(wrapper.pid, signal.SIGKILL)
        wrapper.wait()
        raise
    try:
        result = json.loads(stdout) if wrapper.returncode == 0 else None
    except json.JSONDecodeError:
        result = None
    if not isinstance(result, dict):
        raise RunFailed(f"the timing wrapper failed: {stderr.strip()[-500:]}")
    if result["code"] != 0:
        tail = result["stderr"].strip().splitlines()[-3:]
        shown = " ".join(command[:6])
        raise RunFailed(f"{shown} … exited {result['code']}: " + " | ".join(tail))
    return Run(result["seconds"], result["cpu_seconds"], result["peak_mib"])


def base_env(cache: Path) -> dict[str, str]:
    # The same stamp for every run so every build writes the same bytes; the cache
    # folder is the only other thing a run may carry from one to the next.
    return {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "LESSONC_CACHE_DIR": str(cache)}


# A side of a pair: given a fresh, empty output folder, the command to time.
Command = Callable[[Path], list[str]]


def time_fresh(command: Command, work: Path, cache: Path | None = None) -> Run:
    """One cold run: a fresh output folder and (unless ``cache`` is given) a fresh, empty
    cache, both removed afterwards (outside the timing) so a tmpfs of 500-lesson outputs
    never fills up."""
    fresh = Path(tempfile.mkdtemp(prefix="run-", dir=work))
    try:
        (fresh / "cache").mkdir()
        return run_command(command(fresh / "out"), fresh, base_env(cache or fresh / "cache"))
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def time_pairs(
    row: Row, a: Command, b: Command, work: Path, pairs: int, cache: Path | None = None
) -> None:
    for order in pair_orders(pairs):
        runs: dict[str, Run] = {}
        for side in order:
            runs[side] = time_fresh(a if side == "A" else b, work, cache)
        row.a.append(runs["A"])
        row.b.append(runs["B"])
        row.order.append(order)


def list_runtime_modules(lesson: Path, work: Path, cache: Path) -> list[str]:
    """The third-party modules a one-lesson html+anki+quiz build imports, from one run."""
    out = Path(tempfile.mkdtemp(prefix="modules-", dir=work))
    try:
        command = [sys.executable, "-c", _LIST_MODULES, "build", str(lesson), "-o", str(out)]
        done = subprocess.run(
            [*command, *HTML_ANKI_QUIZ], capture_output=True, text=True, env=base_env(cache)
        )
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if done.returncode != 0:
        raise RunFailed(f"listing the build's modules failed: {done.stderr.strip()[-300:]}")
    modules: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return modules


def compile_lessonc() -> None:
    """Write lessonc's bytecode, as installing its wheel does: with PYTHONDONTWRITEBYTECODE
    set (some machines do) every run would otherwise compile lessonc's source again, which
    no installed lessonc pays and the libraries it is compared with do not pay."""
    spec = importlib.util.find_spec("lessonc")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            compileall.compile_dir(folder, quiet=1)


@contextlib.contextmanager
def cpu_burner() -> Iterator[None]:
    """One process spinning on a CPU for as long as the block runs: the other CPU is busy."""
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)  # let it start spinning before the first timed run
        yield
    finally:
        burner.terminate()
        burner.wait()


def load_average() -> float | None:
    with contextlib.suppress(OSError, AttributeError):
        return round(os.getloadavg()[0], 2)
    return None


def measure(row: Row, rows: list[Row], body: Callable[[Row], None]) -> None:
    """Run one row; a failed run marks the row FAILED and the benchmark goes on to the next."""
    rows.append(row)
    row.load_before = load_average()
    print(f"  {row.where}: {row.case} …", file=sys.stderr, flush=True)
    try:
        body(row)
    except RunFailed as failure:
        row.error = str(failure)
    except KeyboardInterrupt:
        row.error = INTERRUPTED
        raise
    print(
        f"    A {_median_time(row.a)}, B {_median_time(row.b)}: {_figure_text(row)} {row.verdict()}",
        file=sys.stderr,
        flush=True,
    )


def filesystem_type(path: Path) -> str:
    """The type of the filesystem holding ``path`` (the longest mount point above it)."""
    best, kind = "", "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mounts").read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) < 3:
                continue
            mount = parts[1].replace("\\040", " ")
            inside = str(path) == mount or str(path).startswith(mount.rstrip("/") + "/")
            if inside and len(mount) > len(best):
                best, kind = mount, parts[2]
    return kind


# ---------------------------------------------------------------- the rows


@dataclass(frozen=True)
class Sizes:
    lessons: int
    pairs: int
    pdf_lessons: int


def lessonc(*args: str) -> list[str]:
    return [sys.executable, "-m", "lessonc", *args]


def location_rows(
    rows: list[Row], where: str, work: Path, lessons: Path, config: Path, sizes: Sizes
) -> None:
    """Rows 1 to 6 in one folder (disk or tmpfs), sources and outputs both in it."""
    n, pairs = sizes.lessons, sizes.pairs

    def build(*args: str) -> Command:
        return lambda out: lessonc("build", str(lessons), "-o", str(out), *args)

    def mkdocs(out: Path) -> list[str]:
        return [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(out)]

    one_lesson = sorted(lessons.glob("*.yaml"))[0]

    def one(out: Path) -> list[str]:
        return lessonc("build", str(one_lesson), "-o", str(out), *HTML_ANKI_QUIZ)

    runtime_modules: list[str] = []

    def libraries(_out: Path) -> list[str]:
        return [sys.executable, "-c", _IMPORT_MODULES, *runtime_modules]

    # Untimed: reads every source and module into the page cache and writes any
    # missing bytecode, so the first timed pair pays for neither. The lessonc build
    # is kept: it is the folder the no-op rebuild reuses, with its own cache.
    kept, kept_cache = work / "kept" / "out", work / "kept" / "cache"
    kept_cache.mkdir(parents=True)
    print(f"  {where}: warming up …", file=sys.stderr, flush=True)
    try:
        run_command(build(*HTML_ANKI_QUIZ)(kept), work, base_env(kept_cache))
        time_fresh(mkdocs, work)
        time_fresh(one, work)
        runtime_modules.extend(list_runtime_modules(one_lesson, work, kept_cache))
    except RunFailed as failure:
        rows.append(Row("warm-up builds", where, None, error=str(failure)))
        return

    def paired(a: Command, b: Command) -> Callable[[Row], None]:
        return lambda row: time_pairs(row, a, b, work, pairs)

    cases: list[tuple[str, Target, Command, Command]] = [
        (
            f"html+anki+quiz / mkdocs, {n}, cold",
            Target(1.0, "x"),
            build(*HTML_ANKI_QUIZ),
            mkdocs,
        ),
        (f"html / mkdocs, {n}, cold", Target(0.6, "x"), build("-f", "html"), mkdocs),
        (
            f"jobs 2 / jobs 1, html+anki+quiz, {n}, cold",
            Target(1 / 1.6, "x", "on a quiet machine"),
            build(*HTML_ANKI_QUIZ, "--jobs", "2"),
            build(*HTML_ANKI_QUIZ, "--jobs", "1"),
        ),
    ]
    for case, target, a, b in cases:
        measure(Row(case, where, target), rows, paired(a, b))

    def busy(row: Row) -> None:
        row.busy = True
        with cpu_burner():
            time_pairs(
                row,
                build(*HTML_ANKI_QUIZ, "--jobs", "2"),
                build(*HTML_ANKI_QUIZ, "--jobs", "1"),
                work,
                pairs,
            )

    busy_case = f"jobs 2 / jobs 1, html+anki+quiz, {n}, cold, 1 CPU busy"
    measure(Row(busy_case, where, Target(1.0, "x", "never slower")), rows, busy)
    measure(
        Row(
            "one lesson, cold CLI / python importing libraries",
            where,
            Target(1.5, "x"),
        ),
        rows,
        # The compiled templates are kept, as Python's bytecode is: a user's second build
        # finds them in the cache folder. The first build ever is the row below.
        lambda row: time_pairs(row, one, libraries, work, pairs, cache=kept_cache),
    )

    def first_ever(row: Row) -> None:
        for _ in range(pairs):
            row.a.append(time_fresh(one, work))

    measure(Row("one lesson, cold CLI, empty cache folder", where, None), rows, first_ever)

    def noop(row: Row) -> None:
        for _ in range(pairs):
            command = build(*HTML_ANKI_QUIZ)(kept)
            row.a.append(run_command(command, work, base_env(kept_cache)))

    measure(Row(f"no-op rebuild, {n}", where, Target(0.3, "s")), rows, noop)
    shutil.rmtree(work / "kept", ignore_errors=True)


def disk_only_rows(rows: list[Row], work: Path, lessons: Path, sizes: Sizes) -> None:
    """Rows 7 and 8: no target, on disk only."""

    def validate(row: Row) -> None:
        for _ in range(sizes.pairs):
            row.a.append(time_fresh(lambda _out: lessonc("validate", str(lessons)), work))

    measure(Row(f"validate only, {sizes.lessons}", "disk", None), rows, validate)
    if sizes.pdf_lessons == 0:
        return
    pdf_lessons = make_course(work / "pdf-course", sizes.pdf_lessons)

    def pdf(jobs: str) -> Command:
        return lambda out: lessonc("build", str(pdf_lessons), "-o", str(out), "-f", "pdf", "--jobs", jobs)  # fmt: skip

    def pdf_pairs(row: Row) -> None:
        # Untimed: WeasyPrint's modules, fonts and bytecode, warm for both sides.
        first = sorted(pdf_lessons.glob("*.yaml"))[0]
        time_fresh(lambda out: lessonc("build", str(first), "-o", str(out), "-f", "pdf"), work)
        time_pairs(row, pdf("2"), pdf("1"), work, sizes.pairs)

    case = f"pdf jobs 2 / jobs 1, {sizes.pdf_lessons} + course.pdf, cold"
    measure(Row(case, "disk", None), rows, pdf_pairs)


# ---------------------------------------------------------------- report


def _figure_text(row: Row) -> str:
    if row.error and row.error != INTERRUPTED:  # the pairs of a stopped row still count
        return "—"
    figure = row.figure()
    if figure is None:
        return "—"
    unit = "x" if row.paired else " s"
    return f"{figure.median:.2f}{unit} ({figure.low:.2f}–{figure.high:.2f})"


def _median_time(runs: list[Run]) -> str:
    return f"{statistics.median(run.seconds for run in runs):.2f} s" if runs else "—"


def _peak(row: Row) -> str:
    sides = [side for side in (row.a, row.b) if side]
    return "/".join(f"{max(run.peak_mib for run in side):.0f}" for side in sides) or "—"


def table(rows: list[Row]) -> str:
    header = ["case (A / B)", "where", "A", "B", "median (min–max)", "target", "", "peak MiB A/B"]  # fmt: skip
    lines = [header]
    for row in rows:
        target = str(row.target) if row.target else "—"
        cells = [row.case, row.where, _median_time(row.a), _median_time(row.b)]
        lines.append([*cells, _figure_text(row), target, row.verdict(), _peak(row)])
    widths = [max(len(line[column]) for line in lines) for column in range(len(header))]
    right = {2, 3}  # times line up on their units
    return "\n".join(
        "  ".join(
            cell.rjust(width) if column in right else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in lines
    )


def _output(command: Sequence[str]) -> str:
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
        return done.stdout.strip()
    return "unknown"


def context() -> dict[str, Any]:
    """What the figures depend on besides the code: printed above the table, saved in the JSON."""
    commit = _output(["git", "rev-parse", "--short", "HEAD"])
    if commit != "unknown" and _output(["git", "status", "--porcelain", "--untracked-files=no"]):
        commit += " (with uncommitted changes)"
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 0
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "cpus": os.cpu_count(),
        "cpus_usable": usable,
        "load_average": load_average(),
        "lessonc": _output(lessonc("--version")).rsplit(" ", 1)[-1],
        "commit": commit,
        "mkdocs": _output([sys.executable, "-m", "mkdocs", "--version"]).split(" from ")[0],
        "python": platform.python_version(),
    }


def parse_sizes(argv: Sequence[str] | None = None) -> tuple[Sizes, argparse.Namespace]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--lessons", type=int, help="lessons in the course (500)")
    parser.add_argument("--pairs", type=int, help="A/B pairs, or runs, per row (5)")
    parser.add_argument("--pdf-lessons", type=int, help="lessons of the PDF row (40; 0 skips it)")
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke run (10 lessons, 2 pairs, 1 PDF lesson)")  # fmt: skip
    parser.add_argument("--json", type=Path, metavar="FILE", help="also save every figure as JSON")
    args = parser.parse_args(argv)
    defaults = Sizes(10, 2, 1) if args.quick else Sizes(500, 5, 40)
    sizes = Sizes(
        lessons=args.lessons if args.lessons is not None else defaults.lessons,
        pairs=args.pairs if args.pairs is not None else defaults.pairs,
        pdf_lessons=args.pdf_lessons if args.pdf_lessons is not None else defaults.pdf_lessons,
    )
    if sizes.lessons < 1 or sizes.pairs < 1 or sizes.pdf_lessons < 0:
        parser.error("--lessons and --pairs must be at least 1, --pdf-lessons at least 0")
    return sizes, args


def _stop(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    sizes, args = parse_sizes(argv)
    # A terminated benchmark stops as after Ctrl-C: its runs ended, its folders removed.
    signal.signal(signal.SIGTERM, _stop)
    if importlib.util.find_spec("mkdocs") is None:
        print("bench_course needs mkdocs: pip install mkdocs", file=sys.stderr)
        return 1
    compile_lessonc()
    about = context()
    started = time.perf_counter()
    rows: list[Row] = []
    notes: list[str] = []
    interrupted = False
    with contextlib.ExitStack() as stack:
        disk = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lessonc-bench-")))
        print(f"making a course of {sizes.lessons} lessons …", file=sys.stderr, flush=True)
        sources = disk / "sources"
        lessons = make_course(sources / "course", sizes.lessons)
        make_mkdocs(sources / "mkdocs", lessons)
        places = [("disk", disk)]
        notes.append(f"disk: the temporary folder ({filesystem_type(disk)})")
        source_bytes = sum(path.stat().st_size for path in sources.rglob("*") if path.is_file())
        if TMPFS.is_dir():
            # Room for the sources and the largest output (one lesson's outputs are a few
            # times its source), with a wide margin: a full tmpfs would fail a build.
            if shutil.disk_usage(TMPFS).free > 20 * source_bytes + 256 * 2**20:
                shm = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lessonc-bench-", dir=TMPFS)))  # fmt: skip
                shutil.copytree(sources, shm / "sources")
                places.append(("tmpfs", shm))
                notes.append(f"tmpfs: {TMPFS} ({filesystem_type(shm)})")
            else:
                notes.append(f"tmpfs skipped: too little room in {TMPFS}")
        else:
            notes.append(f"tmpfs skipped: no {TMPFS}")
        try:
            for where, work in places:
                work_lessons = work / "sources" / "course" / "lessons"
                work_config = work / "sources" / "mkdocs" / "mkdocs.yml"
                location_rows(rows, where, work, work_lessons, work_config, sizes)
            disk_only_rows(rows, disk, lessons, sizes)
        except KeyboardInterrupt:
            # Ctrl-C ends a long run early: the rows measured so far still get printed.
            interrupted = True
            notes.append("interrupted: the rows measured before")
    about["load_average_after"] = load_average()
    about["minutes"] = round((time.perf_counter() - started) / 60, 1)

    print(
        f"lessonc {about['lessonc']} at {about['commit']}; {about['mkdocs']}; "
        f"Python {about['python']}"
    )
    print(
        f"{about['date']}; CPUs: {about['cpus']} ({about['cpus_usable']} usable); "
        f"load average {about['load_average']} before, {about['load_average_after']} after; "
        f"took {about['minutes']} min"
    )
    print(f"{sizes.lessons} lessons, {sizes.pairs} pair{'s' if sizes.pairs != 1 else ''} a row, order {' '.join(pair_orders(sizes.pairs))}; " + "; ".join(notes))  # fmt: skip
    if sizes.lessons != 500:
        print(f"(the targets were set for 500 lessons: {sizes.lessons} only checks the script)")
    print()
    print(table(rows))
    print()
    print("A, B: median wall time of each side. A/B: median of the per-pair ratios, min–max;")
    print("A alone (rows without B): median time, min–max. peak: largest single process.")
    failed = [row for row in rows if row.error and row.error != INTERRUPTED]
    for row in failed:
        print(f"FAILED {row.where}: {row.case}: {row.error}")
    missed = [row for row in rows if row.verdict() == "MISSED"]
    if missed:
        print(f"MISSED: {len(missed)} of {sum(1 for row in rows if row.target)} targets")
    if args.json:
        record = {"context": about, "sizes": asdict(sizes), "rows": [r.as_json() for r in rows]}
        args.json.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 130 if interrupted else 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
