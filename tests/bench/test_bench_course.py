"""The course benchmark's helpers: pair order, per-pair ratios, verdicts, and a course that validates.

Nothing here is timed: the figures themselves are the benchmark's business, these
tests only keep its arithmetic and its input honest.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from conftest import ROOT, run_cli


def _load_bench() -> ModuleType:
    # bench/ is not a package: load the script as a module by its path.
    spec = importlib.util.spec_from_file_location(
        "bench_course", ROOT / "bench" / "bench_course.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


bench = _load_bench()


def test_pairs_alternate_so_drift_weighs_on_both_sides() -> None:
    assert bench.pair_orders(5) == ["AB", "BA", "AB", "BA", "AB"]
    orders = "".join(bench.pair_orders(4))
    # Over an even number of pairs each side runs first as often as second.
    assert [orders[0::2].count("A"), orders[1::2].count("A")] == [2, 2]


def test_the_figure_is_the_median_of_per_pair_ratios_not_a_ratio_of_medians() -> None:
    row = bench.Row("case", "disk", bench.Target(1.0, "x"))
    for a, b in [(2.0, 1.0), (40.0, 10.0), (3.0, 1.0)]:
        row.a.append(bench.Run(a, a, 10.0))
        row.b.append(bench.Run(b, b, 20.0))
    # The medians alone would say 3.0 / 1.0 = 3.0; the pairs say 2, 4 and 3.
    assert row.figure() == bench.Spread(3.0, 2.0, 4.0)
    assert row.verdict() == "MISSED"
    assert bench.table([row]).splitlines()[1].split()[-2:] == ["MISSED", "10/20"]


def test_a_row_without_b_is_judged_on_its_times() -> None:
    row = bench.Row("no-op", "disk", bench.Target(0.3, "s"))
    row.a.extend(bench.Run(seconds, seconds, 1.0) for seconds in (0.31, 0.2, 0.25))
    assert row.figure() == bench.Spread(0.25, 0.2, 0.31)
    assert row.verdict() == "met"
    assert str(row.target) == "<= 0.3 s"


def test_targets_are_met_at_their_limit() -> None:
    target = bench.Target(1 / 1.6, "x", "on a quiet machine")
    assert target.met(0.625)
    assert not target.met(0.63)
    assert str(target) == "<= 0.625x (on a quiet machine)"
    assert str(bench.Target(1.0, "x")) == "<= 1.0x"


def test_pairs_of_unequal_length_are_refused() -> None:
    with pytest.raises(ValueError, match="2 A runs but 1 B runs"):
        bench.pair_ratios([1.0, 2.0], [1.0])


def test_a_failed_row_says_so() -> None:
    row = bench.Row("case", "tmpfs", bench.Target(1.0, "x"), error="exited 1")
    assert row.verdict() == "FAILED"
    assert "FAILED" in bench.table([row])


def test_the_made_course_validates_and_every_lesson_is_its_own(tmp_path: Path) -> None:
    lessons = bench.make_course(tmp_path / "course", 3)
    result = run_cli(["validate", str(lessons)])
    assert result.exit_code == 0, result.stderr
    loaded = [
        yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(lessons.iterdir())
    ]
    assert len({lesson["id"] for lesson in loaded}) == 3
    # Each lesson's prose is its own, so no per-process cache makes copies cheap.
    assert len({lesson["chapters"][0]["text"] for lesson in loaded}) == 3
    config = bench.make_mkdocs(tmp_path / "mkdocs", lessons)
    assert len(list((config.parent / "docs").glob("*.md"))) == 4  # index and three lessons
