"""The ``quiz`` format: a lesson's practice questions as ``quiz.json``.

The file's shape is defined by the models in :mod:`lessonc.quiz` and published
as ``schema/quiz.schema.json``; this renderer only builds the model and
serialises it. With ``options.shuffle_seed`` the questions and choices come
out in a deterministic shuffled order and the seed is recorded in the file.
"""

from __future__ import annotations

from collections.abc import Iterator

from lessonc import quiz
from lessonc.model import Lesson
from lessonc.outputs import Artifact, BuildContext

QUIZ_FILE = "quiz.json"


class QuizRenderer:
    """Writes ``quiz.json`` and the images its questions show."""

    name = "quiz"

    def render(self, lesson: Lesson, ctx: BuildContext) -> Iterator[Artifact]:
        """One artifact: the lesson's quiz, shuffled when the build options give a seed."""
        from lessonc.outputs.quiz_media import bundled  # on use: most quizzes have no image

        built = quiz.from_lesson(lesson, shuffle_seed=ctx.options.shuffle_seed)
        # Images copied beside quiz.json under media/ (as the page names them), so every
        # <img src> resolves inside the build folder.
        built, media = bundled(built, lesson, ctx)
        yield Artifact(QUIZ_FILE, quiz.dumps(built))
        yield from media


RENDERER = QuizRenderer()
