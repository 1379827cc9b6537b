// hidden.js - the Hidden States page (ExplaiNER's "Hidden States"): a seeded
// sample of the words' last-layer hidden states projected to 2-D by the
// server (POST /runs/{id}/projection, a cached job: PCA, TruncatedSVD or
// UMAP), drawn twice side by side, coloured by gold label and by prediction;
// points whose labels disagree are outlined, and "errors only" keeps just
// those. A lasso or box selection in either plot is shown in both and lists
// the selected points' sentences below (the one list of the pages), the
// selected words highlighted.
import {int} from '../lib/dom.js';
import {hasRun, showJobError} from '../lib/pagekit.js';
import {preloadPlotly, purge, warmPlotly} from '../lib/plot.js';
import {sentenceList} from '../lib/sentences.js';

const METHODS = [['pca', 'PCA'], ['svd', 'Truncated SVD'], ['umap', 'UMAP']];
const METRICS = ['euclidean', 'manhattan', 'chebyshev', 'minkowski'];
const DEFAULTS = {method: 'pca', n: 2000, n_iter: 5, n_neighbors: 15, min_dist: 0.1,
  metric: 'euclidean', seed: 42};
const SELECT_MAX = 100; // sentences fetched for a selection
const O_COLOR = '#b8bec8';
const HEIGHT = 620; // of each chart, and of its skeleton while the projection runs
// Points from which the plots draw with WebGL (scattergl) instead of SVG.
// Below it SVG is the faster: 2,000 points drew in 0.25 s and 0.13 s (first,
// second plot) as SVG against 0.8 s and 0.5 s, plus 0.5 s of painting after,
// as WebGL in headless Chromium (software GL; 9 traces like the page's, both
// measured under the same load); a GPU narrows that, and at tens of thousands
// of points SVG's DOM of one node per point is what gets slow.
const GL_FROM = 10000;

