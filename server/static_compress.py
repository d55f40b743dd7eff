"""Static files compressed once per process and kept, not again on every request.

Flask-Compress (Dash's `compress=True`) compresses each response as it is sent: for the
page's scripts (the Plotly bundle alone is 1.4 MB) that is tens of milliseconds of a
worker's time on every first load, ahead of the page's own callbacks. The files under
`/assets/` and `/_dash-component-suites/` do not change while the process runs, so each is
compressed once per encoding (Brotli when the browser takes it, else gzip) and the bytes are
kept, keyed by path, encoding and the file's ETag. Flask-Compress then leaves these
responses alone (they already carry a Content-Encoding) and still handles everything else.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict

import brotli
from flask import Flask, Response, request

STATIC = ("/assets/", "/_dash-component-suites/")
COMPRESSIBLE = {
    "application/javascript",
    "text/javascript",
    "text/css",
    "application/json",
    "image/svg+xml",
    "text/plain",
}
MIN_BYTES = 1024
KEPT = 128  # entries (file x encoding); the app serves a few dozen static files
BROTLI_QUALITY = 9  # 0.2 s once for the Plotly bundle; 11 takes 3 s for 9% fewer bytes


def _encoding(accepted: str) -> str | None:
    """br or gzip, whichever the request accepts (br first); None for neither."""
    names = {part.split(";")[0].strip().lower() for part in accepted.split(",")}
    return next((name for name in ("br", "gzip") if name in names), None)


def _compress(data: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(data, quality=BROTLI_QUALITY)
    return gzip.compress(data, compresslevel=9, mtime=0)


class StaticCompression:
    """An after_request hook with its kept bytes (an LRU of KEPT entries)."""

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.compressions = 0  # how many times a body was compressed (tests read it)

    def _body(self, key: tuple, response: Response, encoding: str) -> bytes:
        with self._lock:
            body = self._kept.get(key)
            if body is not None:
                self._kept.move_to_end(key)
                return body
        body = _compress(response.get_data(), encoding)
        with self._lock:
            self.compressions += 1
            self._kept[key] = body
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
        return body

    def after_request(self, response: Response) -> Response:
        if (
            request.method != "GET"
            or response.status_code != 200
            or not request.path.startswith(STATIC)
            or response.mimetype not in COMPRESSIBLE
            or "Content-Encoding" in response.headers
            or (response.content_length or MIN_BYTES) < MIN_BYTES
        ):
            return response
        encoding = _encoding(request.headers.get("Accept-Encoding", ""))
        if encoding is None:
            return response
        etag, _ = response.get_etag()
        response.direct_passthrough = False  # a file response: read it, then replace it
        body = self._body((request.path, encoding, etag), response, encoding)
        response.set_data(body)
        response.headers["Content-Encoding"] = encoding
        response.vary.add("Accept-Encoding")
        if etag:
            response.set_etag(f"{etag}-{encoding}")
        return response


def register(server: Flask) -> StaticCompression:
    """Hook it in after Dash's own (Flask runs after_request hooks last-registered first,
    so this runs before Flask-Compress, which then skips the response)."""
    hook = StaticCompression()
    server.after_request(hook.after_request)
    server.extensions["flightdeck_static_compression"] = hook
    return hook
