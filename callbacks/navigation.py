"""Router: the URL path picks the page layout, if the user's role may open it."""

from __future__ import annotations

from dash import Input, Output, State

from components import ids
from components.layout import page_for
from server.auth import current_identity


def register(app, ctx) -> None:
    @app.callback(
        Output(ids.PAGE, "children"),
        Input(ids.URL, "pathname"),
        State(ids.URL, "search"),
    )
    def render_page(pathname, search):
        path = pathname if isinstance(pathname, str) else "/"
        search = search if isinstance(search, str) else None
        return page_for(path, ctx, search, current_identity())
