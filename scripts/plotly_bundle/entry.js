// plotly.js with only the trace types Flightdeck's figure builders draw (scatter is in core).
// The list must match traces.txt: tests/unit/test_plotly_bundle.py checks every figure
// builder against it.
'use strict';

var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/heatmap'),
    require('plotly.js/lib/histogram'),
    require('plotly.js/lib/scattergeo'),
]);

module.exports = Plotly;
