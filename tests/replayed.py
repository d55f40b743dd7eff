"""A flights home whose log holds the held-out months replayed as a team would
(`python -m model.replay`'s own run, outcomes attached), for the Monitor page's tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from config import Settings
from model.replay import run
from model.train import registry_for
from monitor.replay import ReplayOptions


def replayed_home(
    two_versions, spec, folder: Path, limit: int | None = None
) -> Settings:
    """A copy of the two-version home (new champion, old challenger in the shadow) with
    the months after the validation window replayed through it."""
    settings, old, new = two_versions
    for part in ("data", "artifacts"):
        shutil.copytree(settings.home / part, folder / part)
    settings = settings.with_overrides(home=folder, alias_poll_s=0.0)
    registry = registry_for(settings, spec)
    registry.set_alias("champion", new, "ada")
    registry.set_alias("challenger", old, "ada")
    summary = run(ReplayOptions(limit=limit, progress=False), settings)
    assert summary.logged > 0, summary.line()
    return settings
