"""Router: the URL path picks the page layout, if the user's role may open it."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State

from components import ids
from components.layout import page_for
from server.auth import current_identity


def register(app, ctx) -> None:
    # The path goes through a clientside step that first loads the component libraries
    # its page needs and the first load leaves out (components/libraries.py).
    app.clientside_callback(
        ClientsideFunction("flightdeck", "pageReady"),
        Output(ids.PAGE_PATH, "data"),
        Input(ids.URL, "pathname"),
        State(ids.PAGE_LIBRARIES, "data"),
    )

    # A phone's menu: the toggler opens and closes it, and following a link closes it.
    app.clientside_callback(
        ClientsideFunction("flightdeck", "navMenu"),
        Output(ids.NAV_COLLAPSE, "is_open"),
        Input(ids.NAV_TOGGLER, "n_clicks"),
        Input(ids.URL, "pathname"),
        State(ids.NAV_COLLAPSE, "is_open"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.PAGE, "children"),
        Input(ids.PAGE_PATH, "data"),
        State(ids.URL, "search"),
    )
    def render_page(pathname, search):
        path = pathname if isinstance(pathname, str) else "/"
        search = search if isinstance(search, str) else None
        return page_for(path, ctx, search, current_identity())
