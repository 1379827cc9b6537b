// app.js - the shell of ExplaiNER's web app: the sidebar of pages, the run
// picker, the search box ("/" focuses it; Enter opens #/search), the link
// to the run's pinned sentences, the class legend with the key to the inline
// encoding of sentences (on every page), the error banner and the
// hash router (#/<page>?run=<id>&<page params>). Each page is web/pages/<id>.js, loaded
// on demand, exporting `page = {id, title, render(root, ctx)}` and maybe
// prefetch({runId, params, api}), called as soon as the module is in, before
// the run's details are (its value is ctx.prefetched: a page sends its first
// request there); app.js marks
// its section data-page-ready="<id>" once render settles. Leaving a page
// aborts ctx.signal: its requests stop, its ctx.onLeave callbacks run and
// its late ctx.setParams calls are ignored.
import {api} from './lib/api.js';
import {el, clear, showError, errorMessage, int} from './lib/dom.js';
import {classesFromLabels, fg} from './lib/colors.js';
import {makeCtx} from './lib/ctx.js';
import {prefetchPlotly} from './lib/plot.js';

// Menu order, titles, one-line descriptions and icons (24x24 stroke paths);
// charts: the page draws with Plotly, which app.js starts fetching at once.
export const PAGES = [
  {id: 'home', title: 'Home / Setup',
    desc: 'Start a new analysis run or open a stored one, and pick the colours and icons of the entity classes.',
    icon: 'M3 11l9-7 9 7v9a1 1 0 0 1-1 1h-5v-6h-6v6H4a1 1 0 0 1-1-1z'},
  {id: 'metrics', title: 'Metrics',
    desc: 'Precision, recall and F1 per class, support against F1, and the confusion matrix of the word labels.',
    icon: 'M4 20V11M10 20V5M16 20v-6M21 20H3', charts: true},
  {id: 'compare', title: 'Compare',
    desc: 'Two runs side by side: F1 per type with the difference, its interval and p-value, McNemar, and the sentences B fixed and broke.',
    icon: 'M8 3v18M16 3v18M3 8h5M16 16h5M3 16l5-4M21 8l-5 4'},
  {id: 'buckets', title: 'Buckets',
    desc: 'Entity F1 by entity and sentence length, frequency, label consistency, capitalisation, position and document, with intervals; two runs overlaid.',
    icon: 'M3 20h18M6 20v-6M10 20V9M14 20v-4M18 20V6'},
  {id: 'misclassified', title: 'Misclassified',
    desc: 'Which labels the model confuses, and every sentence with a given confusion.',
    icon: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM9 9l6 6M15 9l-6 6'},
  {id: 'loss', title: 'Loss by Token/Label',
    desc: 'Loss grouped by word, sub-token and label; a large mean-median gap hints at a systematic labelling problem.',
    icon: 'M3 6l6 6 4-4 8 8M21 11v5h-5'},
  {id: 'samples', title: 'Samples by Loss',
    desc: 'Sentences with the highest total loss first: the quickest way to find labelling errors.',
    icon: 'M4 6h16M4 12h11M4 18h6'},
  {id: 'issues', title: 'Label issues',
    desc: 'Words, entities and sentences whose labels are probably wrong, most suspect first, with the evidence of every signal; decide whose fault each is with the keyboard.',
    icon: 'M5 21V4M5 4h12l-2.5 4L17 12H5'},
  {id: 'random', title: 'Random Samples',
    desc: 'A random draw of sentences rendered inline; resample for another look.',
    icon: 'M16 3h5v5M4 20L21 3M21 16v5h-5M15 15l6 6M4 4l5 5'},
  {id: 'inspect', title: 'Inspect',
    desc: 'One sentence in detail (sub-tokens, labels, predictions, losses) or the whole dataset in a grid.',
    icon: 'M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14zM21 21l-5-5'},
  {id: 'search', title: 'Search',
    desc: 'Sentences by their text (words, a phrase, an entity, a regular expression), labels, errors and loss; pinned sentences.',
    icon: 'M10 4a6 6 0 1 0 0 12 6 6 0 0 0 0-12zM20 20l-5.6-5.6M7.5 10h5'},
  {id: 'raw', title: 'Raw data',
    desc: 'The data as the model saw it: the sub-token and word tables, downloadable as CSV.',
    icon: 'M4 4h16v16H4zM4 10h16M10 4v16'},
  {id: 'probing', title: 'Probing',
    desc: 'Type texts, one per line, and see what the model predicts for each token and how sure it is.',
    icon: 'M4 5h16v11H9l-5 4zM8 9h8M8 12h5'},
  {id: 'hidden', title: 'Hidden States',
    desc: 'The words\u2019 last-layer hidden states projected to 2-D, coloured by gold label and by prediction.',
    icon: 'M6 7h.01M17 6h.01M10 12h.01M15 15h.01M7 17h.01M19 18h.01M12 4h.01',
    dots: true, charts: true},
  {id: 'activations', title: 'Activations',
    desc: 'A text\u2019s feed-forward activations factorised with NMF: which tokens make the same neurons fire.',
    icon: 'M3 12h4l3-8 4 16 3-8h4'},
  {id: 'duplicates', title: 'Find Duplicates',
    desc: 'Near-duplicate sentences in clusters, the same text with different labels first; or repeated across two runs.',
    icon: 'M9 9h11v11H9zM5 15H4V4h11v1'},
  {id: 'debug', title: 'Debug',
    desc: 'Versions, build options, model and tokenizer details, run options and timings.',
    icon: 'M4 17l6-5-6-5M12 19h8'},
];

const state = {
  runs: [],
  endpoints: [],
  available: null, // Set of page ids present in this build
  runCache: new Map(), // run id -> {run, classes}
  leave: null, // AbortController of the page on screen: aborted when it is left
  mountSeq: 0,
  modules: new Map(), // page id -> its import()
  pinsRun: null, // the run whose pin count the header shows
};

const $ = (id) => document.getElementById(id);

function icon(p) {
  return el('svg', {viewBox: '0 0 24 24', 'aria-hidden': 'true', class: p.dots ? 'dots' : null},
    el('path', {d: p.icon}));
}

/** The hash as {id, params}. */
function parseHash() {
  const h = location.hash.replace(/^#\/?/, '');
  const q = h.indexOf('?');
  const id = (q < 0 ? h : h.slice(0, q)) || 'home';
  return {id, params: new URLSearchParams(q < 0 ? '' : h.slice(q + 1))};
}

function hashFor(id, params) {
  const s = params.toString();
  return `#/${id}${s ? '?' + s : ''}`;
}

function banner(msg) {
  const b = $('banner');
  if (!msg) {
    b.hidden = true;
    return;
  }
  clear(b).append(el('span', {}, msg),
    el('button', {class: 'banner-close', type: 'button', 'aria-label': 'Dismiss', onclick: () => banner(null)}, '×'));
  b.hidden = false;
}

function buildNav() {
  const nav = $('nav');
  clear(nav);
  for (const p of PAGES)
    nav.append(el('a', {href: `#/${p.id}`, dataset: {page: p.id}}, icon(p), el('span', {}, p.title)));
}

function updateNav(id, runId) {
  for (const a of $('nav').querySelectorAll('a')) {
    const pid = a.dataset.page;
    a.href = hashFor(pid, new URLSearchParams(runId ? {run: runId} : {}));
    a.classList.toggle('active', pid === id);
    if (pid === id) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
    a.classList.toggle('missing', state.available !== null && !state.available.has(pid));
  }
}

function runLabel(r) {
  // "demo/model": a model folder's own name is often just "model".
  const model = (r.model_path || '').split('/').filter(Boolean).slice(-2).join('/') || 'model';
  const data = (r.data_path || '').split('/').filter(Boolean).pop() || 'data';
  return `#${r.id} · ${model} on ${data}${r.split ? ' (' + r.split + ')' : ''}`;
}

function buildRunPicker(runId) {
  const sel = $('run');
  clear(sel);
  if (!state.runs.length) {
    sel.append(el('option', {value: ''}, 'no runs yet'));
    sel.disabled = true;
    return;
  }
  sel.disabled = false;
  for (const r of [...state.runs].reverse())
    sel.append(el('option', {value: r.id, selected: r.id === runId}, runLabel(r)));
}

function showRunInfo(r) {
  const info = $('run-info');
  clear(info);
  if (!r) return;
  const listed = state.runs.find((x) => x.id === r.id);
  const f1 = listed ? listed.micro_f1 : null;
  info.append(
    el('span', {class: 'chip'}, `${int(r.n_sentences ?? 0)} sentences`),
    el('span', {class: 'chip'}, `${int(r.n_words ?? 0)} words`));
  if (typeof f1 === 'number')
    info.append(el('span', {class: 'chip chip-strong', title: 'micro F1 (seqeval default mode)'},
      `F1 ${f1.toFixed(3)}`));
  const precision = r.options && r.options.precision;
  if (precision)
    info.append(el('span', {class: 'chip chip-warn', 'data-role': 'precision',
      title: `run with --precision ${precision}: the encoder's Linear layers in ${precision}, ` +
        'faster and not exact (fp32 is the exact default; README "Precisions")'}, precision));
}

/** The header's link to the pinned sentences of run (hidden when there is none). */
function showPins(runId, count) {
  const a = $('pins-link');
  a.hidden = !runId || !count;
  a.href = `#/search?run=${runId}&pinned=1`;
  a.textContent = `📌 ${count}`;
  a.title = `${count} pinned sentence${count === 1 ? '' : 's'} in run #${runId}: list them`;
}

/** The search box follows the page: the query of #/search, else empty. */
function showQuery(id, params) {
  $('search').value = id === 'search' ? params.get('q') || '' : '';
}

/** An "i" in a circle, drawn (a glyph such as U+24D8 needs a font that headless Chromium lacks). */
function infoIcon() {
  return el('svg', {viewBox: '0 0 24 24', class: 'key-icon', 'aria-hidden': 'true'},
    el('circle', {cx: 12, cy: 12, r: 9.5}), el('path', {d: 'M12 11v6M12 7.2v.1'}));
}

/** The key to lib/inline.js's rendering, drawn with the run's first class (or grey). */
function encodingKey(classes) {
  const c = classes[0] || {name: 'PER', color: '#999999', icon: ''};
  const sample = (...nodes) => el('span', {class: 'sentence key-sample'}, ...nodes);
  const box = el('span', {class: 'ent', style: {borderColor: c.color}}, c.icon ? el('span', {class: 'ent-icon'}, c.icon) : '',
    el('span', {class: 'w', style: {color: c.color}}, 'Word'));
  const gold = el('span', {class: 'ent ent-none'}, el('span', {class: 'w'}, 'Word'),
    el('span', {class: 'ent-gold', style: {background: c.color, color: fg(c.color)}}, c.name));
  const row = (s, text) => el('li', {}, s, el('span', {}, text));
  return el('details', {class: 'legend-key', 'data-role': 'encoding-key'},
    el('summary', {title: 'How a sentence is drawn'}, infoIcon(), 'Key'),
    el('ul', {class: 'legend-key-body'},
      row(sample(box), `box: the model\u2019s prediction, in its class colour (${c.name} here)`),
      row(sample(gold), 'chip after a word: the gold label, shown when the prediction is wrong'),
      row(sample(el('span', {class: 'ent ent-none'}, el('span', {class: 'w'}, 'Word'))),
        'dashed box: predicted O (no entity) where the gold label has one'),
      row(sample(el('span', {class: 'w'}, 'word')), 'plain: gold and prediction are both O'),
      row(sample(el('span', {class: 'w w-hit'}, 'word')), 'highlighted: why the sentence is in the list'),
      row(el('span', {}, 'hover'), 'a word: its gold label, prediction, probability and loss')));
}

function showLegend(classes) {
  const lg = $('legend');
  clear(lg);
  for (const c of classes)
    lg.append(el('span', {class: 'legend-item', title: `entity class ${c.name}`},
      el('span', {class: 'swatch', style: {background: c.color, color: fg(c.color)}}, c.icon || ''),
      el('span', {class: 'legend-name'}, c.name)));
  lg.append(encodingKey(classes));
}

/** The run object and its classes (settings endpoint if the server has it, else Set1 defaults). */
async function loadRun(runId) {
  if (state.runCache.has(runId)) return state.runCache.get(runId);
  // Both at once: the settings do not depend on the run's answer.
  const [run, s] = await Promise.all([api(`/api/v1/runs/${runId}`),
    state.endpoints.includes('GET /api/v1/runs/{id}/settings') ? api(`/api/v1/runs/${runId}/settings`) : null]);
  let classes = classesFromLabels(run.labels);
  if (s && Array.isArray(s.classes) && s.classes.length) classes = s.classes;
  const entry = {run, classes};
  state.runCache.set(runId, entry);
  return entry;
}

/** Import page id's module once (start() asks for the first page's before the index is in). */
function importPage(id) {
  if (!state.modules.has(id)) state.modules.set(id, import(`./pages/${id}.js`));
  return state.modules.get(id);
}

async function loadModule(id) {
  if (!PAGES.some((p) => p.id === id) || (state.available && !state.available.has(id)))
    return null;
  const mod = await importPage(id);
  return mod.page || null;
}

function notAvailable(section, id) {
  section.append(el('div', {class: 'empty'},
    el('h2', {}, 'This page is not available in this build'),
    el('p', {}, `There is no page module for “${id}” (web/pages/${id}.js).`)));
}

/** Make the ctx and render page id into a fresh section. */
async function mount() {
  const seq = ++state.mountSeq;
  const {id, params} = parseHash();
  const meta = PAGES.find((p) => p.id === id);
  state.leave?.abort();
  banner(null);
  let runId = Number(params.get('run')) || null;
  if (runId && !state.runs.some((r) => r.id === runId)) {
    // A run made since the app loaded (the Setup page starts runs): ask again.
    state.runs = (await api('/api/v1/runs').catch(() => ({items: state.runs}))).items || [];
    if (seq !== state.mountSeq) return;
  }
  if (runId && !state.runs.some((r) => r.id === runId)) {
    banner(`There is no run #${runId} in this database; showing the newest run instead.`);
    runId = null;
  }
  if (!runId && state.runs.length) {
    runId = state.runs[state.runs.length - 1].id;
    params.set('run', runId);
    history.replaceState(null, '', hashFor(id, params));
  }
  updateNav(id, runId);
  buildRunPicker(runId);
  $('page-title').textContent = meta ? meta.title : 'Unknown page';
  $('page-desc').textContent = meta ? meta.desc : '';
  document.title = `${meta ? meta.title : id} · ExplaiNER`;
  const section = el('section', {class: 'page', dataset: {page: id}, 'aria-busy': 'true'});
  clear($('page-host')).append(section);
  const abort = new AbortController();
  state.leave = abort;
  // The page's module (and a chart page's chart library) load while its run
  // does, not after it: the chart library takes longest, and would otherwise
  // only start once the run, the page's module and its own imports are in.
  // Only its bytes: the page runs it once its own requests are on their way.
  if (meta?.charts) prefetchPlotly();
  const modLoad = loadModule(id);
  modLoad.catch(() => {}); // reported by the await below, if reached
  // A page's prefetch sends its own first request (a job to start) as soon as
  // its module is in, while the run's settings are still on the way.
  const pageApi = (path, opts = {}) => api(path, {...opts, signal: opts.signal || abort.signal});
  const prefetched = runId ? modLoad.then((mod) => mod?.prefetch?.({runId, params, api: pageApi})) : null;
  prefetched?.catch(() => {}); // as modLoad
  try {
    const {run, classes} = runId ? await loadRun(runId) : {run: null, classes: []};
    if (seq !== state.mountSeq) return;
    showRunInfo(run);
    showLegend(classes);
    showQuery(id, params);
    if (runId && runId !== state.pinsRun) {
      state.pinsRun = runId;
      api(`/api/v1/runs/${runId}/pins`).then((r) => showPins(runId, r.items.length)).catch(() => {});
    }
    const mod = await modLoad;
    if (seq !== state.mountSeq) return;
    if (!mod) {
      notAvailable(section, id);
    } else {
      const ctx = makeCtx({
        pageId: id, runId, run, runs: state.runs, classes, params, root: section,
        signal: abort.signal, prefetched,
        setParams: (obj) => {
          if (!abort.signal.aborted) setParams(id, params, obj);
        },
        refresh: () => {
          state.runCache.delete(runId);
          return mount();
        },
      });
      await mod.render(section, ctx);
    }
  } catch (e) {
    if (e && e.name === 'AbortError' && seq !== state.mountSeq) return;
    showError(section, e);
  }
  if (seq !== state.mountSeq) return;
  section.removeAttribute('aria-busy');
  section.dataset.pageReady = id;
}

/** ctx.setParams: merge obj into the hash without re-mounting (null/'' removes). */
function setParams(id, params, obj) {
  for (const [k, v] of Object.entries(obj || {})) {
    if (k === 'run') continue;
    if (v === null || v === undefined || v === '' || v === false) params.delete(k);
    else params.set(k, String(v));
  }
  history.replaceState(null, '', hashFor(id, params));
}

/** The header's search box: Enter searches the run (on the Search page, keeping its filters). */
function searchBox() {
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const {id, params} = parseHash();
    const keep = id === 'search' ? params : new URLSearchParams(params.get('run') ? {run: params.get('run')} : {});
    keep.set('q', $('search').value.trim());
    if (!keep.get('q')) keep.delete('q');
    location.hash = hashFor('search', keep);
  });
  // "/" anywhere but in a field puts the cursor in the search box.
  document.addEventListener('keydown', (e) => {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.target.closest('input, select, textarea, [contenteditable]'))
      return;
    e.preventDefault();
    $('search').focus();
    $('search').select();
  });
  document.addEventListener('xnr-pins', (e) => {
    if (e.detail.run === state.pinsRun) showPins(e.detail.run, e.detail.count);
  });
}

async function start() {
  // The page of the address comes with the index, not after it (a module not
  // in this build fails here unseen, and is reported by mount()).
  const first = parseHash().id;
  if (PAGES.some((p) => p.id === first)) importPage(first).catch(() => {});
  buildNav();
  searchBox();
  window.addEventListener('unhandledrejection', (e) => {
    if (e.reason && e.reason.name === 'AbortError') return;
    banner(errorMessage(e.reason));
  });
  $('run').addEventListener('change', (e) => {
    const {id} = parseHash();
    location.hash = hashFor(id, new URLSearchParams({run: e.target.value}));
  });
  try {
    const [index, runs, pages] = await Promise.all([
      api('/api/v1'), api('/api/v1/runs'), api('/app/pages.json')]);
    state.endpoints = index.endpoints || [];
    state.runs = runs.items || [];
    state.available = new Set(pages.pages || []);
    $('version').textContent = `ExplaiNER ${index.version || ''}`;
  } catch (e) {
    banner(`Could not load the runs: ${errorMessage(e)}`);
  }
  window.addEventListener('hashchange', mount);
  await mount();
}

start();
