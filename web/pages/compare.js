// compare.js - the Compare page (issue #11): run B against run A, where A is
// the run picked in the header and B is picked on the page. Per entity type:
// F1 of both with their bootstrap intervals, B - A with its paired bootstrap
// interval and p-value; McNemar's test on the entity decisions; the sentences
// B fixed, broke, or both got wrong differently, with the two predictions
// rendered inline one above the other; the entity decisions B fixed and
// broke. Everything from GET /api/v1/compare (docs/api.md).
// Hash: #/compare?run=1&b=2&type=PER.
import {classChip} from '../lib/labels.js';
import {hasRun, showMore} from '../lib/pagekit.js';

const f4 = (x) => x.toFixed(4);
const signed = (x) => (x > 0 ? '+' : x < 0 ? '\u2212' : '\u00b1') + Math.abs(x).toFixed(4);
const KINDS = [
  ['fixed', 'Fixed', 'A wrong, B right'],
  ['regressed', 'Regressed', 'A right, B wrong'],
  ['both_wrong', 'Both wrong, differently', 'neither matches the gold, and they differ'],
];

function runName(r) {
  const model = (r.model_path || '').split('/').filter(Boolean).slice(-2).join('/') || 'model';
  const data = (r.data_path || '').split('/').filter(Boolean).pop() || 'data';
  return `#${r.id} · ${model} on ${data}`;
}

/** B: the hash's, else the newest run that is not A. */
function pickB(ctx) {
  const others = ctx.runs.filter((r) => r.id !== ctx.runId);
  const want = Number(ctx.params.get('b'));
  return others.some((r) => r.id === want) ? want : others[others.length - 1].id;
}

function toolbar(ctx, b, types, type, go) {
  const {el} = ctx;
  const bSel = el('select', {'data-role': 'run-b', 'aria-label': 'run B'},
    ...[...ctx.runs].reverse().filter((r) => r.id !== ctx.runId).map((r) =>
      el('option', {value: r.id, selected: r.id === b}, runName(r))));
  const tSel = el('select', {'data-role': 'type', 'aria-label': 'entity type of the lists'},
    el('option', {value: ''}, 'every type'),
    ...types.map((t) => el('option', {value: t, selected: t === type}, t)));
  bSel.addEventListener('change', () => go({b: Number(bSel.value), type}));
  tSel.addEventListener('change', () => go({b, type: tSel.value || null}));
  return el('div', {class: 'card c-toolbar'},
    el('span', {'data-role': 'run-a'}, el('span', {class: 'c-tag c-a'}, 'A'),
      runName(ctx.runs.find((r) => r.id === ctx.runId)), el('span', {class: 'muted'}, ' (the header\u2019s run)')),
    el('label', {}, el('span', {class: 'c-tag c-b'}, 'B'), ' ', bSel),
    el('label', {}, 'lists of ', tSel));
}

function interval(ctx, v, lo, hi, diff) {
  const {el} = ctx;
  const fmt = diff ? signed : f4;
  return el('td', {class: 'num'}, el('span', {class: 'c-est'}, fmt(v)), ' ',
    el('span', {class: 'c-ci'}, `[${fmt(lo)}, ${fmt(hi)}]`));
}

function scoreRow(ctx, name, row, isType) {
  const {el} = ctx;
  const d = row.diff;
  const sig = d.lo > 0 ? 'c-up' : d.hi < 0 ? 'c-down' : null;
  return el('tr', {class: [sig, isType ? null : 'c-avg'], dataset: {type: name}},
    el('td', {}, isType ? classChip(ctx, name) : name),
    el('td', {class: 'num'}, row.a.support.toLocaleString('en-US')),
    interval(ctx, row.a.f1, row.a.lo, row.a.hi),
    interval(ctx, row.b.f1, row.b.lo, row.b.hi),
    interval(ctx, d.f1, d.lo, d.hi, true),
    el('td', {class: 'num c-p'}, d.p_value < 0.001 ? '<0.001' : d.p_value.toFixed(3)));
}

function scoresCard(ctx, c) {
  const {el} = ctx;
  const bs = c.bootstrap;
  const m = c.mcnemar;
  const p = c.pairing;
  const unmapped = [...c.labels.only_a.map((l) => `${l} (A only)`), ...c.labels.only_b.map((l) => `${l} (B only)`)];
  return el('div', {class: 'card', 'data-role': 'scores'},
    el('h2', {}, 'F1 per type, B against A'),
    el('p', {class: 'muted', 'data-role': 'pairing'},
      `${p.pairs.toLocaleString('en-US')} sentences paired by ${p.by}` +
      (p.by === 'text' ? ' (the runs read different data)' : ' (same data)') +
      `; ${p.only_a} only in A, ${p.only_b} only in B` +
      (p.gold_differs ? `; ${p.gold_differs} with different gold, left out of the decisions` : '') +
      `. Intervals: ${Math.round(100 * bs.level)}% bootstrap over sentences, ${bs.resamples} resamples, seed ${bs.seed}; ` +
      'B \u2212 A resamples the same sentences for both runs.'),
    unmapped.length ? el('p', {class: 'c-warn', 'data-role': 'unmapped'},
      `Labels that do not map by name: ${unmapped.join(', ')}.`) : null,
    el('table', {class: 'c-table'},
      el('thead', {}, el('tr', {},
        el('th', {}, 'type'), el('th', {class: 'num'}, 'support'),
        el('th', {class: 'num'}, 'F1 A [interval]'), el('th', {class: 'num'}, 'F1 B [interval]'),
        el('th', {class: 'num'}, 'B \u2212 A [interval]'), el('th', {class: 'num'}, 'p'))),
      el('tbody', {},
        ...c.types.map((t) => scoreRow(ctx, t.type, t, true)),
        scoreRow(ctx, 'micro avg', c.micro, false),
        scoreRow(ctx, 'macro avg', c.macro, false))),
    el('p', {'data-role': 'mcnemar'},
      `McNemar on ${m.decisions.toLocaleString('en-US')} entity decisions: A alone right ${m.a_only_right}, ` +
      `B alone right ${m.b_only_right}; \u03c7\u00b2 ${m.chi2.toFixed(3)} (p ${m.p_chi2.toPrecision(3)}), ` +
      `exact binomial p ${m.p_exact.toPrecision(3)}.`));
}

