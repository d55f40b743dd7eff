// esbuild options as plotly.js's own esbuild-config.js builds its dist bundles (an IIFE
// named Plotly, es2016, minified), from entry.js. Map traces are left out, so the
// maplibre stylesheet their registration would load is an empty module.
import { build } from 'esbuild';

const out = process.argv[2];
await build({
    entryPoints: ['entry.js'],
    outfile: out,
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    legalComments: 'inline',
    banner: {
        js: '/*! plotly.js v4.1.1, Flightdeck partial bundle (scatter, bar, heatmap, histogram, ' +
            'scattergeo) | MIT License | https://github.com/plotly/plotly.js */',
    },
    sourcemap: false,
    alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
    define: { global: 'window', 'define.amd': 'false', 'process.env.NODE_DEBUG': 'false' },
    loader: { '.css': 'empty' },
    target: 'es2016',
    logLevel: 'warning',
});
