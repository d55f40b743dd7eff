"""In headless Chromium: the Overview's first page load, and a what-if change redrawn.

Runs against a server the bench already started (its base URL). One Chromium for the whole
section, with a fresh profile (--user-data-dir) in a temporary folder that is deleted
afterwards; TMPDIR points there too, so Chromium's org.chromium.Chromium.* singleton folder
lands in it rather than in /tmp. The HTTP cache is off (CDP Network.setCacheDisabled), so
every load of "/" fetches everything again. The timing is done in the page (browser_js.py).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from itertools import cycle, islice, zip_longest
from pathlib import Path

from bench.browser_js import (
    PAGE_FACTS,
    PROBE,
    WAIT_RENDERED,
    WHATIF_CHANGE,
    WHATIF_CURVE,
)
from bench.measure import log, pct
from components import ids
from data.formats import percent, plain

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# The flags of /work/shared/tools/screenshot.py.
QUIET = (
    "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync "
    "--disable-default-apps --disable-extensions --no-pings --window-size=1440,1000"
).split()
RENDER_TIMEOUT_S = 30.0
CHANGE_TIMEOUT_S = 10.0
SETTLE_S = 0.5  # after a load is rendered, before its bytes are summed
PAUSE_S = 0.2  # between what-if changes, so no draw of one spills into the next
WARMUP_CHANGES = 2
KPI_CARDS = f"#{ids.KPI_ROW} .card"
PREDICTION = "[data-testid=prediction-value]"
REQUIRED = {"/": [KPI_CARDS], "/predict": [PREDICTION]}  # besides every chart drawn
GRAPHS = [ids.PREDICT_EFFECTS, ids.PREDICT_WHATIF]
MIB = 2**20


def missing() -> str | None:
    """Why the section cannot run on this machine, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} not found (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install 'dash[testing]')"
    return None


