"""The Overview's report buttons follow its shared link (the filters as they stand)."""

from __future__ import annotations

from dash import Input, Output

from components import ids
from components.report_links import OVERVIEW_REPORT

# In the browser: the link is already the page's own, so no request is needed.
FOLLOW_LINK = f"""
function (search) {{
    const query = typeof search === "string" ? search : "";
    return ["{OVERVIEW_REPORT}.html" + query, "{OVERVIEW_REPORT}.pdf" + query];
}}
"""


def register(app, app_ctx) -> None:
    app.clientside_callback(
        FOLLOW_LINK,
        Output(ids.OVERVIEW_REPORT_HTML, "href"),
        Output(ids.OVERVIEW_REPORT_PDF, "href"),
        Input(ids.SHARE_URL, "search"),
    )