/** One listed sentence: A's and B's predictions rendered inline against the gold. */
function pairItem(ctx, s) {
  const {el} = ctx;
  const words = (pred) => s.words.map((text, i) => ({text, gold: s.gold[i], pred: pred[i]}));
  return el('li', {class: 'c-item', dataset: {a: s.a_id, b: s.b_id}},
    el('div', {class: 'c-meta'},
      el('a', {href: `#/inspect?run=${ctx.runId}&sentence=${s.a_id}`, title: 'open A\u2019s sentence in Inspect'}, `A #${s.a_id}`),
      el('span', {}, `B #${s.b_id}`),
      el('span', {}, `${s.changed} decision${s.changed === 1 ? '' : 's'} changed`)),
    el('div', {class: 'c-line'}, el('span', {class: 'c-tag c-a'}, 'A'), ctx.renderSentence(words(s.pred_a))),
    el('div', {class: 'c-line'}, el('span', {class: 'c-tag c-b'}, 'B'), ctx.renderSentence(words(s.pred_b))));
}

function sentencesCard(ctx, c, kind, title, what) {
  const {el} = ctx;
  const list = c.sentences[kind];
  const ul = el('ul', {class: 'c-list'});
  const card = el('div', {class: 'card', 'data-role': `sentences-${kind}`},
    el('h2', {}, `${title} `, el('span', {class: 'chip'}, list.total.toLocaleString('en-US'))),
    el('p', {class: 'muted'}, `Sentences where ${what}, the most changed decisions first` +
      (list.items.length < list.total ? ` (the first ${list.items.length})` : '') + '.'),
    ul);
  if (!list.items.length) ul.append(el('li', {class: 'muted'}, 'None.'));
  else card.append(showMore(ctx, list.items, 5, (s) => ul.append(pairItem(ctx, s))));
  return card;
}

function entitiesCard(ctx, c) {
  const {el} = ctx;
  const row = (kind, e) => el('tr', {class: `c-${kind}`},
    el('td', {}, kind === 'fixed' ? 'fixed' : 'regressed'),
    el('td', {}, el('a', {href: `#/inspect?run=${ctx.runId}&sentence=${e.a_id}`}, `#${e.a_id}`)),
    el('td', {}, e.text),
    el('td', {}, e.gold ? 'gold ' : 'not gold ', classChip(ctx, e.type)),
    el('td', {}, e.pred_a ? classChip(ctx, e.pred_a) : '\u2013'),
    el('td', {}, e.pred_b ? classChip(ctx, e.pred_b) : '\u2013'));
  const f = c.entities.fixed;
  const r = c.entities.regressed;
  const items = [...f.items.map((e) => ['fixed', e]), ...r.items.map((e) => ['regressed', e])];
  const body = el('tbody', {});
  return el('div', {class: 'card', 'data-role': 'entities'},
    el('h2', {}, 'Entity decisions B changed'),
    el('p', {class: 'muted'}, `${f.total} fixed, ${r.total} regressed: gold entities found or lost ` +
      '(listed first), and spans no gold has predicted or dropped. A and B: the type each predicted on ' +
      'exactly that span.'),
    el('table', {class: 'c-table'},
      el('thead', {}, el('tr', {}, ...['', 'sentence', 'words', 'decision', 'A', 'B'].map((h) => el('th', {}, h)))),
      body),
    showMore(ctx, items, 20, ([kind, e]) => body.append(row(kind, e))));
}

export const page = {
  id: 'compare',
  title: 'Compare',
  async render(root, ctx) {
    const {el} = ctx;
    if (!hasRun(ctx, root, 'Start two runs on the Home / Setup page to compare them.')) return;
    if (ctx.runs.length < 2) {
      root.append(el('div', {class: 'empty', 'data-role': 'one-run'}, el('h2', {}, 'Only one run'),
        el('p', {}, 'Compare needs two runs in this database: another model, checkpoint or dataset ' +
          '(explainer run ... -o the same database, or the Home / Setup page).')));
      return;
    }
    const host = el('div', {});
    root.append(host);
    // A pick from the toolbar is not awaited by render(): its failure is shown
    // here, and an abort (the page was left or re-rendered) is no failure.
    const pick = (o) => show(o.b, o.type).catch((e) => {
      if (e.name !== 'AbortError') ctx.error(host, e);
    });
    const show = async (b, type) => {
      ctx.setParams({b, type});
      const c = await ctx.api('compare', {query: {a: ctx.runId, b, top: 50, ...(type ? {type} : {})}});
      host.replaceChildren(
        toolbar(ctx, b, c.types.map((t) => t.type), type, pick),
        scoresCard(ctx, c),
        ...KINDS.map(([kind, title, what]) => sentencesCard(ctx, c, kind, title, what)),
        entitiesCard(ctx, c));
    };
    await show(pickB(ctx), ctx.params.get('type') || null);
  },
};
