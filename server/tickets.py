"""Tickets for background jobs: claims signed with the app's secret, one salt per purpose.

A normal callback checks who is asking and hands the browser a ticket; the job, which runs
in its own process without the request, accepts only a fresh ticket it can verify, so it
knows who started it (the Model page's retrain, the Batch page's scoring).
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer


def signer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    """Signs and reads one purpose's tickets (a ticket of another purpose is refused)."""
    return URLSafeTimedSerializer(secret, salt=f"flightdeck-{purpose}")


def claims(tickets: URLSafeTimedSerializer, ticket, max_age_s: int) -> dict | None:
    """The ticket's claims if it is ours, fresh and names who started it (`by`), else None."""
    try:
        found = tickets.loads(ticket, max_age=max_age_s)
    except (BadSignature, TypeError):
        return None
    if not isinstance(found, dict) or not isinstance(found.get("by"), str):
        return None
    return found