function esc(s) {
  return String(s ?? '').replace(/[&<>"]/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]));
}

/** Wrap a sentence for the hover box, the word in bold. */
function hoverSentence(sentence, word) {
  const out = [];
  let line = '';
  for (const w of String(sentence || '').split(' ')) {
    if (line.length + w.length > 70) {
      out.push(line);
      line = '';
    }
    line += (line ? ' ' : '') + (w === word ? `<b>${esc(w)}</b>` : esc(w));
    if (out.length >= 4) break;
  }
  if (line) out.push(line);
  return out.join('<br>');
}

/** The params of the hash (URLSearchParams), with defaults. */
function readParams(params) {
  const p = {...DEFAULTS};
  for (const k of Object.keys(DEFAULTS)) {
    const v = params.get(k);
    if (v !== null && v !== '') p[k] = typeof DEFAULTS[k] === 'number' ? Number(v) : v;
  }
  if (!METHODS.some(([m]) => m === p.method)) p.method = 'pca';
  if (!METRICS.includes(p.metric)) p.metric = 'euclidean';
  return p;
}

/** The body of POST /projection for p: only the fields its method uses. */
function requestBody(p) {
  const b = {method: p.method, n: p.n, seed: p.seed};
  if (p.method === 'svd') b.n_iter = p.n_iter;
  if (p.method === 'umap') Object.assign(b, {n_neighbors: p.n_neighbors, min_dist: p.min_dist, metric: p.metric});
  return b;
}

/** The hover box of every point of res (made once for both plots). */
function hoverTexts(res) {
  const sents = res.sentences || {};
  return res.points.map((pt) => `<b>${esc(pt.text)}</b>  gold ${esc(pt.gold)} · pred ${esc(pt.pred)}<br>` +
    `sentence ${pt.sentence_id}: ${hoverSentence(sents[pt.sentence_id], pt.text)}`);
}

/** One trace per label (O first, grey), plus the outlined disagreements; only
 * the points whose labels disagree when errorsOnly; hover: hoverTexts(res). */
function traces(ctx, res, hover, key, errorsOnly) {
  const groups = new Map();
  res.points.forEach((pt, i) => {
    if (errorsOnly && pt.gold === pt.pred) return;
    const lab = pt[key] ?? 'none';
    if (!groups.has(lab)) groups.set(lab, []);
    groups.get(lab).push(i);
  });
  // O first, then by class, B- before I- (legend rows read PER: B, I; ORG: B, I; ...);
  // compared as text, not by localeCompare, whose first use starts ICU (10 ms).
  const order = (l) => (l === 'O' ? '' : l.replace(/^([A-Z])[-_](.*)$/, '$2 $1').toLowerCase() + ' ' + l);
  const labels = [...groups.keys()].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  const type = res.points.length >= GL_FROM ? 'scattergl' : 'scatter';
  const mk = (idx, name, marker) => ({
    type, mode: 'markers', name,
    x: idx.map((i) => res.points[i].x), y: idx.map((i) => res.points[i].y),
    customdata: idx,
    text: idx.map((i) => hover[i]),
    hoverinfo: 'text', marker,
  });
  const out = labels.map((lab) => mk(groups.get(lab), lab,
    {size: 5, color: ctx.labelColor(lab) || O_COLOR, opacity: lab === 'O' ? 0.45 : 0.85,
      symbol: /^I[-_]/.test(lab) ? 'diamond' : 'circle'}));
  const wrong = res.points.map((pt, i) => (pt.gold !== pt.pred ? i : -1)).filter((i) => i >= 0);
  if (wrong.length)
    out.push(mk(wrong, 'gold ≠ prediction',
      {size: 9, symbol: 'circle-open', color: '#111827', line: {width: 1.2}}));
  return out;
}

/** A point of each kind traces() draws (the first chart's start-up, paid while the projection runs). */
function warmTraces() {
  const pt = (name, marker) => ({type: 'scatter', mode: 'markers', name, x: [0], y: [0], customdata: [0],
    text: ['<b>w</b>'], hoverinfo: 'text', marker});
  return [pt('O', {size: 5, color: O_COLOR, opacity: 0.45, symbol: 'circle'}),
    pt('I-X', {size: 5, color: '#377eb8', opacity: 0.85, symbol: 'diamond'}),
    pt('gold ≠ prediction', {size: 9, symbol: 'circle-open', color: '#111827', line: {width: 1.2}})];
}

function layout(title) {
  return {
    title: {text: title, font: {size: 14}},
    dragmode: 'lasso', hovermode: 'closest', height: HEIGHT,
    margin: {l: 36, r: 8, t: 40, b: 30},
    legend: {orientation: 'h', y: -0.08, font: {size: 11}},
    xaxis: {zeroline: false, showticklabels: false}, yaxis: {zeroline: false, showticklabels: false},
  };
}

function methodInfo(res) {
  const i = res.info || {};
  const parts = [`${int(res.n)} words`];
  if (i.explained_variance_ratio)
    parts.push(`explained variance ${i.explained_variance_ratio.map((v) => (100 * v).toFixed(1) + '%').join(' + ')}`);
  if (i.method === 'umap') parts.push(`${i.n_neighbors} neighbours, min_dist ${i.min_dist}, ${i.metric}, seed ${i.seed}`);
  const t = res.timings || {};
  parts.push(`load ${(t.load_s ?? 0).toFixed(2)} s, projection ${(t.project_s ?? 0).toFixed(2)} s`);
  return parts.join(' · ');
}

/** The sentences of the selected points, inline, the selected words marked. */
async function showSelection(ctx, host, res, idx) {
  const {el} = ctx;
  host.replaceChildren();
  if (!idx.length) {
    host.append(el('p', {class: 'muted'}, 'Lasso or box select points to list their sentences here.'));
    return;
  }
  const bySentence = new Map();
  for (const i of idx) {
    const pt = res.points[i];
    if (!bySentence.has(pt.sentence_id)) bySentence.set(pt.sentence_id, []);
    bySentence.get(pt.sentence_id).push([pt.idx, pt.idx + 1]);
  }
  const ids = [...bySentence.keys()].sort((a, b) => a - b).slice(0, SELECT_MAX);
  const list = el('div', {class: 'selection-list'});
  host.append(el('h3', {}, `${idx.length} selected word${idx.length === 1 ? '' : 's'} in ` +
    `${bySentence.size} sentence${bySentence.size === 1 ? '' : 's'}` +
    (bySentence.size > SELECT_MAX ? ` (the first ${SELECT_MAX} shown)` : '')), list);
  const data = await ctx.api(`/api/v1/runs/${ctx.runId}/sentences`,
    {method: 'POST', body: {ids}, query: {words: 1, sort: 'id', order: 'asc', limit: SELECT_MAX}});
  await sentenceList(ctx, list, {items: data.items}, {
    marks: (s) => bySentence.get(s.id) || [], what: 'in dataset order',
  });
}

/** Show the selection of points (indices into res.points; null: none) in every plot. */
function mirror(plots, idx) {
  const on = idx ? new Set(idx) : null;
  for (const gd of plots) {
    if (!gd.data) continue;
    const sel = gd.data.map((tr) => (on ? tr.customdata.map((c, j) => (on.has(c) ? j : -1)).filter((j) => j >= 0) : null));
    window.Plotly.restyle(gd, {selectedpoints: sel});
  }
}

function controls(ctx, p, onCompute, errorsOnly) {
  const {el} = ctx;
  const num = (name, value, attrs) => el('input', {type: 'number', name, value, ...attrs});
  const method = el('select', {name: 'method'},
    METHODS.map(([v, t]) => el('option', {value: v, selected: v === p.method}, t)));
  const f = {
    method,
    n: num('n', p.n, {min: 2, step: 100}),
    n_iter: num('n_iter', p.n_iter, {min: 0, max: 100}),
    n_neighbors: num('n_neighbors', p.n_neighbors, {min: 2, max: 200}),
    min_dist: num('min_dist', p.min_dist, {min: 0, max: 1, step: 0.05}),
    metric: el('select', {name: 'metric'}, METRICS.map((m) => el('option', {value: m, selected: m === p.metric}, m))),
    seed: num('seed', p.seed, {min: 0}),
  };
  const svd = el('span', {class: 'controls only-svd'}, el('label', {}, 'n_iter ', f.n_iter));
  const umap = el('span', {class: 'controls only-umap'},
    el('label', {}, 'neighbours ', f.n_neighbors), el('label', {}, 'min_dist ', f.min_dist),
    el('label', {}, 'metric ', f.metric));
  const sync = () => {
    svd.hidden = method.value !== 'svd';
    umap.hidden = method.value !== 'umap';
  };
  method.addEventListener('change', sync);
  sync();
  const btn = el('button', {class: 'btn btn-primary', type: 'button'}, 'Compute');
  btn.addEventListener('click', () => {
    const q = {method: method.value, metric: f.metric.value};
    for (const k of ['n', 'n_iter', 'n_neighbors', 'min_dist', 'seed']) q[k] = Number(f[k].value);
    onCompute(q, btn);
  });
  return el('div', {class: 'card controls hid-controls'},
    el('label', {}, 'Method ', method), el('label', {}, 'Points ', f.n), svd, umap,
    el('label', {}, 'Seed ', f.seed), btn,
    el('label', {title: 'Only the words whose prediction differs from the gold label'}, errorsOnly, ' errors only'));
}

/** POST /projection of p: the promise of its answer (the job). */
function startProjection(api, runId, p) {
  return api(`/api/v1/runs/${runId}/projection`, {method: 'POST', body: requestBody(p)});
}

export const page = {
  id: 'hidden',
  title: 'Hidden States',
  /** The address's projection starts while app.js still loads the run; then Plotly runs (its bytes are in). */
  prefetch({runId, params, api}) {
    const p = readParams(params);
    const answer = startProjection(api, runId, p);
    answer.catch(() => {}); // render's ctx.job reports a failure
    // the warm-up is skipped once the result is in: it would only delay the plots then
    const early = {body: requestBody(p), answer, ready: false};
    warmPlotly(warmTraces(), layout(''), () => early.ready);
    return early;
  },
  async render(root, ctx) {
    const {el} = ctx;
    if (!hasRun(ctx, root, 'Make a run on the Home / Setup page first.')) return;
    preloadPlotly(); // while the projection job runs (app.js has fetched it already)
    const p = readParams(ctx.params);
    // prefetch()'s request, for the first compute if it asked for the same
    const early = await ctx.prefetched?.catch(() => null);
    let first = true;
    const info = el('p', {class: 'muted projection-info'});
    const left = el('div', {class: 'plot-gold hid-plot'});
    const right = el('div', {class: 'plot-pred hid-plot'});
    ctx.onLeave(() => {
      purge(left);
      purge(right);
    });
    const status = el('div');
    const selection = el('div', {class: 'selection card hid-selection'},
      el('p', {class: 'muted'}, 'Lasso or box select points to list their sentences here.'));
    let res = null;
    const errorsOnly = el('input', {type: 'checkbox', name: 'errors', checked: ctx.params.get('errors') === '1'});
    // Both plots from res; a selection in one is shown in the other too.
    const draw = async () => {
      if (early) early.ready = true;
      const title = METHODS.find(([m]) => m === p.method)[1];
      const only = errorsOnly.checked;
      const hover = hoverTexts(res);
      await ctx.plot(left, traces(ctx, res, hover, 'gold', only), layout(`${title}: gold labels${only ? ' (errors only)' : ''}`));
      await ctx.plot(right, traces(ctx, res, hover, 'pred', only), layout(`${title}: predictions${only ? ' (errors only)' : ''}`));
      showSelection(ctx, selection, res, []);
      for (const [gd, other] of [[left, right], [right, left]]) {
        gd.removeAllListeners?.('plotly_selected');
        gd.removeAllListeners?.('plotly_deselect');
        gd.on('plotly_selected', (ev) => {
          const idx = ev && ev.points ? [...new Set(ev.points.map((pt) => pt.customdata))] : [];
          mirror([other], idx);
          showSelection(ctx, selection, res, idx).catch((e) => {
            if (e.name !== 'AbortError') ctx.error(selection, e);
          });
        });
        gd.on('plotly_deselect', () => {
          mirror([other], null);
          showSelection(ctx, selection, res, []);
        });
      }
    };
    errorsOnly.addEventListener('change', () => {
      ctx.setParams({errors: errorsOnly.checked ? 1 : null});
      if (res) draw();
    });
    const compute = async (q, btn) => {
      Object.assign(p, q);
      ctx.setParams({...Object.fromEntries(Object.keys(DEFAULTS).map((k) => [k, null])), ...requestBody(p)});
      if (btn) btn.disabled = true;
      status.replaceChildren();
      purge(left);
      purge(right);
      try {
        await ctx.loading([left, right], async () => {
          const same = first && early && JSON.stringify(early.body) === JSON.stringify(requestBody(p));
          const start = same ? early.answer : startProjection(ctx.api, ctx.runId, p);
          first = false;
          res = await ctx.job(start, {el: status, pollNow: same, onProgress: (job) => {
            if (same && job.state === 'done') early.ready = true;
          }});
          info.textContent = methodInfo(res);
          await draw();
          root.dataset.projection = JSON.stringify(requestBody(p));
        }, {kind: 'chart', height: HEIGHT, onError: (e) => showJobError(ctx, status, e)});
      } finally {
        if (btn) btn.disabled = false;
      }
    };
    root.append(controls(ctx, p, compute, errorsOnly), status, info,
      el('div', {class: 'row'}, left, right), selection);
    await compute({}, null);
  },
};
