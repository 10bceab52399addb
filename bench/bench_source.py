"""What reading a lesson's YAML costs: lessonc's loader against PyYAML's C loader.

For each source, in one process: the CPU milliseconds of ``lessonc.source.loads`` (data,
a position for every key and value, every strict rule) and of the named reference,
``yaml.load(text, Loader=yaml.CSafeLoader)`` (libyaml parsing and composing, PyYAML's
constructor; data only, no positions, YAML 1.1 types), with the ratio of the two. The
sources are the example lesson, the largest lesson fixtures and one large generated
document (the example ten times over, under ten keys).

Contenders run in turns, one load each per round, in an order that alternates between
rounds, and the medians are shown: a machine shared with other work disturbs CPU time
far less than wall time, and turns spread what it still disturbs over all contenders.
``--baseline FILE`` adds another version of ``source.py`` (from an older commit, say) as
a third contender, loaded beside the current one.

Run from the repository root: ``python bench/bench_source.py [--rounds N] [--baseline FILE]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from lessonc import source  # noqa: E402  (after the path is set, to time this checkout)

EXAMPLE = ROOT / "content" / "foundation-models.yaml"
FIXTURES = ROOT / "tests" / "fixtures"
LARGE_FIXTURES = [
    FIXTURES / "i18n" / "fa.yaml",
    FIXTURES / "richtext" / "lesson.yaml",
    FIXTURES / "xss-lesson" / "lesson.yaml",
]
COPIES = 10


def sources() -> dict[str, bytes]:
    """Each measured source by the name shown for it."""
    found = {path.relative_to(ROOT).as_posix(): path.read_bytes() for path in [EXAMPLE]}
    found.update({path.relative_to(ROOT).as_posix(): path.read_bytes() for path in LARGE_FIXTURES})
    example = EXAMPLE.read_text(encoding="utf-8")
    indented = "".join(f"  {line}" if line.strip() else line for line in example.splitlines(True))
    big = "".join(f"copy{n}:\n{indented}" for n in range(COPIES))
    found[f"the example x{COPIES} (generated)"] = big.encode()
    return found


def baseline_module(path: Path) -> ModuleType:
    """Another ``source.py``, imported under its own name beside the current one."""
    spec = importlib.util.spec_from_file_location("lessonc_source_baseline", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def cpu_ms(load: Callable[[], Any]) -> float:
    start = time.process_time()
    load()
    return (time.process_time() - start) * 1000


def measure(
    raw: bytes, contenders: dict[str, Callable[[bytes], Any]], rounds: int
) -> dict[str, float]:
    """Median CPU ms of one load by each contender, run in alternating turns."""
    names = list(contenders)
    times: dict[str, list[float]] = {name: [] for name in names}
    for name in names:
        contenders[name](raw)  # first calls warm caches (compiled patterns, imports)
    for round_number in range(rounds):
        order = names if round_number % 2 == 0 else names[::-1]
        for name in order:
            times[name].append(cpu_ms(lambda: contenders[name](raw)))  # noqa: B023
    return {name: statistics.median(found) for name, found in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--baseline", type=Path, help="another source.py to time in turns")
    args = parser.parse_args()
    shown = Path("lesson.yaml")
    contenders: dict[str, Callable[[bytes], Any]] = {
        "lessonc": lambda raw: source.loads(raw, shown),
        "CSafeLoader": lambda raw: yaml.load(raw.decode("utf-8"), Loader=yaml.CSafeLoader),
    }
    if args.baseline:
        old = baseline_module(args.baseline.resolve())
        contenders["baseline"] = lambda raw: old.loads(raw, shown)
    print(f"CPU ms a load, median of {args.rounds} rounds in turns; reference: CSafeLoader")
    header = f"{'source':<40} {'KB':>6} {'lessonc':>8} {'CSafe':>8} {'ratio':>6}"
    print(header + (f" {'baseline':>9} {'saved':>7}" if args.baseline else ""))
    for name, raw in sources().items():
        ms = measure(raw, contenders, args.rounds)
        row = (
            f"{name:<40} {len(raw) / 1024:6.1f} {ms['lessonc']:8.2f} {ms['CSafeLoader']:8.2f}"
            f" {ms['lessonc'] / ms['CSafeLoader']:6.2f}"
        )
        if args.baseline:
            row += f" {ms['baseline']:9.2f} {ms['baseline'] - ms['lessonc']:7.2f}"
        print(row)


if __name__ == "__main__":
    main()
