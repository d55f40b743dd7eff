"""Structured access logs for gunicorn: one JSON object per request, with the request id.

The request id is the one in the X-Request-ID response header and in the prediction log row,
so one prediction can be followed from the access log to the database.
"""

from __future__ import annotations

import json

from gunicorn.glogging import Logger

FIELDS = {
    "remote": "h",
    "method": "m",
    "path": "U",
    "query": "q",
    "status": "s",
    "bytes": "B",
    "ms": "M",
    "agent": "a",
    "request_id": "{x-request-id}o",
    "user": "{flightdeck.user}e",
}


class JsonAccessLogger(Logger):
    """gunicorn's logger with access lines as JSON (values escaped, unlike a format string)."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        record = {"time": self.now().strip("[]")}
        for name, atom in FIELDS.items():
            record[name] = atoms.get(atom, "-")
        try:
            record["status"] = int(record["status"])
        except (TypeError, ValueError):
            pass
        self.access_log.info(json.dumps(record, default=str))
