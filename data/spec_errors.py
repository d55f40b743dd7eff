"""Spec errors in the user's words: the file, the field, the bad value, the nearest valid name."""

from __future__ import annotations

import difflib
import types
import typing

from pydantic import BaseModel, ValidationError


class SpecError(ValueError):
    """The spec is wrong; `problems` has one line per mistake, each naming its field."""

    def __init__(self, file: str, problems: list[str]):
        self.file, self.problems = file, problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"spec {file}: {len(problems)} problem(s)\n{lines}")


def nearest(name: str, valid) -> str:
    """' ; did you mean `x`?' for the closest valid name, or '' when none is close."""
    valid = [str(v) for v in valid]
    folded = {v.lower(): v for v in valid}
    match = folded.get(str(name).lower()) or next(
        iter(difflib.get_close_matches(str(name), valid, n=1, cutoff=0.6)), None
    )
    return f"; did you mean `{match}`?" if match else ""


def _model_in(annotation) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as `Time | None` or `tuple[Band, ...]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found:
                return found
    return None


def _names(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _walk(root: type[BaseModel], loc: tuple) -> tuple[type[BaseModel] | None, str]:
    """The model that holds the last key of `loc`, and the path to it in TOML words."""
    model, parts = root, []
    for key in loc[:-1]:
        if isinstance(key, int):
            parts.append(f"#{key + 1}")
            continue
        fields = (
            {f.alias or n: f for n, f in model.model_fields.items()} if model else {}
        )
        model = _model_in(fields[key].annotation) if key in fields else None
        parts.append(key)
    if not parts:
        return model, ""
    plural = len(parts) > 1 and parts[1].startswith("#")
    head = f"[[{parts[0]}]]" if plural else f"[{parts[0]}]"
    return model, " ".join([head, *parts[1:]])


def _describe(error: dict, root: type[BaseModel]) -> str:
    loc = tuple(error["loc"])
    holder, where = _walk(root, loc) if loc else (root, "")
    key = loc[-1] if loc else ""
    value = error.get("input")
    if error["type"] == "extra_forbidden":
        valid = _names(holder) if holder else []
        kind = "section" if not where and isinstance(value, dict) else "key"
        shown = f"[{key}]" if kind == "section" else f"`{key}`"
        place = f" in {where}" if where else ""
        hint = nearest(key, valid)
        if kind == "section":
            hint = hint.replace("`", "[", 1).replace("`", "]", 1)
        allowed = f" (allowed: {', '.join(valid)})" if valid and not hint else ""
        return f"unknown {kind} {shown}{place}{hint}{allowed}"
    field = f"{where} {key}".strip() if isinstance(key, str) else f"{where} #{key + 1}"
    if error["type"] == "missing":
        return f"{field}: is required"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "value_error":  # our own checks name their place
        return message
    if error["type"] == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", ""))
        choices = [c.strip(" '") for c in expected.replace(" or ", ",").split(",")]
        message += nearest(str(value), [c for c in choices if c])
    if error["type"] in ("list_type", "tuple_type") and isinstance(value, str):
        message = f'must be a list such as ["{value}"], not the text'
    shown = "" if isinstance(value, dict) or value is None else f" (got {value!r})"
    return f"{field or 'spec'}: {message}{shown}"


TYPE_TAGS = {"str", "int", "float", "bool", "list", "dict"}


def _merged(errors: list[dict]) -> list[dict]:
    """One error per field: a value that fits no member of `int | str | ...` is one line."""
    out, seen = [], set()
    for error in errors:
        loc = tuple(error["loc"])
        if loc and loc[-1] in TYPE_TAGS:
            loc = loc[:-1]
            if loc in seen:
                continue
            error = {
                **error,
                "loc": loc,
                "type": "union",
                "msg": "not a value it takes",
            }
        seen.add(loc)
        out.append(error)
    return out


def problems_from(exc: ValidationError, root: type[BaseModel]) -> list[str]:
    """One line per mistake, in the spec's own words."""
    lines = []
    for error in _merged(exc.errors(include_url=False)):
        lines += _describe(error, root).split("\n")
    return lines
