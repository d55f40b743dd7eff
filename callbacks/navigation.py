"""Router: the URL path picks the page layout."""

from __future__ import annotations

from dash import Input, Output

from components import ids
from components.layout import page_for


def register(app, ctx) -> None:
    @app.callback(Output(ids.PAGE, "children"), Input(ids.URL, "pathname"))
    def render_page(pathname):
        return page_for(pathname if isinstance(pathname, str) else "/", ctx)
