// metrics.js - the Metrics page (issue #4 §2, the original's "Metrics"
// section): seqeval's classification reports in default and strict mode, a
// support-vs-F1 scatter per class, the word-level confusion matrix as a
// heatmap (row-normalised as sklearn's normalize='true' by default, diagonal
// optionally zeroed), the entity error taxonomy and nervaluate, and a
// reliability diagram (calibration of words and entities, overall or per type). Clicking a
// heatmap cell or a taxonomy cell lists those sentences below.
// Hash: #/metrics?run=1&normalize=0&zero_diagonal=1&gold=B-ORG&pred=O or &type=PER&kind=missed.
import {classChip, labelChip} from '../lib/labels.js';
import {preloadPlotly, purge} from '../lib/plot.js';
import {hasRun} from '../lib/pagekit.js';
import {sentenceList} from '../lib/sentences.js';

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

function reportTable(ctx, report) {
  const {el} = ctx;
  if (report.error) return el('p', {class: 'muted'}, `Not available: ${report.error}`);
  const names = Object.keys(report).filter((k) => !AVERAGES.includes(k));
  const row = (name, r, cls) => el('tr', {class: cls},
    el('td', {}, cls ? name : classChip(ctx, name)),
    el('td', {class: 'num'}, f3(r.precision)),
    el('td', {class: 'num'}, f3(r.recall)),
    el('td', {class: 'num m-f1'},
      el('div', {class: 'bar', style: {width: `${Math.round(100 * (r['f1-score'] || 0))}%`}}),
      el('span', {}, f3(r['f1-score']))),
    el('td', {class: 'num'}, int(r.support)));
  return el('table', {class: 'table m-table'},
    el('thead', {}, el('tr', {}, el('th', {}, 'class'), el('th', {class: 'num'}, 'precision'),
      el('th', {class: 'num'}, 'recall'), el('th', {class: 'num'}, 'F1'), el('th', {class: 'num'}, 'support'))),
    el('tbody', {}, names.map((n) => row(n, report[n], null)),
      AVERAGES.filter((a) => report[a]).map((a, i) => row(a, report[a], i ? 'avg' : 'avg avg-first'))));
}

function reportsCard(ctx, m) {
  const {el} = ctx;
  const scheme = m.scheme && m.scheme.data ? m.scheme.data : 'auto';
  return el('div', {class: 'row'},
    el('div', {class: 'card', 'data-role': 'report-default'},
      el('h2', {}, 'Classification report ', el('span', {class: 'm-mode'}, 'default mode (conlleval)')),
      reportTable(ctx, m.seqeval_default)),
    el('div', {class: 'card', 'data-role': 'report-strict'},
      el('h2', {}, 'Classification report ', el('span', {class: 'm-mode'}, `strict mode (${scheme})`)),
      reportTable(ctx, m.seqeval_strict),
      el('p', {class: 'muted m-note'}, 'Strict mode counts an entity only when its tags follow the ' +
        'scheme exactly; ill-formed predictions that default mode repairs are errors here.')));
}

