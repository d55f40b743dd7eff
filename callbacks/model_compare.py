"""Model page, every signed-in user: compare two versions picked from the registry."""

from __future__ import annotations

from dash import Input, Output

from components import ids
from components.model_compare import compare_view


def register(app, app_ctx) -> None:
    registry = app_ctx.models.registry

    @app.callback(
        output=Output(ids.COMPARE_VIEW, "children"),
        inputs={
            "pick_a": Input(ids.COMPARE_A, "value"),
            "pick_b": Input(ids.COMPARE_B, "value"),
        },
    )
    def compare(pick_a, pick_b):
        """Both picks are checked against the registry's versions before any file is read."""
        return compare_view(registry, pick_a, pick_b)