class Browser:
    """One headless Chromium with a throwaway profile and the probe on every new page."""

    def __enter__(self) -> Browser:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service

        self.folder = Path(tempfile.mkdtemp(prefix="flightdeck-bench-chromium-"))
        options = Options()
        options.binary_location = str(CHROMIUM)
        for flag in (*QUIET, f"--user-data-dir={self.folder / 'profile'}"):
            options.add_argument(flag)
        env = {**os.environ, "TMPDIR": str(self.folder)}
        try:
            service = Service(str(CHROMEDRIVER), env=env)
            self.driver = webdriver.Chrome(service=service, options=options)
        except Exception:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self.driver.set_script_timeout(RENDER_TIMEOUT_S + 10)
        cdp = self.driver.execute_cdp_cmd
        cdp("Network.enable", {})
        cdp("Network.setCacheDisabled", {"cacheDisabled": True})
        probe = PROBE % json.dumps(REQUIRED)
        cdp("Page.addScriptToEvaluateOnNewDocument", {"source": probe})
        return self

    def __exit__(self, *exc) -> None:
        singleton = self.singleton_folder()
        try:
            self.driver.quit()
        finally:
            if singleton and self.folder not in singleton.parents:
                shutil.rmtree(singleton, ignore_errors=True)
            shutil.rmtree(self.folder, ignore_errors=True)

    def singleton_folder(self) -> Path | None:
        """This Chromium's org.chromium.Chromium.* folder (the profile links to it)."""
        link = self.folder / "profile" / "SingletonSocket"
        try:
            folder = Path(os.readlink(link)).parent
        except OSError:
            return None
        return folder if folder.name.startswith("org.chromium.Chromium.") else None

    def open(self, url: str) -> dict | None:
        """A fresh load of `url` (from about:blank); waits until the probe says rendered."""
        self.driver.get("about:blank")
        self.driver.get(url)
        return self.driver.execute_async_script(WAIT_RENDERED, RENDER_TIMEOUT_S * 1000)

    def run(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def run_async(self, script: str, *args):
        return self.driver.execute_async_script(script, *args)


# --- first page load of "/" ----------------------------------------------------------------


def one_load(browser: Browser, url: str, problems: list) -> dict | None:
    state = browser.open(url)
    if not state or state["ready"] is None:
        problems.append(f"{url} not rendered within {RENDER_TIMEOUT_S:.0f} s")
        return None
    time.sleep(SETTLE_S)
    return {
        "ready_ms": state["ready"],
        "first_ms": state["first"],
        "seen_ms": state["seen"],
        **browser.run(PAGE_FACTS),
    }


def page_loads(browser: Browser, base: str, n: int, path: str = "/") -> dict:
    """n fresh loads of a page, after one untimed load (the server's first answers)."""
    problems: list[str] = []
    one_load(browser, base + path, problems)
    loads = [x for _ in range(n) if (x := one_load(browser, base + path, problems))]
    return load_summary(loads, n, problems, REQUIRED[path][0])


def load_summary(loads: list[dict], n: int, problems: list, early: str) -> dict:
    """The loads' figures; `early` is the element whose first sight is reported."""
    if not loads:
        return {"n": 0, "attempted": n, "loads": [], "problems": problems}

    def p50(key) -> float:
        return pct([load[key] for load in loads], 50)

    ready = [load["ready_ms"] / 1000 for load in loads]
    first = [load["first_ms"] / 1000 for load in loads if load["first_ms"] is not None]
    name, size = max((load["largest"] for load in loads), key=lambda x: x[1])
    return {
        "n": len(loads),
        "attempted": n,
        "ready_p50_s": pct(ready, 50),
        "first_p50_s": pct(first, 50),
        "first_min_s": min(first, default=float("nan")),
        "first_max_s": max(first, default=float("nan")),
        "ready_min_s": min(ready, default=float("nan")),
        "ready_max_s": max(ready, default=float("nan")),
        "early": early,
        "early_p50_s": pct([load["seen_ms"][early] / 1000 for load in loads], 50),
        "dcl_p50_s": p50("dcl") / 1000,
        "load_event_p50_s": p50("load") / 1000,
        "transfer_mib_max": max(load["transfer"] for load in loads) / MIB,
        "decoded_mib_max": max(load["decoded"] for load in loads) / MIB,
        "requests_max": max(load["requests"] for load in loads),
        "largest": [name.rsplit("/", 1)[-1].split("?")[0], size / MIB],
        "draws_p50": p50("draws"),
        "last_draw_p50_s": p50("last_draw") / 1000,
        "loads": loads,
        "problems": problems,
    }


# --- a what-if change on /predict ----------------------------------------------------------


def shown(y: float) -> tuple[str, str]:
    """How the result card may show a value (a probability, or any number)."""
    return percent(y), plain(y)


def change_values(curve: dict | None, current: str, count: int) -> list[str]:
    """Values to type, each changing the shown prediction; low and high answers alternate."""
    if not curve or not curve["y"]:
        return []
    pairs = sorted(zip(curve["y"], curve["x"], strict=True))
    half = len(pairs) // 2
    both = zip_longest(pairs[:half], pairs[half:])
    order = [p for two in both for p in two if p is not None]
    last = next((shown(y) for y, x in pairs if f"{x:g}" == current), None)
    values = []
    for y, x in islice(cycle(order), count * len(order)):
        if len(values) == count:
            break
        if last is None or all(a != b for a, b in zip(shown(y), last, strict=True)):
            values.append(f"{x:g}")
            last = shown(y)
    return values


def redraw(got: dict, value: str, problems: list) -> dict | None:
    """One change's times (ms from the input event), or None with the problem noted."""
    got = got or {"error": "no answer from the page"}
    if got.get("error") or got["timed_out"]:
        problems.append(
            f"what-if {value}: {got.get('error') or 'not redrawn in time'} "
            f"(text {got.get('before')!r} -> {got.get('after')!r}, at {got.get('at')})"
        )
        return None
    at, calls = got["at"], got["calls"]
    total = max(at.values())
    times = {"total": total, "text": at["text"], **{g: at[g] for g in GRAPHS}}
    if calls:
        times["fetch_start"] = min(c["start"] for c in calls)
        times["request"] = max(c["end"] for c in calls) - times["fetch_start"]
        times["first_byte_wait"] = sum(c["first_byte"] - c["request"] for c in calls)
        times["after_response"] = total - max(c["end"] for c in calls)
    return {**times, "requests": len(calls), "value": value, "shown": got["after"]}


def whatif_redraws(browser: Browser, base: str, feature: str, n: int) -> dict:
    """n changes of the what-if feature on /predict, after WARMUP_CHANGES untimed ones."""
    problems: list[str] = []
    state = browser.open(base + "/predict")
    if not state or state["ready"] is None:
        return whatif_summary([], n, feature, [f"/predict not rendered: {state}"])
    input_id = json.dumps(
        ids.predict_input(feature), sort_keys=True, separators=(",", ":")
    )
    current = browser.run(
        "return document.getElementById(arguments[0]).value", input_id
    )
    curve = browser.run(WHATIF_CURVE, ids.PREDICT_WHATIF)
    values = change_values(curve, current, n + WARMUP_CHANGES)
    if not values:
        problems.append(f"no {feature} values that change the prediction: {curve}")
    changes = []
    for i, value in enumerate(values):
        args = (input_id, value, ids.PREDICT_RESULT, GRAPHS, CHANGE_TIMEOUT_S * 1000)
        got = browser.run_async(WHATIF_CHANGE, *args)
        time.sleep(PAUSE_S)
        if i >= WARMUP_CHANGES and (times := redraw(got, value, problems)):
            changes.append(times)
    return whatif_summary(changes, n, feature, problems)


def whatif_summary(changes: list[dict], n: int, feature: str, problems: list) -> dict:
    def col(key, q) -> float:
        return pct([c[key] for c in changes if key in c], q)

    out = {"n": len(changes), "attempted": n, "feature": feature}
    for key in ("total", "text", *GRAPHS, "fetch_start", "request", "first_byte_wait"):
        out[f"{key}_p50"], out[f"{key}_p95"] = col(key, 50), col(key, 95)
    out["after_response_p50"] = col("after_response", 50)
    out["requests_max"] = max((c["requests"] for c in changes), default=0)
    return {**out, "changes": changes, "problems": problems}


# --- the section ---------------------------------------------------------------------------


def sign_in(browser: Browser, base: str, credentials: tuple[str, str] | None) -> None:
    """Sign in through the login page once; the loads that follow keep the cookie."""
    if not credentials:
        return
    browser.driver.get(base + "/login")
    for field, text in zip(("username", "password"), credentials, strict=True):
        browser.driver.find_element("id", field).send_keys(text)
    browser.driver.find_element("id", "sign-in").click()
    deadline = time.monotonic() + RENDER_TIMEOUT_S  # the cookie lands with the redirect
    while "/login" in browser.driver.current_url and time.monotonic() < deadline:
        time.sleep(0.05)
    browser.driver.get("about:blank")


def browser_section(
    base: str, plan: dict, feature: str | None, credentials: tuple[str, str] | None
) -> dict:
    """The browser rows' numbers, or {"skipped": why} / {"failed": what} (never raises)."""
    if reason := missing():
        log(f"browser: skipped, {reason}")
        return {"skipped": reason}
    from selenium.common.exceptions import WebDriverException

    try:
        with Browser() as browser:
            sign_in(browser, base, credentials)
            log(
                f"browser: {plan['browser_loads']} fresh loads of / in headless Chromium"
            )
            res = {"loads": page_loads(browser, base, plan["browser_loads"])}
            log(f"browser: {plan['browser_loads']} fresh loads of /predict")
            res["predict_loads"] = page_loads(
                browser, base, plan["browser_loads"], "/predict"
            )
            if feature is None:
                res["whatif"] = {"skipped": "the model has no what-if feature"}
                return res
            log(f"browser: {plan['browser_changes']} what-if changes of {feature}")
            res["whatif"] = whatif_redraws(
                browser, base, feature, plan["browser_changes"]
            )
            return res
    except WebDriverException as exc:
        failed = f"Chromium: {str(exc).strip().splitlines()[0][:300]}"
        log(f"browser: failed, {failed}")
        return {"failed": failed}
