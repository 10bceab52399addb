"""The ``scorm2004`` format: the lesson as a SCORM 2004 package (``<id>-scorm2004.zip``)."""

from lessonc.outputs.scorm import SCORM2004, ScormRenderer

RENDERER = ScormRenderer(SCORM2004)
