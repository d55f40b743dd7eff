"""Hostile input through real HTTP: tampered callbacks, oversized bodies, traversal, bad links.

Every case must get an answer below 500 with no traceback in it, and the server must stay
healthy with no traceback in its log.
"""

from __future__ import annotations

import http.client as http_client
import json
import socket

import pytest
import requests

from bench.dash_client import callback_outputs
from components import ids
from tests.integration.dash_requests import (
    overview_inputs,
    pattern_inputs,
)
from tests.reliability.harness import signed_in

HUGE = 10**400
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


@pytest.fixture(scope="module")
def http(shared_gunicorn):
    return signed_in(shared_gunicorn.url, "ana")


@pytest.fixture(scope="module")
def defaults(app_context):
    return app_context.service.defaults()


# The matrix's own callback (the threshold box's also writes the chart, after it).
CONFUSION = f"..{ids.CONFUSION_CHART}.figure...{ids.CONFUSION_SUMMARY}.children.."


def _callback(http, contains: str, inputs, changed=(), state=(), **overrides):
    output = http.callback(contains)["output"]
    body = {
        "output": output,
        "outputs": callback_outputs(output),
        "inputs": inputs,
        "changedPropIds": list(changed),
        "state": list(state),
        **overrides,
    }
    return http.send(body)


def _predict(http, values: dict, extra: list | None = None):
    entries = pattern_inputs(ids.PREDICT_INPUT, values) + (extra or [])
    return _callback(http, "predict-result.children", [entries])


def _overview(http, ctx, categories=None, ranges=None, dates=None, bins=None):
    inputs = overview_inputs(ctx, categories, ranges, dates, bins)
    return _callback(http, f"{ids.KPI_ROW}.children", inputs)


def _raw(http, body: bytes, content_type: str = "application/json", method="POST"):
    return http.session.request(
        method,
        f"{http.base}/_dash-update-component",
        data=body,
        headers={"Content-Type": content_type},
        timeout=30,
    )


class RawResponse:
    """Status and text of a raw http.client response, shaped like a requests one."""

    def __init__(self, status_code: int, text: str):
        self.status_code, self.text = status_code, text


def _page(http, path: str, method: str = "GET") -> RawResponse:
    """A raw request line, so '..' and '%2e' reach the server as sent."""
    host, port = http.base.removeprefix("http://").split(":")
    conn = http_client.HTTPConnection(host, int(port), timeout=10)
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.session.cookies)
    try:
        conn.request(method, path, headers={"Cookie": cookie})
        response = conn.getresponse()
        return RawResponse(response.status, response.read().decode(errors="replace"))
    finally:
        conn.close()