async function scatter(ctx, host, m) {
  const traces = [];
  for (const [key, name, symbol] of [['seqeval_default', 'default mode', 'circle'],
    ['seqeval_strict', 'strict mode', 'diamond-open']]) {
    const rep = m[key];
    if (!rep || rep.error) continue;
    const names = Object.keys(rep).filter((k) => !AVERAGES.includes(k) && rep[k].support > 0);
    traces.push({
      type: 'scatter', mode: symbol === 'circle' ? 'markers+text' : 'markers', name,
      x: names.map((n) => rep[n].support), y: names.map((n) => rep[n]['f1-score']),
      text: names, textposition: 'top center',
      hovertemplate: `%{text} (${name})<br>support %{x}<br>F1 %{y:.3f}<extra></extra>`,
      marker: {size: symbol === 'circle' ? 13 : 11, symbol, line: {width: symbol === 'circle' ? 1 : 2, color: symbol === 'circle' ? '#fff' : undefined},
        color: names.map((n) => (ctx.classes.find((c) => c.name === n) || {}).color || '#6b7280')},
    });
  }
  const ys = traces.flatMap((t) => t.y).filter((y) => y !== null);
  await ctx.plot(host, traces, {
    height: 340, showlegend: true, legend: {orientation: 'h', y: -0.22},
    xaxis: {title: {text: 'support (gold entities)'}, rangemode: 'tozero', zeroline: false, gridcolor: '#eef0f3'},
    yaxis: {title: {text: 'F1'}, range: [Math.max(0, Math.min(...ys) - 0.08), Math.min(1.08, Math.max(...ys) + 0.12)], gridcolor: '#eef0f3'},
    margin: {l: 56, r: 16, t: 12, b: 70},
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
  return el('table', {class: 'table m-table', 'data-role': 'taxonomy'},
    el('thead', {}, el('tr', {}, el('th', {}, 'class'), KINDS.map(([, , t]) => el('th', {class: 'num'}, t)))),
    el('tbody', {},
      types.map((t) => el('tr', {}, el('td', {}, classChip(ctx, t)), KINDS.map(([k, key]) => cell(t, k, key)))),
      el('tr', {class: 'avg avg-first'}, el('td', {}, 'all'), KINDS.map(([k]) => el('td', {class: 'num'}, int(total[k]))))));
}

function nervalTable(ctx, nv) {
  const {el} = ctx;
  const cols = ['correct', 'incorrect', 'partial', 'missed', 'spurious', 'precision', 'recall', 'f1'];
  const schemes = NERVAL.filter((s) => nv && nv[s]);
  if (!schemes.length) return el('p', {class: 'muted'}, 'nervaluate needs B-/I- tags; this run has none.');
  return el('table', {class: 'table m-table'},
    el('thead', {}, el('tr', {}, el('th', {}, 'scheme'), cols.map((c) => el('th', {class: 'num'}, c)))),
    el('tbody', {}, schemes.map((s) => el('tr', {}, el('td', {}, s),
      cols.map((c) => el('td', {class: 'num'}, ['precision', 'recall', 'f1'].includes(c) ? f3(nv[s][c]) : int(nv[s][c])))))));
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
    root.append(reportsCard(ctx, m));

    const scatterHost = el('div', {class: 'm-plot', 'data-role': 'scatter'});
    root.append(el('div', {class: 'card'}, el('h2', {}, 'Support vs F1 per class'),
      el('p', {class: 'muted m-note'}, 'Classes with few gold entities and a low F1 are where more data helps most.'),
      scatterHost));
    const chart = (host, draw, height = 340) => ctx.loading(host, draw, {kind: 'chart', height});
    const scatterDrawn = chart(scatterHost, () => scatter(ctx, scatterHost, m));

    const calHost = el('div', {class: 'm-plot', 'data-role': 'reliability'});
    const cal = await calReq;
    root.append(calibrationCard(ctx, calHost, cal));

    const params = ctx.params;
    const opts = {normalize: params.get('normalize') !== '0', zeroDiag: params.get('zero_diagonal') === '1'};
    const heatHost = el('div', {class: 'm-plot', 'data-role': 'heatmap'});
    ctx.onLeave(() => {
      purge(scatterHost);
      purge(heatHost);
      purge(calHost);
    });
    const examples = el('div', {class: 'card', 'data-role': 'examples', hidden: true});
    const toggle = (key, label, param) => el('label', {},
      el('input', {type: 'checkbox', name: param, checked: opts[key], onchange: async (e) => {
        opts[key] = e.target.checked;
        ctx.setParams({[param]: param === 'normalize' ? (opts[key] ? null : '0') : (opts[key] ? '1' : null)});
        await drawHeat();
      }}), ' ', label);
    const drawHeat = () => heatmap(ctx, heatHost, m.confusion, opts, (gold, pred) => {
      ctx.setParams({gold, pred, type: null, kind: null});
      selectTaxonomy(null);
      showCell(gold, pred);
    });
    root.append(el('div', {class: 'card'}, el('h2', {}, 'Confusion matrix (words)'),
      el('div', {class: 'controls'}, toggle('normalize', 'normalize (share of each gold label)', 'normalize'),
        toggle('zeroDiag', 'zero diagonal (errors only)', 'zero_diagonal'),
        el('span', {class: 'muted'}, 'Click a cell to list its sentences.')),
      heatHost));

    const taxHost = el('div', {class: 'm-scroll'});
    root.append(el('div', {class: 'card'}, el('h2', {}, 'Entity errors'),
      el('p', {class: 'muted m-note m-lead'},
        'Each gold and predicted entity (default mode) classified against the other side. Click a number to list those sentences.'),
      taxHost));
    root.append(el('div', {class: 'card'}, el('h2', {}, 'nervaluate'),
      el('p', {class: 'muted m-note m-lead'},
        'Entity-level counts and scores under the four SemEval 2013 schemes.'),
      el('div', {class: 'm-scroll'}, nervalTable(ctx, m.nervaluate))));
    root.append(examples);

    function selectTaxonomy(td) {
      for (const c of taxHost.querySelectorAll('.m-cell.sel')) c.classList.remove('sel');
      if (td) td.classList.add('sel');
    }
    async function showCell(gold, pred) {
      examples.hidden = false;
      const body = el('div', {});
      examples.replaceChildren(el('h2', {class: 'pick-title'}, 'Words with gold ', labelChip(ctx, gold),
        ' predicted as ', labelChip(ctx, pred)), body);
      examples.scrollIntoView({behavior: 'smooth', block: 'start'});
      await sentenceList(ctx, body, (offset, limit) => ctx.api(`runs/${ctx.runId}/sentences`, {
        query: {gold, pred, words: 1, sort: 'loss', order: 'desc', limit, offset},
      }), {what: 'hold such a word, largest loss first'});
    }
    async function showTaxonomy(type, kind) {
      const k = KINDS.find(([, key]) => key === kind);
      const label = k ? k[2].toLowerCase() : kind;
      examples.hidden = false;
      const body = el('div', {});
      examples.replaceChildren(el('h2', {class: 'pick-title'}, `Sentences with ${label} `,
        classChip(ctx, type), ' entities'), body);
      const {ids} = await ctx.api(`runs/${ctx.runId}/metrics/examples`, {query: {type, kind}});
      examples.scrollIntoView({behavior: 'smooth', block: 'start'});
      await sentenceList(ctx, body, async (offset, limit) => {
        const chunk = ids.slice(offset, offset + limit);
        if (!chunk.length) return {total: ids.length, items: []};
        const r = await ctx.api(`runs/${ctx.runId}/sentences`, {
          query: {ids: chunk.join(','), words: 1, sort: 'id', order: 'asc', limit},
        });
        return {total: ids.length, items: r.items};
      }, {what: 'in dataset order'});
    }
    taxHost.append(taxonomyTable(ctx, m.entity_errors, (type, kind, td) => {
      ctx.setParams({type, kind, gold: null, pred: null});
      selectTaxonomy(td);
      showTaxonomy(type, kind);
    }));

    await Promise.all([scatterDrawn, chart(heatHost, drawHeat, heatHeight(m.confusion.labels.length)),
      chart(calHost, () => reliability(ctx, calHost, cal, 'all'))]);
    if (params.get('gold') && params.get('pred')) {
      await showCell(params.get('gold'), params.get('pred'));
    } else if (params.get('type') && params.get('kind')) {
      selectTaxonomy(taxHost.querySelector(`.m-cell[data-type="${CSS.escape(params.get('type'))}"][data-kind="${CSS.escape(params.get('kind'))}"]`));
      await showTaxonomy(params.get('type'), params.get('kind'));
    }
  },
};
