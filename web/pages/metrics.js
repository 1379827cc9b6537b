// metrics.js - the Metrics page (issue #4 §2, the original's "Metrics"
// section): seqeval's classification reports in default and strict mode
// (sortable; a row lists the sentences with that class's entity errors), a
// support-vs-F1 scatter per class (axes fitted to the data, labels placed
// apart, a point lists its class's errors), the word-level confusion matrix
// as a heatmap (row-normalised as sklearn's normalize='true' by default,
// diagonal optionally zeroed), the entity error taxonomy and nervaluate,
// and a reliability diagram (calibration of words and entities, overall or
// per type).
// Every click opens the sentences next to the page (ctx.drill), the words or
// entities it counted highlighted; every table exports what it shows.
// Hash: #/metrics?run=1&normalize=0&zero_diagonal=1&gold=B-ORG&pred=O or &type=PER&kind=missed.
import {classChip, labelChip} from '../lib/labels.js';
import {preloadPlotly, purge} from '../lib/plot.js';
import {hasRun} from '../lib/pagekit.js';
import {exportRows} from '../lib/export.js';

const AVERAGES = ['micro avg', 'macro avg', 'weighted avg'];
const KINDS = [
  ['correct', 'correct', 'Correct'],
  ['wrong type', 'type', 'Wrong type'],
  ['wrong boundary', 'boundary', 'Wrong boundary'],
  ['wrong type and boundary', 'type_boundary', 'Wrong type + boundary'],
  ['missed', 'missed', 'Missed'],
  ['spurious', 'spurious', 'Spurious'],
];
const NERVAL = ['strict', 'exact', 'partial', 'ent_type'];
// matplotlib's Blues, white to dark blue (Plotly's own 'Blues' runs dark to light).
const BLUES = [[0, '#f7fbff'], [0.125, '#deebf7'], [0.25, '#c6dbef'], [0.375, '#9ecae1'],
  [0.5, '#6baed6'], [0.625, '#4292c6'], [0.75, '#2171b5'], [0.875, '#08519c'], [1, '#08306b']];

const f3 = (x) => (x === null || x === undefined ? '–' : x.toFixed(3));
const int = (x) => (x === null || x === undefined ? '–' : x.toLocaleString('en-US'));

const REPORT_COLS = [['class', 'class'], ['precision', 'precision'], ['recall', 'recall'],
  ['f1-score', 'F1'], ['support', 'support']];

/**
 * A classification report: its classes sortable by any column (a click on a
 * header; the averages stay below), each row a way to its sentences
 * (onRow(name, tr)), and the rows as shown exportable.
 */
function reportTable(ctx, report, name, onRow) {
  const {el} = ctx;
  if (report.error) return el('p', {class: 'muted'}, `Not available: ${report.error}`);
  const names = Object.keys(report).filter((k) => !AVERAGES.includes(k));
  const sort = {key: null, desc: false};
  const row = (n, r, cls) => el('tr', {class: ['row-click', cls], dataset: {cls: n},
    title: cls ? 'List the sentences with entity errors' : `List the sentences with errors on ${n} entities`,
    onclick: (e) => onRow(cls ? null : n, e.currentTarget)},
  el('td', {}, cls ? n : classChip(ctx, n)),
  el('td', {class: 'num'}, f3(r.precision)),
  el('td', {class: 'num'}, f3(r.recall)),
  el('td', {class: 'num m-f1'},
    el('div', {class: 'bar', style: {width: `${Math.round(100 * (r['f1-score'] || 0))}%`}}),
    el('span', {}, f3(r['f1-score']))),
  el('td', {class: 'num'}, int(r.support)));
  const ordered = () => (sort.key === null ? names : [...names].sort((a, b) => {
    const x = sort.key === 'class' ? a : report[a][sort.key] ?? -1;
    const y = sort.key === 'class' ? b : report[b][sort.key] ?? -1;
    const c = x < y ? -1 : x > y ? 1 : a.localeCompare(b);
    return sort.desc ? -c : c;
  }));
  const averages = AVERAGES.filter((a) => report[a]);
  const body = el('tbody');
  const draw = () => body.replaceChildren(...ordered().map((n) => row(n, report[n], null)),
    ...averages.map((a, i) => row(a, report[a], i ? 'avg' : 'avg avg-first')));
  const head = REPORT_COLS.map(([key, title]) => el('th', {class: [key === 'class' ? null : 'num', 'm-sort'],
    'aria-sort': 'none', title: `Sort by ${title}`, dataset: {key},
    onclick: (e) => {
      sort.desc = sort.key === key ? !sort.desc : key !== 'class';
      sort.key = key;
      for (const th of e.currentTarget.parentNode.children) th.setAttribute('aria-sort', 'none');
      e.currentTarget.setAttribute('aria-sort', sort.desc ? 'descending' : 'ascending');
      draw();
    }}, title));
  draw();
  const exporter = exportRows(`run${ctx.runId}-${name}`, () => ({
    keys: REPORT_COLS.map(([k]) => k),
    rows: [...ordered(), ...averages].map((n) => ({class: n, ...report[n]})),
  }));
  return [el('table', {class: 'table m-table'}, el('thead', {}, el('tr', {}, head)), body),
    el('div', {class: 'table-foot'}, exporter)];
}

