"""Component libraries loaded by the pages that use them, not on every first load.

Dash puts the script of every imported component library on every page. AG Grid's main
bundle (300 KiB compressed, and its evaluation before anything renders) serves only the
Monitor's log, so `defer_libraries()` marks it lazy: Dash still serves it but no longer
lists it in the page. The shell carries each page's deferred scripts (PAGE_LIBRARIES), and
the router's clientside step (assets/flightdeck.js) loads them before it asks for a page
whose Page.libraries names them.

The partial Plotly bundle (assets/plotly-flightdeck.min.js, 440 KiB compressed, ~200 ms to
evaluate on 2 cores) is not a page script either: nothing renders until the page's scripts
have run, and the KPI cards need no Plotly. A page with charts preloads it (`preload_plotly`), and
dcc.Graph loads it when the first chart mounts, through its own lazy loader, whose address
flightdeck.js points at this bundle instead of the full plotly.min.js.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import flask

DEFERRED = {"dash_ag_grid": "dash_ag_grid.min.js"}  # namespace -> its main bundle
PLOTLY_BUNDLE = "plotly-flightdeck.min.js"  # in assets/, listed in no page
PLOTLY_PRELOAD_ID = "plotly-bundle"  # the <link> flightdeck.js reads the address from


def defer_libraries() -> None:
    """Leave the deferred bundles out of every page (idempotent; the entry is the
    library's own, shared by every app in the process)."""
    for namespace, bundle in DEFERRED.items():
        for entry in importlib.import_module(namespace)._js_dist:
            if entry.get("relative_package_path") == bundle:
                entry["async"] = "lazy"


def script_path(namespace: str) -> str:
    """Where the app serves a deferred bundle, under its path prefix (the clientside step
    adds the prefix from Dash's config)."""
    version = importlib.import_module(namespace).__version__
    return f"_dash-component-suites/{namespace}/{DEFERRED[namespace]}?v={version}"


def page_scripts(pages: dict) -> dict[str, list[str]]:
    """Path -> the deferred scripts its page needs, for the pages that need any."""
    return {
        path: [script_path(namespace) for namespace in page.libraries]
        for path, page in pages.items()
        if page.libraries
    }


def preload_plotly(app, chart_paths: set[str]) -> None:
    """Pages with charts fetch the Plotly bundle with their scripts, without running it.

    Only those pages: Chromium warns about a preload left unused. The address carries the
    file's modification time, as Dash's own asset links do, so a new bundle is never taken
    from a stale cache.
    """
    path = Path(app.config.assets_folder) / PLOTLY_BUNDLE
    url = f"{app.get_asset_url(PLOTLY_BUNDLE)}?m={int(path.stat().st_mtime)}"
    link = f'<link rel="preload" as="script" id="{PLOTLY_PRELOAD_ID}" href="{url}">'
    interpolate = app.interpolate_index  # Dash's hook for the page's HTML

    def interpolate_index(**parts) -> str:
        page = "/" + (app.strip_relative_path(flask.request.path) or "")
        if page in chart_paths:
            parts["css"] = f"{parts['css']}\n{link}"
        return interpolate(**parts)

    app.interpolate_index = interpolate_index
