#!/usr/bin/env bash
# One command from a fresh clone to the whole test suite: system packages (Chromium,
# poppler, Java), lessonc with its test extra in .venv, axe-core and scorm-again from npm,
# then the linters and pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh --test
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
# The tests' npm packages, by major version: axe-core (accessibility), scorm-again (a SCORM runtime).
if [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -f node_modules/scorm-again/dist/scorm2004.js ]; then
  npm install --no-save --no-package-lock --no-audit --no-fund --silent axe-core@4 scorm-again@3
fi
export PATH="$PWD/.venv/bin:$PATH"
ruff check .
ruff format --check .
mypy src
# One pytest worker per CPU (pytest-xdist): the suite waits on browsers, Anki and
# subprocesses as much as it computes. `-n 0` among the arguments runs it in one process.
pytest -n auto "$@"