function reportsCard(ctx, m, onRow) {
  const {el} = ctx;
  const scheme = m.scheme && m.scheme.data ? m.scheme.data : 'auto';
  return el('div', {class: 'row'},
    el('div', {class: 'card', 'data-role': 'report-default'},
      el('h2', {}, 'Classification report ', el('span', {class: 'm-mode'}, 'default mode (conlleval)')),
      reportTable(ctx, m.seqeval_default, 'report-default', onRow)),
    el('div', {class: 'card', 'data-role': 'report-strict'},
      el('h2', {}, 'Classification report ', el('span', {class: 'm-mode'}, `strict mode (${scheme})`)),
      reportTable(ctx, m.seqeval_strict, 'report-strict', onRow),
      el('p', {class: 'muted m-note'}, 'Strict mode counts an entity only when its tags follow the ' +
        'scheme exactly; ill-formed predictions that default mode repairs are errors here. ' +
        'Click a row to list the sentences with that class\u2019s entity errors.')));
}

/** The axis range of values vs: the data with a margin (a single value: around it). */
function fitted(vs, lo, hi) {
  const min = Math.min(...vs);
  const max = Math.max(...vs);
  const pad = max > min ? 0.12 * (max - min) : Math.max(0.05 * Math.abs(max), 1);
  return [Math.max(lo, min - pad), Math.min(hi, max + pad)];
}

/**
 * Where each class's label goes around its point so that no two labels (and
 * no label and point, others: the other mode's points) overlap: for points
 * in axis fractions, the first of the places around a point whose box is
 * free; boxes in fractions of the plot (a label's width from its length).
 */
function placeLabels(pts, names, others) {
  const W = 0.013; // a character's width in plot fractions (about 7 px of 560)
  const H = 0.07; // a line's height (about 17 px of 250)
  const places = [['top center', 0, 1], ['bottom center', 0, -1], ['middle right', 1, 0],
    ['middle left', -1, 0], ['top right', 1, 1], ['bottom left', -1, -1], ['top left', -1, 1],
    ['bottom right', 1, -1]];
  const taken = [...pts, ...others].map(([x, y]) => [x - 0.015, y - 0.03, x + 0.015, y + 0.03]);
  const free = (b) => !taken.some((t) => b[0] < t[2] && t[0] < b[2] && b[1] < t[3] && t[1] < b[3]);
  return pts.map(([x, y], i) => {
    const w = W * names[i].length;
    const boxes = places.map(([pos, dx, dy]) => {
      const cx = x + dx * (w / 2 + 0.015);
      const cy = y + dy * (H / 2 + 0.02);
      return [pos, [cx - w / 2, cy - H / 2, cx + w / 2, cy + H / 2]];
    });
    const [pos, box] = boxes.find(([, b]) => free(b)) || boxes[0];
    taken.push(box);
    return pos;
  });
}

