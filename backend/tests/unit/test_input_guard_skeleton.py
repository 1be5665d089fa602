"""The guard's skeleton (strings emptied by splitting on quotes) is the one a JSON string
matcher gives, for any JSON a sender can write: escapes, quotes and brackets inside strings
included, and ensure_ascii either way."""

import json
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.infra.input_guard import _skeleton, json_problem

JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')  # the reference: one JSON string
TRICKY = st.text(alphabet=st.sampled_from('ab"\\[]{}/\n\t\u00e9\u2028'), max_size=12)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | TRICKY,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TRICKY, inner, max_size=4),
    max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(VALUES, st.booleans())
def test_skeleton_matches_emptying_each_string(value: Any, ascii_only: bool) -> None:
    body = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert _skeleton(body) == JSON_STRING.sub(b'""', body)


def test_brackets_and_escaped_quotes_in_strings_do_not_count_as_depth() -> None:
    inside = json.dumps({"a": '\\"' + "[" * 40 + '\\\\"', "b": "]" * 40}).encode()
    assert json_problem(inside) is None
    deep = b'{"a": "]]]]\\\\", "b": ' + b"[" * 40 + b"]" * 40 + b"}"
    problem = json_problem(deep)
    assert problem is not None and problem.errors[0]["type"] == "json_too_deep"
