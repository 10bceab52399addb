"""The course deck: every lesson's notes in one ``course.apkg``.

Each lesson keeps the subdeck, note types and GUIDs of its own ``deck.apkg``
(``Course::N. Chapter::N.M Lesson``), so a learner who imports the course deck
and some lesson decks, in any order, gets each note once.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lessonc.collector import collector_paused
from lessonc.course.outputs.summary import DeckPart, LessonSummary

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

__all__ = ["CourseDeckJob", "course_deck"]


def course_deck(parts: Sequence[DeckPart], timestamp: int) -> bytes:
    """The reproducible .apkg of all ``parts``, in course order."""
    from lessonc.outputs.anki.package import write_apkg

    media: dict[str, bytes] = {}
    for part in parts:
        media.update(part.media)
    return write_apkg([part.subdeck for part in parts], media, timestamp)


def _lessons_deck(lessons: Sequence[LessonSummary], timestamp: int) -> bytes:
    # Tens of thousands of notes unpacked, held until the deck is written: with the collector
    # on, its passes over them and the summaries took half as long again as unpacking.
    with collector_paused():
        return course_deck([s.deck.unpack() for s in lessons if s.deck is not None], timestamp)


class CourseDeckJob:
    """``course.apkg``, made in a forked process while this one makes the other course files.

    The deck is the largest course file (over half of the course files' time: its lessons'
    notes unpacked, its database, its zip) and needs nothing the others make. A fork starts
    with the lessons' summaries already in memory, so nothing is sent to it, and only the
    deck's bytes come back. Without a CPU to spare (``in_background`` false), where forking
    is not safe (another thread running), or if that process fails, the deck is made here:
    its bytes do not depend on where.
    """

    def __init__(
        self, lessons: Sequence[LessonSummary], timestamp: int, in_background: bool
    ) -> None:
        self._lessons = lessons
        self._timestamp = timestamp
        self._process: BaseProcess | None = None
        self._receiver: Connection | None = None
        if in_background and threading.active_count() == 1:
            self._start()

    def _start(self) -> None:
        import multiprocessing

        if "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=_make_and_send, args=(sender, self._lessons, self._timestamp), daemon=True
        )
        try:
            process.start()
        except OSError:  # no process to spare: the deck is made here instead
            receiver.close()
            return
        finally:
            sender.close()
        self._process, self._receiver = process, receiver

    @property
    def in_background(self) -> bool:
        """Whether another process is making the deck (else :meth:`result` makes it here)."""
        return self._receiver is not None

    def result(self) -> bytes:
        """The deck's bytes (waiting for the process making them, if there is one)."""
        data: bytes | None = None
        if self._receiver is not None:
            with contextlib.suppress(EOFError, OSError):
                data = self._receiver.recv_bytes()
            self.close()
        # No bytes from that process (it failed): made here, where an error is reported.
        return data if data is not None else _lessons_deck(self._lessons, self._timestamp)

    def close(self) -> None:
        """Stop the process if it still runs (another course file failed) and wait for it."""
        if self._receiver is not None:
            self._receiver.close()
            self._receiver = None
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
            self._process = None

    def __enter__(self) -> CourseDeckJob:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _make_and_send(sender: Connection, lessons: Sequence[LessonSummary], timestamp: int) -> None:
    # Ctrl-C reaches the whole process group: the parent alone decides (it stops this one).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        data = _lessons_deck(lessons, timestamp)
    except Exception:  # the parent makes the deck again, and reports the error
        sender.close()
        return
    sender.send_bytes(data)
    sender.close()