/** Support against F1 per class, both modes; onClass(name) on a click of a point. */
async function scatter(ctx, host, m, onClass) {
  const modes = [['seqeval_default', 'default mode', 'circle'], ['seqeval_strict', 'strict mode', 'diamond-open']]
    .filter(([key]) => m[key] && !m[key].error);
  const per = modes.map(([key]) => Object.keys(m[key])
    .filter((k) => !AVERAGES.includes(k) && m[key][k].support > 0 && m[key][k]['f1-score'] !== null));
  const xs = per.flatMap((names, i) => names.map((n) => m[modes[i][0]][n].support));
  const ys = per.flatMap((names, i) => names.map((n) => m[modes[i][0]][n]['f1-score']));
  if (!xs.length) {
    host.replaceChildren(ctx.el('p', {class: 'muted'}, 'No class has gold entities.'));
    return;
  }
  const xr = fitted(xs, 0, Infinity);
  const yr = fitted(ys, 0, 1.02);
  const color = (n) => (ctx.classes.find((c) => c.name === n) || {}).color || '#6b7280';
  const frac = (x, y) => [(x - xr[0]) / (xr[1] - xr[0]), (y - yr[0]) / (yr[1] - yr[0])];
  const strict = modes.slice(1).flatMap(([key], i) => per[i + 1].map((n) => frac(m[key][n].support, m[key][n]['f1-score'])));
  const traces = modes.map(([key, name, symbol], i) => {
    const names = per[i];
    const x = names.map((n) => m[key][n].support);
    const y = names.map((n) => m[key][n]['f1-score']);
    const circle = symbol === 'circle';
    return {
      type: 'scatter', mode: circle ? 'markers+text' : 'markers', name, showlegend: false,
      x, y, text: names, customdata: names, cliponaxis: false,
      textposition: circle ? placeLabels(x.map((v, j) => frac(v, y[j])), names, strict) : undefined,
      hovertemplate: `%{text} (${name})<br>support %{x}<br>F1 %{y:.3f}<extra>click: its errors</extra>`,
      marker: {size: circle ? 13 : 11, symbol, line: {width: circle ? 1 : 2, color: circle ? '#fff' : undefined},
        color: names.map(color)},
    };
  });
  // The legend tells the modes apart by shape, in grey: a class colour there would read as a class.
  const legend = modes.map(([, name, symbol]) => ({type: 'scatter', mode: 'markers', name, x: [null], y: [null],
    hoverinfo: 'skip', marker: {size: 11, symbol, color: '#6b7280', line: {width: symbol === 'circle' ? 1 : 2, color: symbol === 'circle' ? '#fff' : '#6b7280'}}}));
  await ctx.plot(host, [...traces, ...legend], {
    height: 340, showlegend: true, legend: {orientation: 'h', y: -0.22},
    xaxis: {title: {text: 'support (gold entities)'}, range: xr, zeroline: false, gridcolor: '#eef0f3'},
    yaxis: {title: {text: 'F1'}, range: yr, gridcolor: '#eef0f3'},
    margin: {l: 56, r: 24, t: 16, b: 70},
  });
  host.dataset.labels = JSON.stringify(traces[0] ? traces[0].textposition : []);
  host.removeAllListeners?.('plotly_click');
  host.on('plotly_click', (ev) => {
    const p = ev.points && ev.points[0];
    if (p && p.customdata) onClass(p.customdata);
  });
}

