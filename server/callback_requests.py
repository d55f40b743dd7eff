"""The shape of a /_dash-update-component request, checked against what the callback declares.

Dash's dispatch trusts the body: a list where an object is expected, an unknown output or a
dict in changedPropIds raise deep inside it (HTTP 500). The door checks the shape first and
answers 400; the callbacks then check the values.
"""

from __future__ import annotations

import json
from typing import Any

from data.inputs import shorten

MAX_CHANGED = 100


def _declared(component_id: str) -> str | dict:
    """A declared id: a plain string, or a pattern id (JSON with wildcards) as a dict."""
    return json.loads(component_id) if component_id.startswith("{") else component_id


def declared_outputs(output: str) -> list[dict]:
    """Dash's output key ('..a.prop...b.prop..' or 'a.prop') as [{id, property}, ...]."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    specs = []
    for part in parts:
        component, _, prop = part.rpartition(".")
        specs.append({"id": component, "property": prop})
    return specs


def _entry_problem(entry: Any, declared: dict, where: str) -> str | None:
    """One input, state or output entry against its declaration."""
    expected = _declared(declared["id"])
    if isinstance(expected, dict):  # pattern-matching: a list of concrete matches
        if not isinstance(entry, list):
            return f"{where} must be a list of matches"
        for match in entry:
            if not isinstance(match, dict) or not isinstance(match.get("id"), dict):
                return f"{where} has a malformed match"
            if set(match["id"]) != set(expected):
                return f"{where} has a match with other id keys"
            if match.get("property") != declared["property"]:
                return f"{where} has a match with another property"
            fixed = {k: v for k, v in expected.items() if not isinstance(v, list)}
            if any(match["id"].get(k) != v for k, v in fixed.items()):
                return f"{where} has a match of another type"
        return None
    if not isinstance(entry, dict):
        return f"{where} must be an object"
    if entry.get("id") != expected or entry.get("property") != declared["property"]:
        return f"{where} is not {declared['id']}.{declared['property']}"
    return None


def _list_problem(entries: Any, declared: list[dict], name: str) -> str | None:
    if not isinstance(entries, list) or len(entries) != len(declared):
        return f"'{name}' must list the callback's {len(declared)} {name}"
    for n, (entry, spec) in enumerate(zip(entries, declared, strict=True)):
        problem = _entry_problem(entry, spec, f"{name}[{n}]")
        if problem:
            return problem
    return None


def _outputs_problem(outputs: Any, output: str) -> str | None:
    declared = declared_outputs(output)
    if output.startswith(".."):
        return _list_problem(outputs, declared, "outputs")
    return _entry_problem(outputs, declared[0], "outputs")


def callback_request_problem(body: Any, callback_map: dict) -> str | None:
    """Why this body cannot be dispatched (short, for a 400), or None when it can."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or output not in callback_map:
        return f"unknown callback output {shorten(output)}"
    callback = callback_map[output]
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or len(changed) > MAX_CHANGED:
        return "'changedPropIds' must be a short list of names"
    if not all(isinstance(name, str) for name in changed):
        return "'changedPropIds' must hold names"
    return (
        _list_problem(body.get("inputs"), callback["inputs"], "inputs")
        or _list_problem(body.get("state", []), callback["state"], "state")
        or _outputs_problem(body.get("outputs"), output)
    )
