"""``python -m lessonc`` runs the command line."""

from lessonc.cli import run

run()