// The reliability diagram: each level's bins (mean confidence, accuracy) against the diagonal.
async function reliability(ctx, host, cal, type) {
  const traces = [{type: 'scatter', mode: 'lines', x: [0, 1], y: [0, 1], name: 'perfect calibration',
    line: {dash: 'dot', color: '#9ca3af', width: 1}, hoverinfo: 'skip'}];
  for (const [level, plural, symbol] of [['word', 'words', 'circle'], ['entity', 'entities', 'diamond']]) {
    const c = type === 'all' ? cal[level].all : cal[level].types[type];
    if (!c) continue;
    const keep = c.bins.count.map((n, i) => i).filter((i) => c.bins.count[i] > 0);
    traces.push({type: 'scatter', mode: 'lines+markers', name: `${plural} (ECE ${c.ece.toFixed(3)})`,
      x: keep.map((i) => c.bins.confidence[i]), y: keep.map((i) => c.bins.accuracy[i]),
      customdata: keep.map((i) => c.bins.count[i]), marker: {symbol, size: 8},
      hovertemplate: `${plural}: %{customdata}<br>confidence %{x:.3f}<br>accuracy %{y:.3f}<extra></extra>`});
  }
  host.dataset.ece = JSON.stringify({word: (type === 'all' ? cal.word.all : cal.word.types[type] || {}).ece,
    entity: (type === 'all' ? cal.entity.all : cal.entity.types[type] || {}).ece});
  await ctx.plot(host, traces, {
    height: 340, showlegend: true, legend: {orientation: 'h', y: -0.22},
    xaxis: {title: {text: 'confidence (bin mean)'}, range: [0, 1.02], gridcolor: '#eef0f3'},
    yaxis: {title: {text: 'accuracy'}, range: [0, 1.02], gridcolor: '#eef0f3'},
    margin: {l: 56, r: 16, t: 12, b: 70},
  });
}

function calibrationCard(ctx, host, cal) {
  const {el} = ctx;
  const types = ['all', ...new Set([...Object.keys(cal.word.types), ...Object.keys(cal.entity.types)])];
  const pick = el('select', {name: 'calibration_type', onchange: () => reliability(ctx, host, cal, pick.value)},
    types.map((t) => el('option', {value: t}, t === 'all' ? 'all types' : t)));
  return el('div', {class: 'card', 'data-role': 'calibration'}, el('h2', {}, 'Calibration'),
    el('p', {class: 'muted m-note'}, `Reliability diagram (${cal.bins} equal-width bins): a word's confidence ` +
      'is the probability of its predicted label, an entity\'s the lowest of its words\'. Points below ' +
      'the diagonal are over-confident. ECE: the mean gap, weighted by the bins\' counts.'),
    el('div', {class: 'controls'}, el('label', {}, 'type ', pick)), host);
}

function matrixValues(conf, normalize, zeroDiag) {
  return conf.counts.map((row, i) => {
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((c, j) => (zeroDiag && i === j ? 0 : normalize ? (sum ? c / sum : 0) : c));
  });
}

const heatHeight = (n) => Math.max(360, 44 * n + 120);

async function heatmap(ctx, host, conf, opts, onCell) {
  const z = matrixValues(conf, opts.normalize, opts.zeroDiag);
  const max = Math.max(...z.flat());
  const text = z.map((row) => row.map((v) => (opts.normalize ? v.toFixed(2) : String(v))));
  const n = conf.labels.length;
  host.dataset.values = JSON.stringify(z.map((row) => row.map((v) => +v.toFixed(4))));
  await ctx.plot(host, [{
    type: 'heatmap', z, x: conf.labels, y: conf.labels, text, texttemplate: '%{text}',
    textfont: {size: n > 12 ? 9 : 11}, colorscale: BLUES, zmin: 0, zmax: max || 1,
    xgap: 1, ygap: 1,
    customdata: conf.counts,
    hovertemplate: 'gold %{y}<br>predicted %{x}<br>' +
      (opts.normalize ? 'share of the gold row %{z:.3f}<br>' : '') + 'words %{customdata}<extra></extra>',
    colorbar: {thickness: 12, outlinewidth: 0},
  }], {
    height: heatHeight(n),
    xaxis: {title: {text: 'predicted label'}, side: 'bottom', tickangle: -30, type: 'category'},
    yaxis: {title: {text: 'gold label'}, autorange: 'reversed', type: 'category'},
    margin: {l: 90, r: 16, t: 12, b: 90},
  });
  host.removeAllListeners?.('plotly_click');
  host.on('plotly_click', (ev) => {
    const p = ev.points && ev.points[0];
    if (p) onCell(p.y, p.x);
  });
}

