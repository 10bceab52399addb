"""The YAML 1.2 core schema's plain scalars: the fast path agrees with the schema's patterns."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lessonc.yaml_core import resolve_by_patterns, resolve_plain


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(max_size=12),
        st.from_regex(r"[-+~.0-9a-zA-Z]{0,8}", fullmatch=True),
        st.sampled_from(
            ["null", "Null", "NULL", "~", "true", "TRUE", "False", "no", "on", "1:30", "0o17",
             "0x1F", "-.inf", ".NaN", "+12", "1e3", "1.", ".5", "nope", "truely", "f", "t",
             "\n", "1\n", "null\n"]
        ),
    )
)  # fmt: skip
def test_plain_scalars_are_resolved_as_the_core_schema_patterns_say(value: str) -> None:
    # resolve_plain decides most words by their first character; the patterns are the rule.
    fast, rule = resolve_plain(value), resolve_by_patterns(value)
    assert type(fast) is type(rule)
    assert fast == rule or (fast != fast and rule != rule)  # NaN equals nothing, not even NaN
