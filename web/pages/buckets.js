// buckets.js - the Buckets page (issue #11): the run's entity F1 broken down
// by ExplainaBoard's NER attributes (entity and sentence length, density, OOV
// rate, token and entity frequency, label consistency, capitalisation,
// position, document), one bar chart per attribute with each bucket's
// bootstrap interval as a whisker; a second run, picked on the page, is
// overlaid with the same bucket edges. A click on a bucket lists its cases
// (errors first) with links to the sentence. Everything from
// GET /api/v1/runs/{id}/buckets (docs/api.md). Hash: #/buckets?run=1&b=2.
import {classChip} from '../lib/labels.js';
import {hasRun} from '../lib/pagekit.js';

const SVG = 'http://www.w3.org/2000/svg';
const W = 380;
const H = 190;
const PAD = {l: 34, r: 8, t: 10, b: 44};
const RUN_CLASS = ['bk-a', 'bk-b'];

function svg(tag, attrs, ...kids) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) n.setAttribute(k, v);
  for (const k of kids) if (k !== null && k !== undefined) n.append(k);
  return n;
}

function runName(r) {
  const model = (r.model_path || '').split('/').filter(Boolean).slice(-2).join('/') || 'model';
  const data = (r.data_path || '').split('/').filter(Boolean).pop() || 'data';
  return `#${r.id} \u00b7 ${model} on ${data}`;
}

/** One attribute's chart: a group per bucket, a bar per run, whiskers lo..hi. */
function chart(attr, nRuns, onPick) {
  const plotW = W - PAD.l - PAD.r;
  const plotH = H - PAD.t - PAD.b;
  const y = (v) => PAD.t + plotH * (1 - v);
  const n = attr.buckets.length;
  const gw = n ? plotW / n : plotW;
  const bw = Math.min(28, (gw - 8) / nRuns);
  const root = svg('svg', {viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: 'bk-chart',
    role: 'img', 'aria-label': `F1 by ${attr.name}`});
  for (const v of [0, 0.5, 1])
    root.append(svg('line', {x1: PAD.l, x2: W - PAD.r, y1: y(v), y2: y(v), class: 'bk-grid'}),
      svg('text', {x: PAD.l - 4, y: y(v) + 4, class: 'bk-axis', 'text-anchor': 'end'}, String(v)));
  attr.buckets.forEach((b, k) => {
    const x0 = PAD.l + k * gw + (gw - bw * nRuns) / 2;
    const g = svg('g', {class: 'bk-bucket', 'data-bucket': k, tabindex: 0});
    g.append(svg('rect', {x: PAD.l + k * gw, y: PAD.t, width: gw, height: plotH, class: 'bk-hit'}));
    b.runs.forEach((r, i) => {
      const x = x0 + i * bw;
      g.append(svg('rect', {x, y: y(r.f1), width: bw - 2, height: Math.max(0, y(0) - y(r.f1)),
        class: `bk-bar ${RUN_CLASS[i]}`}, svg('title', {},
        `${i ? 'B' : 'A'} ${b.label}: F1 ${r.f1.toFixed(4)} [${r.lo.toFixed(4)}, ${r.hi.toFixed(4)}], ${r.cases} cases`)));
      const cx = x + (bw - 2) / 2;
      g.append(svg('path', {d: `M${cx} ${y(r.lo)}V${y(r.hi)}M${cx - 3} ${y(r.lo)}h6M${cx - 3} ${y(r.hi)}h6`,
        class: 'bk-whisker'}));
    });
    const label = b.label.replace(/^document /, '#');
    const room = Math.max(3, Math.floor(gw / 6));
    g.append(svg('text', {x: PAD.l + k * gw + gw / 2, y: H - PAD.b + 14, class: 'bk-axis', 'text-anchor': 'middle'},
      label.length > room ? label.slice(0, room - 1) + '\u2026' : label));
    if (n <= 6)
      g.append(svg('text', {x: PAD.l + k * gw + gw / 2, y: H - PAD.b + 27, class: 'bk-count', 'text-anchor': 'middle'},
        b.runs.map((r) => r.cases).join(' / ')));
    g.addEventListener('click', () => onPick(k));
    g.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') onPick(k);
    });
    root.append(g);
  });
  return root;
}

