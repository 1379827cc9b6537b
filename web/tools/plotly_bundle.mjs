// plotly_bundle.mjs - builds the app's Plotly: the npm plotly.js package's
// core (which holds the scatter trace) with only the traces the pages draw,
// scattergl (Hidden States) and heatmap (Metrics), as one minified script
// that defines window.Plotly, like the dist bundles. No dist package has that
// set (cartesian lacks scattergl, gl2d lacks heatmap, strict is the full size);
// the options are plotly.js's own esbuild-config.js, less its plugins, which
// only maps need. Run by web/assets.cmake at build time:
//   node web/tools/plotly_bundle.mjs OUT.js
// A new trace type in a page must be added to TRACES.
import {readFileSync, renameSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';

const TRACES = ['scattergl', 'heatmap'];
const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2];
if (!out) {
  console.error('usage: node plotly_bundle.mjs OUT.js');
  process.exit(2);
}
const {version} = JSON.parse(readFileSync(join(web, 'node_modules/plotly.js/package.json'), 'utf8'));
const entry = `var Plotly = require('plotly.js/lib/core');
Plotly.register([${TRACES.map((t) => `require('plotly.js/lib/${t}')`).join(', ')}]);
module.exports = Plotly;`;

const res = await build({
  stdin: {contents: entry, resolveDir: web, sourcefile: 'plotly-explainer.js', loader: 'js'},
  // aliases resolve from the working directory: web/, wherever the build runs from
  absWorkingDir: web,
  bundle: true, minify: true, write: false, format: 'iife', globalName: 'Plotly', target: 'es2016',
  // plotly.js's own settings: regl through its fork, Node's global as window, no AMD;
  // the one CSS file it requires is maplibre's, for map traces this bundle leaves out.
  alias: {regl: '@plotly/regl'},
  loader: {'.css': 'empty'},
  define: {'global': 'window', 'define.amd': 'false'},
  banner: {js: `/* plotly.js v${version} (scatter, ${TRACES.join(', ')}) | Copyright 2012-2026, ` +
    'Plotly, Inc. | MIT license; built for ExplaiNER by web/tools/plotly_bundle.mjs */'},
  logLevel: 'warning',
});
// Through a temporary name, so two build trees building at once never serve half a file.
const tmp = `${out}.${process.pid}.tmp`;
writeFileSync(tmp, res.outputFiles[0].contents);
renameSync(tmp, out);
