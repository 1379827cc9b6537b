// plot.js - Plotly charts (ctx.plot): /vendor/plotly.min.js is loaded once,
// by a <script> tag on first use (offline, served by explainer: a 1.4 MB
// partial bundle of the scatter, scattergl and heatmap traces, made by
// web/tools/plotly_bundle.mjs; another trace type must be added there), and
// every chart gets the app's look: system font, no logo, responsive.

let loading = null;

/** Load Plotly once; resolves to window.Plotly. */
export function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/vendor/plotly.min.js';
      s.async = true;
      s.onload = () => resolve(window.Plotly);
      s.onerror = () => {
        loading = null;
        reject(new Error('Could not load the chart library (/vendor/plotly.min.js)'));
      };
      document.head.append(s);
    });
  }
  return loading;
}

/** Start loading Plotly now (a chart page, while its data comes); a failure shows at the first plot(). */
export function preloadPlotly() {
  loadPlotly().catch(() => {});
}

/**
 * Fetch Plotly's bytes now without running it (app.js, for a chart page whose
 * module and run are still on the way): running it takes the main thread for
 * a while, which would hold back the page's own first requests; loadPlotly()
 * runs it from the HTTP cache later.
 */
export function prefetchPlotly() {
  if (window.Plotly || loading || document.querySelector('link[rel="preload"][href="/vendor/plotly.min.js"]')) return;
  const link = document.createElement('link');
  link.rel = 'preload';
  link.as = 'script';
  link.href = '/vendor/plotly.min.js';
  document.head.append(link);
}

const FONT = '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/**
 * plot(el, data, layout, config) -> Promise of the chart element (Plotly.react,
 * so calling it again on the same element updates the chart in place).
 */
export async function plot(el, data, layout = {}, config = {}) {
  const Plotly = await loadPlotly();
  const baseLayout = {
    font: {family: FONT, size: 12, color: '#1f2937'},
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: '#ffffff',
    margin: {l: 56, r: 16, t: layout.title ? 40 : 16, b: 48},
    hoverlabel: {font: {family: FONT}},
    colorway: ['#2563eb', '#e41a1c', '#4daf4a', '#984ea3', '#ff7f00', '#a65628', '#f781bf', '#999999'],
  };
  const fullLayout = {...baseLayout, ...layout};
  const fullConfig = {displaylogo: false, responsive: true, displayModeBar: 'hover',
    modeBarButtonsToRemove: ['sendDataToCloud'], ...config};
  el.classList.add('plot');
  await Plotly.react(el, data, fullLayout, fullConfig);
  return el;
}

/**
 * warmPlotly(data, layout) -> Promise: once Plotly has loaded, draw data (a
 * few points in traces like the page's) off-screen through plot() and free
 * it, unless skip() says the page has begun its own charts. Plotly's first
 * chart costs about 0.1 s more than the next one alike (V8 compiles its
 * drawing code on first use): a page that waits for a job pays it meanwhile.
 * Never rejects.
 */
export async function warmPlotly(data, layout, skip = () => false) {
  try {
    await loadPlotly();
    if (skip()) return;
    const box = document.createElement('div');
    box.setAttribute('aria-hidden', 'true');
    box.className = 'plot-warm';
    document.body.append(box);
    try {
      await plot(box, data, layout);
    } finally {
      purge(box);
      box.remove();
    }
  } catch {
    // only a head start: the page's own charts report a failing Plotly
  }
}

/** Free a chart's listeners and WebGL contexts (pages call it from ctx.onLeave; safe if never plotted). */
export function purge(el) {
  if (window.Plotly && el) window.Plotly.purge(el);
}
