"""axe-core in the test browser: wait for a page to settle, scan it, and report every
serious or critical violation that no allowance lets through, readably, at once.

axe-core comes from the pinned `axe-selenium-python-nhsuk` wheel (its axe.min.js is
axe-core 4.9.1, byte for byte the npm release), so a scan needs no network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import axe_selenium_python
from selenium.webdriver.support.wait import WebDriverWait

TIMEOUT = 30
AXE_SOURCE = (
    Path(axe_selenium_python.__file__).parent / "node_modules/axe-core/axe.min.js"
)
AXE_VERSION = "4.9.1"
BLOCKING = frozenset({"serious", "critical"})
QUIET_JS = """
const busy = document.querySelector(
  '[data-dash-is-loading="true"], ._dash-loading, .dash-spinner, .dash-loading');
const fading = document.getAnimations().some(a => a.playState === 'running'
  && isFinite(a.effect.getComputedTiming().endTime));  // a modal fading in
const drawn = document.querySelectorAll('.main-svg, .ag-row').length;
const was = window.__a11yDrawn; window.__a11yDrawn = drawn;
return !busy && !fading && was === drawn;
"""
RUN_AXE_JS = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(r => done(r.violations)).catch(e => done(String(e)));
"""


def settle(dash_duo, ready: str | None = None) -> None:
    """Wait for the page's sign of being drawn, then until nothing loads, redraws or
    fades in (two polls alike)."""
    if ready:
        dash_duo.wait_for_element(ready, timeout=TIMEOUT)
    WebDriverWait(dash_duo.driver, TIMEOUT, poll_frequency=0.5).until(
        lambda driver: driver.execute_script(QUIET_JS), "the page never settled"
    )


def axe_violations(driver) -> list[dict]:
    """axe-core's violations on the page as it stands (injected once per page load)."""
    if not driver.execute_script("return typeof axe === 'object'"):
        driver.execute_script(AXE_SOURCE.read_text(encoding="utf-8"))
    assert driver.execute_script("return axe.version") == AXE_VERSION
    driver.set_script_timeout(TIMEOUT)
    found = driver.execute_async_script(RUN_AXE_JS)
    assert isinstance(found, list), found
    return found


@dataclass
class Allowances:
    """What a scan lets through: `upstream` (rule, a class on the node) on any page,
    for markup a library renders; `known` (page and state, rule, a fragment of the
    node's HTML or selector), pending fixes that must still occur."""

    upstream: dict[tuple[str, str], str]
    known: dict[tuple[str, str, str], str]
    used: set = field(default_factory=set)

    def lets_through(self, page: str, rule: str, node: dict) -> bool:
        where = node.get("html", "") + " " + " ".join(map(str, node.get("target", [])))
        if any(r == rule and cls in where for r, cls in self.upstream):
            return True
        known = [k for k in self.known if k[:2] == (page, rule) and k[2] in where]
        self.used.update(known)
        return bool(known)

    def stale(self, pages: set[str]) -> list[str]:
        """Pending entries whose page was scanned and which no longer occur."""
        return [
            f"{key} no longer occurs: remove it from KNOWN"
            for key in self.known
            if key[0] in pages and key not in self.used
        ]


def problem_line(page: str, violation: dict, node: dict) -> str:
    """One flagged node: where, the rule, its impact, the target, the help, the html."""
    why = (node.get("failureSummary") or "").replace("\n", " ")
    return (
        f"{page} {violation['id']} [{violation['impact']}] {node['target']}: "
        f"{violation['help']}. {why[:200]} | {node.get('html', '')[:160]}"
    )


class Scan:
    """Scans pages in one browser and reports every problem at the end, at once."""

    def __init__(self, dash_duo, allow: Allowances, ready: dict[str, str]) -> None:
        self.dash_duo, self.allow, self.ready = dash_duo, allow, ready
        self.problems: list[str] = []
        self.pages: set[str] = set()

    def page(self, path: str, state: str = "") -> None:
        """Open the page, wait until it has drawn, and scan it."""
        self.dash_duo.driver.get(f"{self.dash_duo.server.url}{path}")
        settle(self.dash_duo, self.ready.get(path))
        self.here(path, state)

    def here(self, path: str, state: str = "") -> None:
        """Scan the page as it stands (after the test brought it to a state)."""
        settle(self.dash_duo)
        label = path + state
        self.pages.add(label)
        for violation in axe_violations(self.dash_duo.driver):
            if violation.get("impact") not in BLOCKING:
                continue
            for node in violation["nodes"]:
                if not self.allow.lets_through(label, violation["id"], node):
                    self.problems.append(problem_line(label, violation, node))

    def check(self) -> None:
        """Fail with every problem found, and every pending entry that went away."""
        problems = self.problems + self.allow.stale(self.pages)
        assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(
            problems
        )
