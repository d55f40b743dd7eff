"""What every page starts with: its title and one line saying what it is for."""

from __future__ import annotations

from dash import html


def page_header(title: str, words: str) -> html.Div:
    """The page's title over a muted line of what it shows."""
    return html.Div(
        [html.H4(title, className="mb-0"), html.Div(words, className="text-muted")],
        className="mb-3",
    )