function taxonomyTable(ctx, errors, onCell) {
  const {el} = ctx;
  const types = Object.keys(errors).filter((t) => KINDS.some(([k]) => errors[t][k] > 0));
  const total = {};
  for (const [k] of KINDS) total[k] = types.reduce((a, t) => a + errors[t][k], 0);
  const cell = (type, k, key) => {
    const v = errors[type][k];
    if (!v) return el('td', {class: 'num m-zero'}, '0');
    return el('td', {class: 'num m-cell', title: `List the sentences with ${k} ${type} entities`,
      dataset: {type, kind: key}, onclick: (e) => onCell(type, key, e.currentTarget)}, int(v));
  };
  const exporter = exportRows(`run${ctx.runId}-entity-errors`, () => ({
    keys: ['class', ...KINDS.map(([k]) => k)],
    rows: [...types.map((t) => ({class: t, ...errors[t]})), {class: 'all', ...total}],
  }));
  return [el('table', {class: 'table m-table', 'data-role': 'taxonomy'},
    el('thead', {}, el('tr', {}, el('th', {}, 'class'), KINDS.map(([, , t]) => el('th', {class: 'num'}, t)))),
    el('tbody', {},
      types.map((t) => el('tr', {}, el('td', {}, classChip(ctx, t)), KINDS.map(([k, key]) => cell(t, k, key)))),
      el('tr', {class: 'avg avg-first'}, el('td', {}, 'all'), KINDS.map(([k]) => el('td', {class: 'num'}, int(total[k])))))),
  el('div', {class: 'table-foot'}, exporter)];
}

function nervalTable(ctx, nv) {
  const {el} = ctx;
  const cols = ['correct', 'incorrect', 'partial', 'missed', 'spurious', 'precision', 'recall', 'f1'];
  const schemes = NERVAL.filter((s) => nv && nv[s]);
  if (!schemes.length) return el('p', {class: 'muted'}, 'nervaluate needs B-/I- tags; this run has none.');
  const exporter = exportRows(`run${ctx.runId}-nervaluate`, () => ({
    keys: ['scheme', ...cols], rows: schemes.map((s) => ({scheme: s, ...nv[s]}))}));
  return [el('table', {class: 'table m-table'},
    el('thead', {}, el('tr', {}, el('th', {}, 'scheme'), cols.map((c) => el('th', {class: 'num'}, c)))),
    el('tbody', {}, schemes.map((s) => el('tr', {}, el('td', {}, s),
      cols.map((c) => el('td', {class: 'num'}, ['precision', 'recall', 'f1'].includes(c) ? f3(nv[s][c]) : int(nv[s][c]))))))),
  el('div', {class: 'table-foot'}, exporter)];
}

