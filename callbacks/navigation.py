"""Router: the URL path picks the page layout."""

from __future__ import annotations

from dash import Input, Output, State

from components import ids
from components.layout import page_for


def register(app, ctx) -> None:
    @app.callback(
        Output(ids.PAGE, "children"),
        Input(ids.URL, "pathname"),
        State(ids.URL, "search"),
    )
    def render_page(pathname, search):
        path = pathname if isinstance(pathname, str) else "/"
        return page_for(path, ctx, search if isinstance(search, str) else None)
