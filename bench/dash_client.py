"""Callback requests shaped like the browser's, from GET /_dash-dependencies and the layout."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import requests

from bench.server import REQUEST_TIMEOUT
from components import ids

UPDATE = "/_dash-update-component"
JSON_HEADERS = {"Content-Type": "application/json"}


def pattern_key(ident: dict, prop: str) -> str:
    """A pattern-matching id as Dash writes it in changedPropIds."""
    return json.dumps(ident, sort_keys=True, separators=(",", ":")) + "." + prop


def callback_outputs(output: str) -> list[dict] | dict:
    """The `outputs` field of a request, parsed from a dependency's `output` string."""
    if not output.startswith(".."):
        ident, prop = output.rsplit(".", 1)
        return {"id": ident, "property": prop}
    parts = []
    for part in output[2:-2].split("..."):
        ident, prop = part.rsplit(".", 1)
        parsed = json.loads(ident) if ident.startswith("{") else ident
        parts.append({"id": parsed, "property": prop})
    return parts


def components_with_ids(node) -> Iterator[tuple[str, object, dict]]:
    """(type, id, props) of every component with an id in a serialized layout tree."""
    if isinstance(node, list):
        for value in node:
            yield from components_with_ids(value)
    elif isinstance(node, dict):
        if "props" in node and "type" in node:
            props = node["props"]
            if props.get("id") is not None:
                yield node["type"], props["id"], props
            node = props
        for value in node.values():
            yield from components_with_ids(value)


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of a rendered form (the login page)."""
    found = CSRF_FIELD.search(html)
    if found is None:
        raise RuntimeError("no csrf_token in the page")
    return found.group(1)


def sign_in(session: requests.Session, base: str, credentials: tuple[str, str]) -> None:
    """Sign a session in through the login form, as a browser does."""
    token = csrf_token(session.get(base + "/login", timeout=REQUEST_TIMEOUT).text)
    name, password = credentials
    response = session.post(
        base + "/login",
        data={"username": name, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=REQUEST_TIMEOUT,
    )
    if response.status_code != 302:
        raise RuntimeError(f"signing in as {name} failed (HTTP {response.status_code})")


class DashClient:
    """Posts callback requests to one server over a keep-alive session, signed in."""

    def __init__(self, base: str, credentials: tuple[str, str] | None = None):
        self.base = base
        self.session = requests.Session()
        if credentials:
            sign_in(self.session, base, credentials)
        url = base + "/_dash-dependencies"
        self.deps = self.session.get(url, timeout=REQUEST_TIMEOUT).json()

    def callback(self, output_contains: str) -> dict:
        """The one callback whose output mentions `output_contains`."""
        matches = [d for d in self.deps if output_contains in d["output"]]
        if len(matches) != 1:
            raise RuntimeError(
                f"expected one callback with output {output_contains!r}, "
                f"found {len(matches)}"
            )
        return matches[0]

    @staticmethod
    def body(
        dep: dict, inputs: list, changed: list[str], state: list | None = None
    ) -> dict:
        """The JSON body of one callback request, as the browser sends it."""
        return {
            "output": dep["output"],
            "outputs": callback_outputs(dep["output"]),
            "inputs": inputs,
            "changedPropIds": changed,
            "state": state or [],
        }

    def post(
        self, dep: dict, inputs: list, changed: list[str], state: list | None = None
    ) -> tuple[float, requests.Response]:
        """(client wall time in ms, response) of one callback request."""
        body = self.body(dep, inputs, changed, state)
        started = time.perf_counter()
        response = self.send(body)
        return (time.perf_counter() - started) * 1000, response

    def send(self, body, timeout: float = REQUEST_TIMEOUT) -> requests.Response:
        """POST any body to the callback route (well formed or not), as JSON."""
        data = json.dumps(body).encode()
        return self.session.post(
            self.base + UPDATE, data=data, headers=JSON_HEADERS, timeout=timeout
        )

    def layout(self, pathname: str) -> list[tuple[str, object, dict]]:
        """Every component with an id on a page, as the page callback renders it."""
        dep = self.callback(f"{ids.PAGE}.children")
        url = [{"id": ids.PAGE_PATH, "property": "data", "value": pathname}]
        # Any State of the router (the URL's query since the shareable Overview): empty.
        state = [{**s, "value": ""} for s in dep.get("state", [])]
        _, response = self.post(dep, url, [f"{ids.PAGE_PATH}.data"], state)
        response.raise_for_status()
        return list(components_with_ids(response.json()))

    def healthz_ms(self) -> float:
        """Client wall time of one GET /healthz."""
        started = time.perf_counter()
        self.session.get(self.base + "/healthz", timeout=REQUEST_TIMEOUT)
        return (time.perf_counter() - started) * 1000

    def close(self) -> None:
        self.session.close()
