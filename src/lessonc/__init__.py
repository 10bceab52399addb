"""lessonc: one structured lesson source compiled into pages, a handout, a deck and a quiz."""

__version__ = "0.1.0"
