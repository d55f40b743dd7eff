"""The JavaScript the browser section runs in the page: a render probe and a what-if timer.

All times are `performance.now()` in the page: milliseconds since the navigation started.
"""

# Installed with CDP Page.addScriptToEvaluateOnNewDocument, so it runs before any page script.
# A MutationObserver hooks `plotly_afterplot` on every Plotly div as soon as Plotly makes it
# (its microtask runs before Plotly's first afterplot), and notes the first moment the page is
# rendered: no `._dash-loading`, no `[data-dash-is-loading=true]`, every `.dash-graph` holds a
# `.js-plotly-plot` whose last draw had at least one trace, and every selector of `REQUIRED`
# (a JSON map pathname -> selectors, filled in by Python) matches.
PROBE = """
(() => {
  const B = window.__bench = {
    readyAt: null, firstAt: null, seen: {}, draws: 0, lastDrawAt: null,
  };
  const REQUIRED = %s;
  const required = () => REQUIRED[location.pathname] || [];
  const hook = gd => {
    if (gd.__benchHooked || !gd.on) return;
    gd.__benchHooked = true;
    gd.on('plotly_afterplot', () => {
      gd.__benchTraces = (gd.data || []).length;
      B.draws += 1;
      B.lastDrawAt = performance.now();
      B.check();
    });
  };
  const drawn = g => {
    const gd = g.querySelector('.js-plotly-plot');
    return !!gd && gd.__benchTraces > 0;
  };
  B.rendered = () => {
    if (document.querySelector('._dash-loading, [data-dash-is-loading="true"]')) return false;
    const graphs = [...document.querySelectorAll('.dash-graph')];
    return graphs.length > 0 && graphs.every(drawn)
      && required().every(sel => document.querySelector(sel));
  };
  // The first screen: the required selectors, and every chart whose top is in the window
  // drawn (charts below it may still be on their way).
  B.firstScreen = () => {
    if (document.querySelector('._dash-loading')) return false;
    const graphs = [...document.querySelectorAll('.dash-graph')]
      .filter(g => g.getBoundingClientRect().top < window.innerHeight);
    return graphs.length > 0 && graphs.every(drawn)
      && required().every(sel => document.querySelector(sel));
  };
  B.check = () => {
    const now = performance.now();
    for (const sel of required()) {
      if (B.seen[sel] === undefined && document.querySelector(sel)) B.seen[sel] = now;
    }
    if (B.firstAt === null && B.firstScreen()) B.firstAt = now;
    if (B.readyAt === null && B.rendered()) B.readyAt = now;
  };
  new MutationObserver(() => {
    document.querySelectorAll('.js-plotly-plot').forEach(hook);
    B.check();
  }).observe(document, {subtree: true, childList: true, attributes: true,
                        attributeFilter: ['class', 'data-dash-is-loading']});
})();
"""

# execute_async_script(timeout_ms): resolves when the probe saw the page rendered, or at the
# timeout, with the milestones and what was transferred so far.
WAIT_RENDERED = """
const [timeoutMs, done] = arguments;
const B = window.__bench, deadline = performance.now() + timeoutMs;
const timer = setInterval(() => {
  if (!B) { clearInterval(timer); done(null); return; }
  B.check();
  if (B.readyAt !== null || performance.now() > deadline) {
    clearInterval(timer);
    done({ready: B.readyAt, first: B.firstAt, seen: B.seen});
  }
}, 20);
"""

# After the settle time: the navigation entry, the bytes and the draws since navigation.
PAGE_FACTS = """
const B = window.__bench, nav = performance.getEntriesByType('navigation')[0];
const res = performance.getEntriesByType('resource');
const largest = res.reduce((a, r) => (r.transferSize > a.transferSize ? r : a),
                           {name: '', transferSize: 0});
return {
  dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
  transfer: nav.transferSize + res.reduce((s, r) => s + r.transferSize, 0),
  decoded: nav.decodedBodySize + res.reduce((s, r) => s + r.decodedBodySize, 0),
  requests: res.length + 1, largest: [largest.name, largest.transferSize],
  draws: B.draws, last_draw: B.lastDrawAt,
};
"""

# The what-if curve as drawn: trace 0 of the what-if chart (x = feature values, y = answer).
WHATIF_CURVE = """
const gd = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');
const t = gd && gd._fullData && gd._fullData[0];
return t ? {x: Array.from(t.x), y: Array.from(t.y)} : null;
"""

# execute_async_script(input_id, value, result_id, graph_ids, timeout_ms): sets the input as typing would
# (native value setter + a bubbling `input` event, which React's onChange picks up), then commits it
# as a user does with Enter (the form's inputs use debounce=True), and times, from just before that,
# the prediction text changing and each graph's next afterplot.
# Also reads the /_dash-update-component request(s) made since, from resource timing.
WHATIF_CHANGE = """
const [inputId, value, resultId, graphIds, timeoutMs, done] = arguments;
const input = document.getElementById(inputId);
const valueEl = () => document.querySelector('[data-testid=prediction-value]');
const before = valueEl() ? valueEl().textContent : null;
const gds = graphIds.map(id => document.querySelector('#' + id + ' .js-plotly-plot'));
const at = {text: null};
const handlers = gds.map((gd, i) => () => {
  if (at[graphIds[i]] == null) at[graphIds[i]] = performance.now();
  finishIfDone();
});
const observer = new MutationObserver(() => {
  const el = valueEl();
  if (at.text === null && el && el.textContent !== before) at.text = performance.now();
  finishIfDone();
});
let timer = null, t0 = null;
function finish(timedOut) {
  observer.disconnect();
  gds.forEach((gd, i) => gd.removeListener('plotly_afterplot', handlers[i]));
  clearTimeout(timer);
  const calls = performance.getEntriesByType('resource')
    .filter(r => r.name.includes('/_dash-update-component') && r.startTime >= t0)
    .map(r => ({start: r.startTime - t0, request: r.requestStart - t0,
                first_byte: r.responseStart - t0, end: r.responseEnd - t0}));
  const rel = Object.fromEntries(Object.entries(at).map(([k, v]) => [k, v && v - t0]));
  const el = valueEl();
  done({timed_out: timedOut, at: rel, calls, before, after: el ? el.textContent : null});
}
function finishIfDone() {
  if (at.text !== null && graphIds.every(id => at[id] != null)) finish(false);
}
if (!input || !document.getElementById(resultId) || gds.some(gd => !gd || !gd.on)) {
  done({error: 'input or graphs not found'});
} else {
  gds.forEach((gd, i) => gd.on('plotly_afterplot', handlers[i]));
  observer.observe(document.getElementById(resultId),
                   {subtree: true, childList: true, characterData: true});
  performance.clearResourceTimings();
  timer = setTimeout(() => finish(true), timeoutMs);
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  t0 = performance.now();
  setter.call(input, String(value));
  input.dispatchEvent(new Event('input', {bubbles: true}));
  input.dispatchEvent(new KeyboardEvent('keyup', {key: 'Enter', bubbles: true}));
}
"""
