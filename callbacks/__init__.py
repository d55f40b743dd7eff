"""Thin wiring from inputs to data/model calls to component builders. Registered per app.

Each area's callbacks need a role, which the door checks on every callback request before
Dash runs it: viewers read the Overview and the Model card, analysts also predict and
monitor, admins move aliases.
"""

from __future__ import annotations

from callbacks import (
    account,
    batch,
    model_admin,
    model_card,
    model_compare,
    model_retrain,
    monitor,
    navigation,
    overview,
    predict,
    reports,
    scenarios,
)

AREAS = (
    (navigation, "viewer"),
    (overview, "viewer"),
    (reports, "viewer"),
    (predict, "analyst"),
    (scenarios, "analyst"),
    (model_card, "viewer"),
    (model_compare, "viewer"),
    (model_admin, "admin"),
    (model_retrain, "admin"),
    (monitor, "analyst"),
    (batch, "analyst"),
    (account, "viewer"),
)


def register_all(app, ctx) -> dict[str, str]:
    """Register every area's callbacks; return the role each callback (by output) needs."""
    roles: dict[str, str] = {}
    for module, role in AREAS:
        before = set(app.callback_map)
        module.register(app, ctx)
        roles.update(dict.fromkeys(set(app.callback_map) - before, role))
    return roles
