"""Static files are compressed once per process and kept (server/static_compress.py)."""

from __future__ import annotations

import gzip
import re

import brotli

from config import ROOT

BUNDLE = "/assets/plotly-flightdeck.min.js"


def _script_paths(client) -> list[str]:
    """The component-suite scripts the page asks for (fingerprinted names)."""
    page = client.get("/").get_data(as_text=True)
    return re.findall(r'src="(/_dash-component-suites/[^"]+\.js)"', page)


def test_a_static_file_is_compressed_once_then_served_from_what_was_kept(client):
    hook = client.application.extensions["flightdeck_static_compression"]
    raw = (ROOT / "assets" / "plotly-flightdeck.min.js").read_bytes()
    before = hook.compressions
    answers = [
        client.get(BUNDLE, headers={"Accept-Encoding": "gzip, br"}) for _ in range(3)
    ]
    for answer in answers:
        assert answer.status_code == 200
        assert answer.headers["Content-Encoding"] == "br"
        assert "Accept-Encoding" in answer.headers["Vary"]
        assert brotli.decompress(answer.get_data()) == raw
    assert hook.compressions == before + 1  # once, not three times

    zipped = client.get(BUNDLE, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()) == raw
    assert zipped.headers["ETag"] != answers[0].headers["ETag"]  # one per encoding


def test_component_suites_are_kept_too_and_identity_still_works(client):
    hook = client.application.extensions["flightdeck_static_compression"]
    path = _script_paths(client)[0]
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    before = hook.compressions
    for _ in range(2):
        answer = client.get(path, headers={"Accept-Encoding": "br"})
        assert brotli.decompress(answer.get_data()) == plain.get_data()
    assert hook.compressions == before + 1


def test_callbacks_and_pages_are_left_to_flask_compress(client):
    hook = client.application.extensions["flightdeck_static_compression"]
    before = hook.compressions
    layout = client.get("/_dash-layout", headers={"Accept-Encoding": "br"})
    assert layout.status_code == 200
    assert hook.compressions == before  # not kept: it changes with who asks
    missing = client.get("/assets/no-such-file.js", headers={"Accept-Encoding": "br"})
    assert missing.status_code == 404 and hook.compressions == before
