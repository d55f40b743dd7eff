"""Drive a Dash background callback over real HTTP, as the renderer does.

The renderer POSTs the callback once with the page's `endId`; the answer holds the job's
signed handles (`cacheKey`, `job`). It then POSTs again with them (inputs nulled) every
half second: each answer may carry `progress`, the last one carries `response`. The
handles are signed with SECRET_KEY and bound to the page load's end id, not to a web
process, so any web process sharing the key and the job store can answer the polls.
"""

from __future__ import annotations

import base64
import json
import re
import time

from bench.dash_client import DashClient
from bench.server import REQUEST_TIMEOUT
from components import ids

UPDATE = "/_dash-update-component"
DASH_CONFIG = re.compile(
    r'<script id="_dash-config" type="application/json">(.*?)</script>', re.S
)
POLL_S = 0.5


def page_end_id(client: DashClient, path: str = "/batch") -> str:
    """The signed end id of one page load (the renderer sends it with every callback)."""
    html = client.session.get(client.base + path, timeout=REQUEST_TIMEOUT).text
    found = DASH_CONFIG.search(html)
    if found is None:
        raise RuntimeError(f"no Dash config in {path}")
    return json.loads(found.group(1))["end_id"]


def with_values(declared: list[dict], values: dict) -> list[dict]:
    """A callback's declared inputs or states, each with its value from `values` by id."""
    return [{**item, "value": values.get(item["id"])} for item in declared]


def start_job(client: DashClient, end_id: str, dep: dict, inputs, changed, state):
    """POST a background callback once; the signed handles of the job it started."""
    body = DashClient.body(dep, inputs, changed, state)
    answer = _post(client, body, {"endId": end_id})
    if "cacheKey" not in answer or "job" not in answer:
        raise RuntimeError(f"no job handles in {str(answer)[:300]}")
    return {"cacheKey": answer["cacheKey"], "job": answer["job"], "body": body}


def poll_job(
    client: DashClient, end_id: str, handles: dict, timeout: float = 120
) -> list[dict]:
    """Every answer to the renderer's polls until the one holding the result."""
    body = json.loads(json.dumps(handles["body"]))
    for item in body["inputs"] + body["state"]:
        item["value"] = None
    params = {"endId": end_id, "cacheKey": handles["cacheKey"], "job": handles["job"]}
    answers, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        answers.append(_post(client, body, params))
        if "response" in answers[-1]:
            return answers
        time.sleep(POLL_S)
    raise TimeoutError(f"no result after {timeout:.0f}s: {str(answers[-1])[:300]}")


def _post(client: DashClient, body: dict, params: dict) -> dict:
    response = client.session.post(
        client.base + UPDATE, json=body, params=params, timeout=REQUEST_TIMEOUT
    )
    response.raise_for_status()
    return response.json()


def upload_batch(client: DashClient, csv: bytes, file_name: str = "flights.csv"):
    """The Batch page's upload callback with a CSV: its answer (report, ticket)."""
    contents = "data:text/csv;base64," + base64.b64encode(csv).decode()
    dep = client.callback(f"{ids.BATCH_REPORT}.children")
    inputs = [{"id": ids.BATCH_UPLOAD, "property": "contents", "value": contents}]
    state = [{"id": ids.BATCH_UPLOAD, "property": "filename", "value": file_name}]
    body = DashClient.body(dep, inputs, [f"{ids.BATCH_UPLOAD}.contents"], state)
    response = client.send(body, timeout=120)
    response.raise_for_status()
    return response.json()["response"]


def start_scoring(client: DashClient, end_id: str, ticket: str, fmt: str = "csv"):
    """Press Score on the Batch page: the scoring job's handles."""
    dep = client.callback(f"{ids.BATCH_HISTORY}.children")
    inputs = with_values(dep["inputs"], {ids.BATCH_SCORE: 1})
    state = with_values(dep["state"], {ids.BATCH_TICKET: ticket, ids.BATCH_FORMAT: fmt})
    return start_job(
        client, end_id, dep, inputs, [f"{ids.BATCH_SCORE}.n_clicks"], state
    )
