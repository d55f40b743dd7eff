/* Flightdeck's clientside steps (components/libraries.py explains the deferred scripts). */
(function () {
    var loading = {};

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

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        flightdeck: {
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
