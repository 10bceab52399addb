"""What ``lessonc build`` shows while it works: a progress bar on a terminal, plain lines elsewhere.

On a terminal (stderr is a TTY) a rich progress bar advances per lesson and a
table closes the build. In CI or a pipe each lesson is one plain line as it
finishes and the summary is one line, so logs stay readable.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from lessonc.wording import count

if TYPE_CHECKING:
    from lessonc.pipeline import BuildReport, LessonResult


class BuildFeedback:
    """Per-lesson progress and the closing summary of one build."""

    def __init__(self, out_root: Path, *, quiet: bool = False) -> None:
        self.out_root = out_root
        self.quiet = quiet
        self.interactive = not quiet and sys.stderr.isatty()
        self.started = time.perf_counter()
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, result: LessonResult, total: int) -> None:
        """Report one finished lesson."""
        if self.quiet:
            return
        if self.interactive:
            self._advance(result, total)
        else:
            click.echo(self._line(result))

    def _line(self, result: LessonResult) -> str:
        where = self.out_root / (result.lesson_id or "")
        if result.status == "skipped":
            return f"{result.path}: up to date in {where}"
        if result.ok and result.lesson_id:
            return f"{result.path}: built {count(len(result.outputs), 'file')} in {where}"
        return f"{result.path}: failed"

    def _advance(self, result: LessonResult, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        if self._bar is None:
            self._bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("building", total=total)
        self._bar.update(self._task, advance=1, description=str(result.path.name))

    def close(self, report: BuildReport) -> None:
        """Stop the bar and print the summary (lessons built/skipped/failed, outputs, time)."""
        if self._bar is not None:
            self._bar.stop()
        if self.quiet:
            return
        counts = {s: sum(r.status == s for r in report.results) for s in ("built", "skipped")}
        failed = sum(not r.ok for r in report.results)
        outputs = sum(len(r.outputs) for r in report.results if r.status == "built")
        seconds = time.perf_counter() - self.started
        rows = [
            ("lessons built", str(counts["built"] - failed if counts["built"] else 0)),
            ("lessons skipped (up to date)", str(counts["skipped"])),
            ("lessons failed", str(failed)),
            ("files written", str(outputs + len(report.course_outputs))),
            ("lesson folders removed", str(len(report.removed))),
            ("time", f"{seconds:.2f} s"),
        ]
        if self.interactive:
            from rich.console import Console
            from rich.table import Table

            table = Table(title="lessonc build", show_header=False)
            for name, value in rows:
                table.add_row(name, value)
            Console(stderr=True).print(table)
        else:
            click.echo("; ".join(f"{name}: {value}" for name, value in rows), err=True)
