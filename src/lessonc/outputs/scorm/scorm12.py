"""The ``scorm12`` format: the lesson as a SCORM 1.2 package (``<id>-scorm12.zip``)."""

from lessonc.outputs.scorm import SCORM12, ScormRenderer

RENDERER = ScormRenderer(SCORM12)