def _declared_body(http, size: int) -> RawResponse:
    """Declare a huge body, send 64 KB of it, and read what the server answers."""
    host, port = http.base.removeprefix("http://").split(":")
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.session.cookies)
    head = (
        f"POST /_dash-update-component HTTP/1.1\r\nHost: {host}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {size}\r\n"
        f"Cookie: {cookie}\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(head.encode() + b" " * 65536)
        reply = conn.makefile("rb")
        status = int(reply.readline().split()[1])
        text = reply.read(4096).decode(errors="replace")
    return RawResponse(status, text)


def _router(http, pathname, search=""):
    return _callback(
        http,
        "page.children",
        [{"id": ids.PAGE_PATH, "property": "data", "value": pathname}],
        state=[{"id": ids.URL, "property": "search", "value": search}],
    )


def _deep(depth: int, opener: str, closer: str) -> bytes:
    return (opener * depth + closer * depth).encode()


CASES = {
    # Bodies Dash's dispatch could not read.
    "not JSON": lambda h, c, d: _raw(h, b"{not json"),
    "JSON list body": lambda h, c, d: _raw(h, b"[1, 2]"),
    "JSON string body": lambda h, c, d: _raw(h, b'"x"'),
    "JSON null body": lambda h, c, d: _raw(h, b"null"),
    "empty body": lambda h, c, d: _raw(h, b""),
    "list nested 100k deep": lambda h, c, d: _raw(h, _deep(100_000, "[", "]")),
    "object nested 100k deep": lambda h, c, d: _raw(
        h, b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    ),
    "5000-digit integer": lambda h, c, d: _raw(h, b'{"output": ' + b"9" * 5000 + b"}"),
    "invalid UTF-8": lambda h, c, d: _raw(h, b'{"output": "\xff\xfe"}'),
    "form-encoded body": lambda h, c, d: _raw(
        h, b"output=x", "application/x-www-form-urlencoded"
    ),
    "GET the dispatcher": lambda h, c, d: _raw(h, b"", method="GET"),
    "PUT the dispatcher": lambda h, c, d: _raw(h, b"{}", method="PUT"),
    # Dash dispatch errors.
    "unknown output": lambda h, c, d: h.send(
        {"output": "nope.children", "outputs": {}, "inputs": [], "changedPropIds": []}
    ),
    "no output": lambda h, c, d: h.send({"inputs": []}),
    "output is a list": lambda h, c, d: h.send({"output": ["page.children"]}),
    "junk changedPropIds": lambda h, c, d: _callback(
        h,
        "page.children",
        [{"id": ids.PAGE_PATH, "property": "data", "value": "/"}],
        changed=[{"a": 1}, None],
        state=[{"id": ids.URL, "property": "search", "value": ""}],
    ),
    "changedPropIds a string": lambda h, c, d: _callback(
        h,
        "page.children",
        [{"id": ids.PAGE_PATH, "property": "data", "value": "/"}],
        state=[{"id": ids.URL, "property": "search", "value": ""}],
        changedPropIds="page-path.data",
    ),
    "no inputs": lambda h, c, d: _callback(h, "page.children", []),
    "inputs of another callback": lambda h, c, d: _callback(
        h, "page.children", [{"id": ids.THRESHOLD, "property": "value", "value": 1}]
    ),
    "pattern input as an object": lambda h, c, d: _callback(
        h,
        "predict-result.children",
        [{"id": {"type": ids.PREDICT_INPUT, "column": "hour"}, "property": "value"}],
    ),
    "outputs of another callback": lambda h, c, d: _callback(
        h,
        "page.children",
        [{"id": ids.PAGE_PATH, "property": "data", "value": "/"}],
        state=[{"id": ids.URL, "property": "search", "value": ""}],
        outputs={"id": ids.KPI_ROW, "property": "children"},
    ),
    # Values our callbacks must refuse in words.
    "400-digit integer what-if": lambda h, c, d: _predict(h, {**d, "hour": HUGE}),
    "NaN what-if": lambda h, c, d: _raw(
        h,
        json.dumps(
            {
                "output": h.callback("predict-result.children")["output"],
                "outputs": callback_outputs(
                    h.callback("predict-result.children")["output"]
                ),
                "inputs": [pattern_inputs(ids.PREDICT_INPUT, {**d, "hour": "__NAN__"})],
                "changedPropIds": [],
            }
        )
        .replace('"__NAN__"', "NaN")
        .encode(),
    ),
    "predict id column is a list": lambda h, c, d: _predict(
        h,
        d,
        [
            {
                "id": {"type": ids.PREDICT_INPUT, "column": ["a", "b"]},
                "property": "value",
                "value": 1,
            }
        ],
    ),
    "predict id without column": lambda h, c, d: _predict(
        h, d, [{"id": {"type": ids.PREDICT_INPUT}, "property": "value", "value": 1}]
    ),
    "unknown predict columns of mixed types": lambda h, c, d: _predict(
        h,
        d,
        [
            {"id": {"type": ids.PREDICT_INPUT, "column": 7}, "property": "value"},
            {"id": {"type": ids.PREDICT_INPUT, "column": "zz"}, "property": "value"},
        ],
    ),
    "XSS in a category input": lambda h, c, d: _predict(h, {**d, "carrier": XSS}),
    "400-digit threshold": lambda h, c, d: _callback(
        h,
        CONFUSION,
        [{"id": ids.THRESHOLD, "property": "value", "value": HUGE}],
    ),
    "threshold as text": lambda h, c, d: _callback(
        h,
        CONFUSION,
        [{"id": ids.THRESHOLD, "property": "value", "value": "abc"}],
    ),
    "400-digit range filter": lambda h, c, d: _overview(
        h, c, ranges={"hour": [0, HUGE]}
    ),
    "infinite range filter": lambda h, c, d: _overview(
        h, c, ranges={"hour": ["-inf", "inf"]}
    ),
    "100 KB category value": lambda h, c, d: _overview(
        h, c, categories={"carrier": ["Z" * 100_000]}
    ),
    "bins column as an object": lambda h, c, d: _overview(h, c, bins={"a": 1}),
    "dates as objects": lambda h, c, d: _overview(h, c, dates=[{"a": 1}, {"b": 2}]),
    "router pathname as an object": lambda h, c, d: _router(h, {"a": 1}),
    "router search of 200 KB": lambda h, c, d: _router(h, "/", "?x=" + "y" * 200_000),
    # Oversized bodies.
    "2 MB body": lambda h, c, d: _raw(h, b'{"output": "' + b"x" * 2_000_000 + b'"}'),
    "50 MB body": lambda h, c, d: _declared_body(h, 50_000_000),
    "2 MB login form": lambda h, c, d: h.session.post(
        f"{h.base}/login", data={"username": "x" * 2_000_000}, timeout=30
    ),
    "long login fields": lambda h, c, d: requests.post(
        f"{h.base}/login",
        data={"username": XSS * 100, "password": "p" * 50_000},
        timeout=30,
    ),
    # Path traversal.
    "assets ..": lambda h, c, d: _page(h, "/assets/../app.py"),
    "assets %2e%2e": lambda h, c, d: _page(h, "/assets/%2e%2e/app.py"),
    "assets ..%2f": lambda h, c, d: _page(h, "/assets/..%2fconfig.py"),
    "assets absolute": lambda h, c, d: _page(h, "/assets//etc/passwd"),
    "assets NUL": lambda h, c, d: _page(h, "/assets/%00"),
    "suites ..": lambda h, c, d: _page(h, "/_dash-component-suites/dash/../../app.py"),
    "suites %2e%2e": lambda h, c, d: _page(
        h, "/_dash-component-suites/dash/%2e%2e/%2e%2e/config.py"
    ),
    "suites unknown package": lambda h, c, d: _page(
        h, "/_dash-component-suites/os/path.py"
    ),
    "suites unknown file": lambda h, c, d: _page(
        h, "/_dash-component-suites/dash/deps/nothing.js"
    ),
    "suites module source": lambda h, c, d: _page(
        h, "/_dash-component-suites/dash/dash.py"
    ),
    # Bad share links, as the router receives them.
    "link with XSS": lambda h, c, d: _router(h, "/", f"?carrier={XSS}"),
    "link with infinite range": lambda h, c, d: _router(h, "/", "?hour=1~1e999"),
    "link with a bad date": lambda h, c, d: _router(h, "/", "?start=2013-99-99"),
    "link with dunder bins": lambda h, c, d: _router(h, "/", "?bins=__class__"),
    "link page with XSS path": lambda h, c, d: _page(h, f"/{XSS}".replace(" ", "%20")),
}


FIX_INPUTS, NOT_APPLIED = "Fix these inputs", "Filters not applied"
BAD_LINK, THRESHOLD = "This link's filters were not applied", "between 0 and 1"
# What each case must get: a status, and words the answer must hold (None: any).
EXPECTED = {
    "not JSON": (400, "not valid JSON"),
    "JSON list body": (400, "JSON object"),
    "JSON string body": (400, "JSON object"),
    "JSON null body": (400, "JSON object"),
    "empty body": (400, "not valid JSON"),
    "list nested 100k deep": (400, "nested too deeply"),
    "object nested 100k deep": (400, "nested too deeply"),
    "5000-digit integer": (400, "not valid JSON"),
    "invalid UTF-8": (400, "not valid JSON"),
    "form-encoded body": (400, "must be JSON"),
    "GET the dispatcher": (200, "<!DOCTYPE html>"),  # the app's page, as for any path
    "PUT the dispatcher": (405, "not allowed"),
    "unknown output": (400, "unknown callback output"),
    "no output": (400, "unknown callback output"),
    "output is a list": (400, "unknown callback output"),
    "junk changedPropIds": (400, "changedPropIds"),
    "changedPropIds a string": (400, "changedPropIds"),
    "no inputs": (400, "must list"),
    "inputs of another callback": (400, "is not page-path.data"),
    "pattern input as an object": (400, "list of matches"),
    "outputs of another callback": (400, "is not page.children"),
    "400-digit integer what-if": (200, "too large to be a number"),
    "NaN what-if": (200, "finite number"),
    "predict id column is a list": (200, FIX_INPUTS),
    "predict id without column": (400, "other id keys"),
    "unknown predict columns of mixed types": (200, "unexpected input id"),
    "XSS in a category input": (200, "is not a known value"),
    "400-digit threshold": (200, THRESHOLD),
    "threshold as text": (200, THRESHOLD),
    "400-digit range filter": (200, "too large"),
    "infinite range filter": (200, "finite number"),
    "100 KB category value": (200, NOT_APPLIED),
    "bins column as an object": (200, "not a column you can bin by"),
    "dates as objects": (200, "must be a date"),
    "router pathname as an object": (200, ids.KPI_ROW),  # treated as "/"
    "router search of 200 KB": (200, ids.KPI_ROW),  # unknown keys are ignored
    "2 MB body": (413, "Too Large"),
    "50 MB body": (413, "Too Large"),
    "2 MB login form": (413, "Too Large"),
    "long login fields": (400, "form expired"),
    "assets ..": (404, None),
    "assets %2e%2e": (404, None),
    "assets ..%2f": (404, None),
    "assets absolute": (200, "<!DOCTYPE html>"),  # the app's page, not /etc/passwd
    "assets NUL": (404, None),
    "suites ..": (404, "no such component file"),
    "suites %2e%2e": (404, "no such component file"),
    "suites unknown package": (404, "no such component file"),
    "suites unknown file": (404, "no such component file"),
    "suites module source": (404, "no such component file"),
    "link with XSS": (200, BAD_LINK),
    "link with infinite range": (200, BAD_LINK),
    "link with a bad date": (200, BAD_LINK),
    "link with dunder bins": (200, BAD_LINK),
    "link page with XSS path": (200, "<!DOCTYPE html>"),
}
# Text that would mean a file outside the served folders leaked.
LEAKS = ("root:x:0:0", "def create_app", "class Settings", "import dash")


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_request_gets_a_clear_answer(http, app_context, defaults, case):
    response = CASES[case](http, app_context, defaults)
    status, words = EXPECTED[case]
    assert response.status_code == status, (case, response.text[:300])
    if words:
        assert words in response.text, (case, response.text[:300])
    assert "Traceback" not in response.text and 'File "' not in response.text
    assert not any(leak in response.text for leak in LEAKS)
    if response.status_code >= 400 or "Filters not applied" in response.text:
        assert len(response.text) < 20_000, case  # errors never echo the input back
    assert XSS not in response.text  # echoed only cut short, never whole


def test_the_server_is_healthy_after_and_logged_no_traceback(http, shared_gunicorn):
    assert len(CASES) >= 40 and set(CASES) == set(EXPECTED)
    assert requests.get(f"{shared_gunicorn.url}/healthz", timeout=5).status_code == 200
    assert requests.get(f"{shared_gunicorn.url}/readyz", timeout=5).status_code == 200
    log = shared_gunicorn.server_log()
    assert "Traceback" not in log, log[log.find("Traceback") - 500 :][:3000]


def test_headers_through_gunicorn(http):
    response = http.session.get(f"{http.base}/", timeout=10)
    headers = response.headers
    assert headers["Server"] == "gunicorn"  # no version
    assert "script-src 'self' 'sha256-" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
