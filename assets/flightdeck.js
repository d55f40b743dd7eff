/* Flightdeck's clientside steps (components/libraries.py explains the deferred scripts). */
(function () {
    var loading = {};

    // dcc.Graph loads Plotly from window._dashPlotlyJSURL when its first chart mounts, and
    // Dash's renderer sets that to the full plotly.min.js (1.4 MiB). Here it is the partial
    // bundle (components/libraries.py): the address a page with charts preloads, or the
    // bundle's own on a page without (a link from there may open one); Dash's is ignored.
    Object.defineProperty(window, '_dashPlotlyJSURL', {
        configurable: true,
        get: function () {
            var preloaded = document.getElementById('plotly-bundle');
            return preloaded ? preloaded.href : prefix() + 'assets/plotly-flightdeck.min.js';
        },
        set: function () {},
    });

    function prefix() {  // the app's path prefix, as Dash's renderer reads it
        var config = document.getElementById('_dash-config');
        return (config && JSON.parse(config.textContent).requests_pathname_prefix) || '/';
    }

    function loadOnce(src) {
        if (!loading[src]) {
            loading[src] = new Promise(function (resolve, reject) {
                var script = document.createElement('script');
                script.src = prefix() + src;
                script.onload = resolve;
                script.onerror = function () {
                    delete loading[src];
                    reject(new Error('could not load ' + src));
                };
                document.head.appendChild(script);
            });
        }
        return loading[src];
    }

    function drawn(id) {
        var gd = document.querySelector('#' + id + ' .js-plotly-plot');
        return !!(gd && gd._fullData && gd.querySelector('.main-svg'));
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        flightdeck: {
            // `sent` once its charts are drawn (or after 2 s): the Overview asks for the
            // charts below the first screen only when the first screen is painted.
            afterDrawn: function (sent) {
                var graphIds = (sent && sent.charts) || [], started = performance.now();
                return new Promise(function (resolve) {
                    function tick() {
                        if (graphIds.every(drawn) || performance.now() - started > 2000) {
                            resolve(sent);
                        } else {
                            requestAnimationFrame(tick);
                        }
                    }
                    requestAnimationFrame(tick);
                });
            },
            // A collapsible part (a phone's menu, the Overview's filters): a click flips it.
            toggle: function (clicks, isOpen) {
                return clicks ? !isOpen : isOpen;
            },
            // The phone's menu: its button flips it, and opening a page closes it.
            navMenu: function (clicks, pathname, isOpen) {
                var triggered = (window.dash_clientside.callback_context || {}).triggered;
                var byButton = (triggered || []).some(function (t) {
                    return t.prop_id.indexOf('.n_clicks') > 0;
                });
                return byButton ? !isOpen : false;
            },
            // The path to render, once the scripts its page needs (if any) are loaded.
            pageReady: function (pathname, scripts) {
                var needed = (scripts || {})[pathname] || [];
                return Promise.all(needed.map(loadOnce)).then(function () {
                    return pathname;
                });
            },
        },
    });
})();
