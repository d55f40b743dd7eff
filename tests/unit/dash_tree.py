"""Reading a Dash component tree in tests: its words, and its components of one type."""

from __future__ import annotations


def text_of(component) -> str:
    """Every string inside a Dash component tree, joined."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text_of(c) for c in component)
    children = getattr(component, "children", None)
    return "" if children is None else text_of(children)


def components_of(component, kind: str) -> list:
    """Every component of a type (by class name) inside a Dash component tree, in order."""
    if isinstance(component, list | tuple):
        return [c for child in component for c in components_of(child, kind)]
    if not hasattr(component, "to_plotly_json"):
        return []
    found = [component] if type(component).__name__ == kind else []
    return found + components_of(getattr(component, "children", None), kind)