export const page = {
  id: 'metrics',
  title: 'Metrics',
  async render(root, ctx) {
    const {el} = ctx;
    if (!hasRun(ctx, root, 'Start a run on the Home / Setup page to see its metrics.')) return;
    // The chart library and both requests at once; the cards show skeletons until drawn.
    preloadPlotly();
    const calReq = ctx.api(`runs/${ctx.runId}/calibration`);
    calReq.catch(() => {}); // awaited below, where a failure shows
    const m = await ctx.api(`runs/${ctx.runId}/metrics`);
    const params = ctx.params;
    const taxHost = el('div', {class: 'm-scroll'});

    function selectTaxonomy(td) {
      for (const c of taxHost.querySelectorAll('.m-cell.sel')) c.classList.remove('sel');
      if (td) td.classList.add('sel');
    }
    // Every click opens the sentences next to the page; the hash keeps the last one.
    const showCell = (gold, pred, anchor) => {
      ctx.setParams({gold, pred, type: null, kind: null});
      selectTaxonomy(null);
      return ctx.drill(anchor, {
        title: ['Words with gold ', labelChip(ctx, gold), ' predicted as ', labelChip(ctx, pred)],
        query: {gold, pred, sort: 'loss', order: 'desc'}, what: 'hold such a word, largest loss first',
      });
    };
    const showErrors = (type, kind, anchor) => {
      const k = KINDS.find(([, key]) => key === kind);
      const what = k ? k[2].toLowerCase() : 'wrong (any kind but correct)';
      ctx.setParams({type, kind, gold: null, pred: null});
      selectTaxonomy(k && anchor && anchor.matches('.m-cell') ? anchor : null);
      return ctx.drill(anchor, {
        title: [`Sentences with ${what} `, type ? classChip(ctx, type) : null, ' entities'],
        query: {error_kind: kind, error_type: type, sort: 'loss', order: 'desc'},
        what: 'hold such an entity, largest loss first',
      });
    };

    root.append(reportsCard(ctx, m, (type, tr) => showErrors(type, 'errors', tr)));
    const scatterHost = el('div', {class: 'm-plot', 'data-role': 'scatter'});
    root.append(el('div', {class: 'card'}, el('h2', {}, 'Support vs F1 per class'),
      el('p', {class: 'muted m-note'}, 'Classes with few gold entities and a low F1 are where more data helps most. ' +
        'Click a point to list its class\u2019s entity errors.'),
      scatterHost));
    const chart = (host, draw, height = 340) => ctx.loading(host, draw, {kind: 'chart', height});
    const scatterDrawn = chart(scatterHost, () => scatter(ctx, scatterHost, m,
      (type) => showErrors(type, 'errors', scatterHost)));

    const calHost = el('div', {class: 'm-plot', 'data-role': 'reliability'});
    const cal = await calReq;
    root.append(calibrationCard(ctx, calHost, cal));

    const opts = {normalize: params.get('normalize') !== '0', zeroDiag: params.get('zero_diagonal') === '1'};
    const heatHost = el('div', {class: 'm-plot', 'data-role': 'heatmap'});
    ctx.onLeave(() => {
      purge(scatterHost);
      purge(heatHost);
      purge(calHost);
    });
    const toggle = (key, label, param) => el('label', {},
      el('input', {type: 'checkbox', name: param, checked: opts[key], onchange: async (e) => {
        opts[key] = e.target.checked;
        ctx.setParams({[param]: param === 'normalize' ? (opts[key] ? null : '0') : (opts[key] ? '1' : null)});
        await drawHeat();
      }}), ' ', label);
    const drawHeat = () => heatmap(ctx, heatHost, m.confusion, opts, (gold, pred) => showCell(gold, pred, heatHost));
    root.append(el('div', {class: 'card'}, el('h2', {}, 'Confusion matrix (words)'),
      el('div', {class: 'controls'}, toggle('normalize', 'normalize (share of each gold label)', 'normalize'),
        toggle('zeroDiag', 'zero diagonal (errors only)', 'zero_diagonal'),
        el('span', {class: 'muted'}, 'Click a cell to list its sentences.')),
      heatHost));

    root.append(el('div', {class: 'card'}, el('h2', {}, 'Entity errors'),
      el('p', {class: 'muted m-note m-lead'},
        'Each gold and predicted entity (default mode) classified against the other side. Click a number to list those sentences.'),
      taxHost));
    root.append(el('div', {class: 'card'}, el('h2', {}, 'nervaluate'),
      el('p', {class: 'muted m-note m-lead'},
        'Entity-level counts and scores under the four SemEval 2013 schemes.'),
      el('div', {class: 'm-scroll'}, nervalTable(ctx, m.nervaluate))));
    taxHost.append(...taxonomyTable(ctx, m.entity_errors, (type, kind, td) => showErrors(type, kind, td)));

    await Promise.all([scatterDrawn, chart(heatHost, drawHeat, heatHeight(m.confusion.labels.length)),
      chart(calHost, () => reliability(ctx, calHost, cal, 'all'))]);
    if (params.get('gold') && params.get('pred')) {
      await showCell(params.get('gold'), params.get('pred'), heatHost);
    } else if (params.get('kind')) {
      const type = params.get('type') || null;
      const td = taxHost.querySelector(`.m-cell[data-type="${CSS.escape(type || '')}"][data-kind="${CSS.escape(params.get('kind'))}"]`);
      await showErrors(type, params.get('kind'), td);
    }
  },
};
