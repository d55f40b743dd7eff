"""Thin wiring from inputs to data/model calls to component builders. Registered per app."""

from __future__ import annotations

from callbacks import model_card, navigation, overview, predict


def register_all(app, ctx) -> None:
    for module in (navigation, overview, predict, model_card):
        module.register(app, ctx)
