"""Templates whose render leaves no reference cycle behind.

``{% from "partials/question.html.j2" import question with context %}`` makes a
module of the partial for each render: a context of its own whose variables hold
its macros, while each macro's code holds that context. The cycle keeps alive
what the context sees, the whole page's data (the lesson, its views, its rendered
text), until the cyclic garbage collector finds it. A worker building lessons
makes two such cycles a page, and the collections that freed them cost a quarter
of a millisecond a lesson (4% of a page's build).

After a render, nothing can call those macros any more, so their contexts let go of
every variable and reference counting frees the page at once. A module a
template keeps for later renders (an import without context) is never touched.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from jinja2.environment import Template, TemplateModule
from jinja2.runtime import Context

_MADE_IN_RENDER: ContextVar[list[Context] | None] = ContextVar(
    "lessonc_contexts_made_in_render", default=None
)
"""The contexts the render under way has made (None: none is being collected)."""


class CycleFreeTemplate(Template):
    """A template that empties, once its render has ended, the contexts the render made."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        made: list[Context] = []
        token = _MADE_IN_RENDER.set(made)
        try:
            return super().render(*args, **kwargs)
        finally:
            _MADE_IN_RENDER.reset(token)
            for context in made:
                context.vars.clear()  # its own: made for it alone
                # Maybe shared with other contexts, so not emptied, only let go of: a macro
                # that includes a template is in a cycle of its own that holds its context.
                context.parent = {}

    def new_context(
        self,
        vars: dict[str, Any] | None = None,
        shared: bool = False,
        locals: Mapping[str, Any] | None = None,
    ) -> Context:
        context = super().new_context(vars, shared, locals)
        made = _MADE_IN_RENDER.get()
        if made is not None:
            made.append(context)
        return context

    def _get_default_module(self, ctx: Context | None = None) -> TemplateModule:
        # The module an import without context gets may be kept on the template and
        # used by later renders: its context must keep what its macros find through it.
        token = _MADE_IN_RENDER.set(None)
        try:
            return super()._get_default_module(ctx)
        finally:
            _MADE_IN_RENDER.reset(token)
