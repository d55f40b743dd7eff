"""Component libraries loaded by the pages that use them, not on every first load.

Dash puts the script of every imported component library on every page. AG Grid's main
bundle (300 KiB compressed, and its evaluation before anything renders) serves only the
Monitor's log, so `defer_libraries()` marks it lazy: Dash still serves it but no longer
lists it in the page. The shell carries each page's deferred scripts (PAGE_LIBRARIES), and
the router's clientside step (assets/flightdeck.js) loads them before it asks for a page
whose Page.libraries names them.
"""

from __future__ import annotations

import importlib

DEFERRED = {"dash_ag_grid": "dash_ag_grid.min.js"}  # namespace -> its main bundle


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