/** The cases of bucket k, per run: text, gold and predicted type, a link to the sentence. */
function cases(ctx, data, attr, k) {
  const {el} = ctx;
  const b = attr.buckets[k];
  return el('div', {class: 'bk-cases', 'data-role': 'cases'},
    el('h3', {}, `${attr.name} ${b.label}`),
    ...b.runs.map((r, i) => {
      const run = data.runs[i].run;
      return el('div', {},
        el('p', {class: 'muted'}, el('span', {class: `c-tag ${i ? 'c-b' : 'c-a'}`}, i ? 'B' : 'A'),
          `${r.cases} cases, F1 ${r.f1.toFixed(4)} [${r.lo.toFixed(4)}, ${r.hi.toFixed(4)}] ` +
          `(${r.tp} right of ${r.gold} gold, ${r.pred} predicted)` +
          (r.samples.length < r.cases ? `; the first ${r.samples.length}, errors first` : '')),
        el('table', {class: 'c-table'},
          el('thead', {}, el('tr', {}, ...['sentence', 'words', 'gold', 'predicted'].map((h) => el('th', {}, h)))),
          el('tbody', {}, ...r.samples.map((s) => el('tr', {class: s.gold === s.pred ? null : 'bk-wrong'},
            el('td', {}, el('a', {href: `#/inspect?run=${run}&sentence=${s.sentence}`}, `#${s.sentence}`)),
            el('td', {}, s.text),
            el('td', {}, s.gold === 'O' ? 'O' : classChip(ctx, s.gold)),
            el('td', {}, s.pred === 'O' ? 'O' : classChip(ctx, s.pred)))))));
    }));
}

function attributeCard(ctx, data, attr) {
  const {el} = ctx;
  const out = el('div', {});
  const card = el('div', {class: 'card bk-card', 'data-attr': attr.name},
    el('h2', {}, attr.name.replace(/_/g, ' ')),
    el('p', {class: 'muted'}, `${attr.description} (${attr.kind})`),
    chart(attr, data.runs.length, (k) => {
      for (const g of card.querySelectorAll('.bk-bucket')) g.classList.toggle('bk-on', Number(g.dataset.bucket) === k);
      out.replaceChildren(cases(ctx, data, attr, k));
    }),
    out);
  return card;
}

function toolbar(ctx, b, go) {
  const {el} = ctx;
  const sel = el('select', {'data-role': 'run-b', 'aria-label': 'run B'},
    el('option', {value: ''}, 'none'),
    ...[...ctx.runs].reverse().filter((r) => r.id !== ctx.runId).map((r) =>
      el('option', {value: r.id, selected: r.id === b}, runName(r))));
  sel.addEventListener('change', () => go(sel.value ? Number(sel.value) : null));
  return el('div', {class: 'card c-toolbar'},
    el('span', {}, el('span', {class: 'c-tag c-a'}, 'A'), runName(ctx.runs.find((r) => r.id === ctx.runId))),
    el('label', {}, el('span', {class: 'c-tag c-b'}, 'B'), ' compare with ', sel));
}

export const page = {
  id: 'buckets',
  title: 'Buckets',
  async render(root, ctx) {
    const {el} = ctx;
    if (!hasRun(ctx, root, 'Start a run on the Home / Setup page to see its buckets.')) return;
    const host = el('div', {});
    root.append(host);
    const pick = (b) => show(b).catch((e) => {
      if (e.name !== 'AbortError') ctx.error(host, e);
    });
    const show = async (b) => {
      ctx.setParams({b});
      const data = await ctx.api(`runs/${ctx.runId}/buckets`, {query: {samples: 50, ...(b ? {compare: b} : {})}});
      const bs = data.bootstrap;
      host.replaceChildren(toolbar(ctx, b, pick),
        el('p', {class: 'muted', 'data-role': 'about'},
          `${data.runs[0].cases.toLocaleString('en-US')} cases (distinct gold or predicted spans)` +
          (data.runs[1] ? ` in A, ${data.runs[1].cases.toLocaleString('en-US')} in B, bucketed with A\u2019s edges` : '') +
          `. Reference: run ${data.reference.run}, ${data.reference.of}. Whiskers: ${Math.round(100 * bs.level)}% ` +
          `bootstrap over sentences, ${bs.resamples} resamples, seed ${bs.seed}. Click a bucket for its cases.`),
        el('div', {class: 'bk-grid-cards'}, ...data.attributes.map((a) => attributeCard(ctx, data, a))));
    };
    const want = Number(ctx.params.get('b'));
    await show(ctx.runs.some((r) => r.id === want && r.id !== ctx.runId) ? want : null);
  },
};
