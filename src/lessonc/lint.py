"""``lessonc lint``: warnings beyond errors, each rule with a code that can be switched off.

A rule is switched off for one lesson by a comment line in the leading comment
block of its source::

    # lessonc: disable=L101,L104

and for a whole run (a course's CI job, say) with ``lessonc lint --disable L101``.
Under ``--strict`` every warning becomes an error, for CI.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from lessonc.course.model import lesson_files
from lessonc.diagnostics import Diagnostic, Severity
from lessonc.lint_rules import RULES, Rule
from lessonc.pipeline import InvalidLesson, LoadedLesson, load_lesson
from lessonc.source import Located

RULE_CODES = frozenset(rule.code for rule in RULES)
_DISABLE_LINE = re.compile(r"^#\s*lessonc:\s*disable\s*=\s*(?P<codes>[^#]*?)\s*$")


@dataclass
class LintReport:
    """What linting some paths found: every diagnostic and how many lessons were checked."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0

    @property
    def warnings(self) -> int:
        return sum(d.severity is Severity.WARNING for d in self.diagnostics)

    @property
    def errors(self) -> int:
        return sum(d.is_error for d in self.diagnostics)


def rule_by_code(code: str) -> Rule | None:
    """The rule with this code (case-insensitive), if any."""
    return next((r for r in RULES if r.code == code.upper()), None)


def _warning(diagnostic: Diagnostic) -> Diagnostic:
    return replace(diagnostic, severity=Severity.WARNING)


def disabled_in_source(source: Located) -> tuple[set[str], list[Diagnostic]]:
    """Rule codes switched off by ``# lessonc: disable=…`` lines at the top of the source.

    Only the leading comment block counts, so a line deep in the file cannot
    silently switch a rule off for all of it. Unknown codes are warned about.
    """
    codes: set[str] = set()
    problems: list[Diagnostic] = []
    for number, line in enumerate(source.text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        match = _DISABLE_LINE.match(stripped)
        if match is None:
            continue
        for code in filter(None, (c.strip().upper() for c in match["codes"].split(","))):
            if code in RULE_CODES:
                codes.add(code)
            else:
                problems.append(
                    Diagnostic(
                        source.display, number, line.index("#") + 1, "unknown-lint-rule",
                        f"no lint rule has the code '{code}'",
                        f"known rules: {', '.join(sorted(RULE_CODES))}",
                        Severity.WARNING,
                    )
                )  # fmt: skip
    return codes, problems


def lint_lesson(loaded: LoadedLesson, disabled: Collection[str] = ()) -> list[Diagnostic]:
    """Every warning for one valid lesson, except from rules switched off here or in its source."""
    in_source, problems = disabled_in_source(loaded.source)
    off = {c.upper() for c in disabled} | in_source | set(loaded.lesson.lint.disable)
    for rule in RULES:
        if rule.code not in off:
            problems.extend(_warning(d) for d in rule.check(loaded.lesson, loaded.source))
    return problems


def lint_paths(
    paths: Sequence[Path], disabled: Collection[str] = (), *, strict: bool = False
) -> LintReport:
    """Validate and lint every lesson named by ``paths``; ``strict`` turns warnings into errors."""
    files, problems = lesson_files(paths)
    report = LintReport(files=len(files))
    report.diagnostics.extend(problems)
    for path, course_disabled in files:
        try:
            loaded = load_lesson(path)
        except InvalidLesson as error:
            report.diagnostics.extend(error.diagnostics)
            continue
        report.diagnostics.extend(lint_lesson(loaded, {*disabled, *course_disabled}))
    if strict:
        report.diagnostics = [_as_error(d) for d in report.diagnostics]
    return report


def _as_error(diagnostic: Diagnostic) -> Diagnostic:
    return replace(diagnostic, severity=Severity.ERROR)


def unknown_codes(codes: Iterable[str]) -> list[str]:
    """The codes in ``codes`` that name no rule."""
    return [c for c in codes if c.upper() not in RULE_CODES]


def rules_table() -> str:
    """One line per rule: code, name and what it finds."""
    return "\n".join(f"{r.code}  {r.name:<30} {r.summary}" for r in RULES)
