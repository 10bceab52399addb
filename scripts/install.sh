#!/usr/bin/env bash
# One command from a fresh clone to a built example lesson: system libraries, a virtual
# environment in .venv with lessonc installed, then `lessonc build` of the example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q .
.venv/bin/lessonc build content/foundation-models.yaml -o build
echo "open build/foundation-models/index.html; run lessonc as .venv/bin/lessonc"
