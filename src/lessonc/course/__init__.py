"""The course layer: builds of many lessons and courses, on top of the lesson layer.

- :mod:`~lessonc.course.model`: a course file or folder, its lessons and their order;
  which lesson files a build names (:func:`~lessonc.course.model.discover`);
- :mod:`~lessonc.course.build_run`: the build plan (what is current), the worker
  processes, and :func:`~lessonc.course.build_run.build`, what ``lessonc build`` runs;
- :mod:`~lessonc.course.finish`: lessons that left the course, the course files and
  their manifest;
- :mod:`~lessonc.course.outputs`: the course home page, deck, quiz, handbook and SCORM
  packages.

The lesson layer (:mod:`lessonc.pipeline`, :mod:`lessonc.outputs` and everything they
import) never imports this package: a lesson builds without knowing courses exist.
This module stays empty, so naming a course file (``lessonc.course.model``) costs no
models or renderers.
"""
