// duplicates.js - the Find Duplicates page: clusters of near-duplicate
// sentences, annotation inconsistencies ("same text, different labels")
// first. By default a pair is two sentences whose word 1- and 2-grams
// overlap (Jaccard) at least as much as the slider says, ranked with the
// cosine of their vectors; "Sentence vectors" is ExplaiNER's cosine search.
// Datelines and one-word lines take part only when asked; a second run turns
// it into a leakage search (this run's sentences that repeat the other's).
// Each sentence shows its gold labels, the words whose labels disagree
// marked. A click on a cluster (or on one of its pairs) lists its sentences
// of this run next to the page (ctx.drill), the disagreeing words (or, with
// the same labels, the words the other sentences lack) highlighted; the
// pairs of the clusters shown export as CSV / JSONL. The server computes it as a job cached per parameters
// (POST /runs/{id}/duplicates), so going back to a setting is instant.
// Hash: #/duplicates?run=1&mode=lexical&threshold=0.5&trivial=1&reference=2&encoder=...
import {fg, labelClass} from '../lib/colors.js';
import {hasRun, showJobError, showMore} from '../lib/pagekit.js';
import {exportRows} from '../lib/export.js';

const LIMIT = 200; // clusters asked for
const PAGE = 25; // clusters drawn at once; "Show more" adds the next ones
const MODES = {
  lexical: {label: 'Words (n-gram overlap)', what: 'Jaccard', min: 0.3, max: 1, step: 0.01, def: 0.5},
  vectors: {label: 'Sentence vectors', what: 'cosine', min: 0.5, max: 1, step: 0.005, def: 0.95},
};

/** The words of one variant with their gold labels: entities on their class colour, `marked` words outlined. */
function goldSentence(ctx, v, marked) {
  const {el} = ctx;
  const root = el('div', {class: 'sentence dup-sentence'});
  let box = null;
  let boxClass = null;
  v.words.forEach((w, i) => {
    const g = v.gold[i];
    const cls = labelClass(g);
    const word = el('span', {class: ['w', marked.has(i) ? 'dup-diff' : null], title: `gold: ${g ?? '–'}`,
      dataset: {i: String(i)}}, w);
    if (!cls) {
      box = null;
      root.append(word, ' ');
      return;
    }
    if (!box || cls !== boxClass || !/^I[-_]/.test(g)) {
      const color = ctx.labelColor(g);
      box = el('span', {class: 'dup-ent', style: {borderColor: color}});
      boxClass = cls;
      root.append(box, ' ');
      box.append(el('span', {class: 'dup-tag', style: {background: color, color: fg(color)}}, cls));
    }
    box.append(' ', word);
  });
  return root;
}

/** Each listed variant's words whose gold labels differ from its partner's in some pair. */
function markedWords(c) {
  const marked = c.variants.map(() => new Set());
  for (const p of c.pairs)
    for (const [i, j] of p.label_diff) {
      marked[p.a].add(i);
      marked[p.b].add(j);
    }
  return marked;
}

function variantRow(ctx, res, v, k, marked) {
  const {el} = ctx;
  const other = res.reference && v.run === res.reference;
  // This run's sentences carry their verdict badges; the other run's are not this run's to judge.
  const links = v.ids.map((id) => el('span', {},
    el('a', {href: `#/inspect?run=${v.run}&sentence=${id}`}, `#${id}`),
    v.run === ctx.runId ? ctx.verdicts.badge(id) : null));
  return el('div', {class: 'dup-variant', dataset: {run: String(v.run), ids: v.ids.join(' ')}},
    el('div', {class: 'dup-where'}, el('span', {class: 'dup-num'}, String(k + 1)),
      res.reference ? el('span', {class: ['chip', other ? 'dup-ref' : 'chip-strong']}, `run #${v.run}`) : null,
      links.flatMap((a, k) => (k ? [' ', a] : [a])),
      v.n > v.ids.length ? el('span', {class: 'muted'}, ` +${v.n - v.ids.length}`) : null,
      v.n > 1 ? el('span', {class: 'chip dup-copies'}, `${v.n} copies`) : null),
    goldSentence(ctx, v, marked));
}

function fmt(x) {
  return x === null || x === undefined ? '–' : x.toFixed(3);
}

/**
 * Open the drill panel on the variants ks of cluster c (this run's sentences
 * only; the other run's are not in this run's list), each sentence's words
 * marked: those whose gold labels differ from another variant's in a pair
 * among ks, else those no other variant among ks has.
 */
function drillVariants(ctx, anchor, c, ks, title) {
  const variant = new Map(); // sentence id -> variant index
  for (const k of ks)
    if (c.variants[k].run === ctx.runId) for (const id of c.variants[k].ids) variant.set(id, k);
  if (!variant.size) return;
  const diff = new Map(ks.map((k) => [k, new Set()]));
  for (const p of c.pairs)
    if (diff.has(p.a) && diff.has(p.b))
      for (const [i, j] of p.label_diff) {
        diff.get(p.a).add(i);
        diff.get(p.b).add(j);
      }
  const marks = (s) => {
    const k = variant.get(s.id);
    let idx = [...(diff.get(k) || [])];
    if (!idx.length) {
      const others = new Set(ks.filter((o) => o !== k).flatMap((o) => c.variants[o].words));
      idx = c.variants[k].words.map((w, i) => (others.has(w) ? -1 : i)).filter((i) => i >= 0);
    }
    return idx.sort((a, b) => a - b).map((i) => [i, i + 1]);
  };
  ctx.drill(anchor, {title, query: {ids: [...variant.keys()].join(','), sort: 'id', order: 'asc'}, marks,
    what: 'in the selection'});
}

function pairLine(ctx, c, p) {
  const {el} = ctx;
  return el('li', {class: 'dup-pair row-click', title: 'List both sentences, their differences highlighted',
    onclick: (e) => {
      e.stopPropagation();
      drillVariants(ctx, e.currentTarget, c, [p.a, p.b], `Pair ${p.a + 1} ↔ ${p.b + 1} (similarity ${fmt(p.sim)})`);
    }}, `${p.a + 1} ↔ ${p.b + 1}: similarity ${fmt(p.sim)} ` +
    `(Jaccard ${fmt(p.jaccard)}, cosine ${fmt(p.cosine)})`,
  p.conflict ? el('strong', {class: 'dup-conflict-text'}, ` · labels differ on ${p.label_diff.length} word` +
    (p.label_diff.length === 1 ? '' : 's')) : null);
}

function clusterCard(ctx, res, c) {
  const {el} = ctx;
  const marked = markedWords(c);
  const across = res.reference && new Set(c.variants.map((v) => v.run)).size > 1;
  const head = el('div', {class: 'dup-head'},
    c.conflict ? el('span', {class: 'dup-badge dup-badge-conflict'}, 'same text, different labels') : null,
    across ? el('span', {class: 'dup-badge dup-badge-leak'}, 'in both runs') : null,
    !c.n_pairs ? el('span', {class: 'dup-badge'}, 'exact copies') : null,
    el('span', {class: 'muted'}, `${c.size} sentences · best similarity ${fmt(c.score)}`),
    c.n_pairs === 1 ? el('span', {class: 'muted dup-metrics'},
      `Jaccard ${fmt(c.pairs[0].jaccard)} · cosine ${fmt(c.pairs[0].cosine)}`) : null);
  const card = el('div', {class: ['card', 'dup-cluster', 'row-click', c.conflict ? 'dup-is-conflict' : null],
    dataset: {conflict: c.conflict ? '1' : '0'}, title: 'List these sentences next to the page',
    onclick: (e) => {
      if (e.target.closest('a, summary, .vd-badges')) return;
      drillVariants(ctx, e.currentTarget, c, c.variants.map((v, k) => k),
        c.n_pairs === 1 ? `Pair of similarity ${fmt(c.score)}` : `Cluster of ${c.size} sentences`);
    }}, head,
  c.variants.map((v, k) => variantRow(ctx, res, v, k, marked[k])));
  if (c.n_variants > c.variants.length)
    card.append(el('p', {class: 'muted'}, `and ${c.n_variants - c.variants.length} more variants`));
  if (c.pairs.length > 1)
    card.append(el('details', {class: 'dup-pairs'}, el('summary', {}, `${c.n_pairs} pairs`),
      el('ol', {}, c.pairs.map((p) => pairLine(ctx, c, p)))));
  return card;
}

function summaryText(res) {
  const m = MODES[res.mode];
  const n = (x) => x.toLocaleString('en-US');
  const s = (x, one, many) => `${n(x)} ${x === 1 ? one : many}`;
  const how = res.method === 'lsh' ? `MinHash LSH (${res.lsh.bands} bands × ${res.lsh.rows} rows)`
    : res.method === 'exact' ? 'exact index' : 'every pair';
  return `${s(res.n_clusters, 'cluster', 'clusters')} · ${s(res.n_pairs, 'pair', 'pairs')} at ${m.what} ≥ ` +
    `${res.threshold.toFixed(2)} · ${s(res.n_conflicts, 'pair', 'pairs')} with the same text and other labels · ` +
    `${n(res.n_sentences)} sentences` + (res.reference ? ` against ${n(res.n_reference)} of run #${res.reference}` : '') +
    (res.trivial ? '' : ` · ${n(res.n_trivial)} trivial lines hidden`) + ` · ${how}` +
    (res.mode === 'lexical' ? (res.vectors ? ', ranked with the vectors’ cosine' : ', no vectors') : '') +
    (res.encoder ? ` · vectors of ${res.encoder}` : '') +
    (res.n_clusters > res.clusters.length ? ` (the first ${res.clusters.length} clusters listed)` : '');
}

const PAIR_KEYS = ['cluster', 'run_a', 'a', 'text_a', 'run_b', 'b', 'text_b', 'sim', 'jaccard', 'cosine',
  'conflict', 'label_diff'];

/** The pairs of the clusters shown, as rows (a sentence: the first id of its variant). */
function pairRows(res, shown) {
  return shown.flatMap((c) => c.pairs.map((p) => {
    const a = c.variants[p.a];
    const b = c.variants[p.b];
    return {cluster: res.clusters.indexOf(c) + 1, run_a: a.run, a: a.ids[0], text_a: a.words.join(' '),
      run_b: b.run, b: b.ids[0], text_b: b.words.join(' '), sim: p.sim, jaccard: p.jaccard, cosine: p.cosine,
      conflict: p.conflict, label_diff: p.label_diff};
  }));
}

function resultList(ctx, res) {
  const {el} = ctx;
  if (!res.clusters.length)
    return el('div', {class: 'empty dup-empty'}, el('p', {}, 'No near-duplicates at this threshold.'));
  const body = el('div', {class: 'dup-clusters'});
  const shown = [];
  const more = showMore(ctx, res.clusters, PAGE, (c) => {
    body.append(clusterCard(ctx, res, c));
    shown.push(c);
  });
  return el('div', {}, body, el('div', {class: 'dup-more'}, more,
    exportRows(`run${ctx.runId}-duplicates`, () => ({keys: PAIR_KEYS, rows: pairRows(res, shown)}))));
}

function runName(r) {
  const data = (r.data_path || '').split('/').filter(Boolean).pop() || 'data';
  return `#${r.id} · ${data}${r.split ? ' (' + r.split + ')' : ''}`;
}

/** The controls, their values read from the hash; returns {node, read(), slider, ...}. */
function controls(ctx) {
  const {el} = ctx;
  const p = ctx.params;
  const mode = el('select', {name: 'mode', 'aria-label': 'Similarity'},
    Object.entries(MODES).map(([k, m]) => el('option', {value: k, selected: p.get('mode') === k}, m.label)));
  const m = MODES[mode.value];
  const t = Number(p.get('threshold'));
  const slider = el('input', {type: 'range', class: 'dup-slider', min: m.min, max: m.max, step: m.step,
    value: t >= m.min && t <= m.max ? t : m.def, 'aria-label': 'Similarity threshold'});
  const shown = el('output', {class: 'dup-shown'}, Number(slider.value).toFixed(3));
  const trivial = el('input', {type: 'checkbox', name: 'trivial', checked: p.get('trivial') === '1'});
  const reference = el('select', {name: 'reference', 'aria-label': 'Compare with run'},
    el('option', {value: ''}, 'nothing: within this run'),
    (ctx.runs || []).filter((r) => r.id !== ctx.runId).map((r) =>
      el('option', {value: r.id, selected: String(r.id) === p.get('reference')}, runName(r))));
  const encoder = el('input', {type: 'text', class: 'dup-encoder', name: 'encoder',
    value: p.get('encoder') || '', placeholder: 'sentence-transformers folder (optional)',
    'aria-label': 'Encoder model folder'});
  const btn = el('button', {class: 'btn btn-primary', type: 'button'}, 'Find');
  const what = el('span', {}, `${m.what} at least `);
  const node = el('div', {class: 'card controls dup-controls'},
    el('label', {}, 'Similarity ', mode), el('label', {}, what, slider), shown,
    el('label', {}, trivial, ' Show trivial lines (datelines, one-word lines)'),
    el('label', {}, 'Compare with ', reference), el('label', {}, 'Encoder ', encoder), btn);
  const read = () => ({mode: mode.value, threshold: Number(slider.value), trivial: trivial.checked,
    reference: reference.value ? Number(reference.value) : null, encoder: encoder.value.trim() || null});
  const setMode = () => {
    const k = MODES[mode.value];
    Object.assign(slider, {min: k.min, max: k.max, step: k.step});
    slider.value = k.def;
    shown.textContent = Number(slider.value).toFixed(3);
    what.textContent = `${k.what} at least `;
  };
  return {node, read, slider, shown, mode, trivial, reference, encoder, btn, setMode};
}

export const page = {
  id: 'duplicates',
  title: 'Find Duplicates',
  async render(root, ctx) {
    const {el} = ctx;
    if (!hasRun(ctx, root, 'Make a run on the Home / Setup page first.')) return;
    const c = controls(ctx);
    const summary = el('p', {class: 'muted dup-summary'});
    const legend = el('p', {class: 'muted dup-legend'}, 'Each sentence with its gold labels: ',
      el('span', {class: 'dup-ent dup-legend-ent'}, el('span', {class: 'dup-tag'}, 'CLASS'), ' words'),
      ' an entity; ', el('span', {class: 'w dup-diff'}, 'word'), ' its label differs in the other sentence.');
    const status = el('div');
    const out = el('div', {class: 'dup-result'});
    let seq = 0;
    let timer = null; // the slider's pending search, dropped when the page is left
    ctx.onLeave(() => clearTimeout(timer));
    const find = async () => {
      const q = c.read();
      const mine = ++seq;
      ctx.setParams({mode: q.mode, threshold: q.threshold, trivial: q.trivial ? 1 : undefined,
        reference: q.reference || undefined, encoder: q.encoder || undefined});
      status.replaceChildren();
      try {
        const res = await ctx.job(ctx.api(`/api/v1/runs/${ctx.runId}/duplicates`,
          {method: 'POST', body: {...q, limit: LIMIT}}), {el: status});
        if (mine !== seq) return;
        summary.textContent = summaryText(res);
        out.replaceChildren(resultList(ctx, res));
        root.dataset.threshold = q.threshold.toFixed(3);
      } catch (e) {
        if (e.name === 'AbortError' || mine !== seq) return;
        out.replaceChildren();
        showJobError(ctx, status, e);
      }
    };
    c.slider.addEventListener('input', () => {
      c.shown.textContent = Number(c.slider.value).toFixed(3);
      clearTimeout(timer);
      timer = setTimeout(find, 250);
    });
    c.slider.addEventListener('change', () => {
      clearTimeout(timer);
      find();
    });
    c.mode.addEventListener('change', () => {
      c.setMode();
      find();
    });
    c.trivial.addEventListener('change', find);
    c.reference.addEventListener('change', find);
    c.btn.addEventListener('click', find);
    c.encoder.addEventListener('keydown', (e) => { if (e.key === 'Enter') find(); });
    root.append(c.node, status, summary, legend, out);
    await find();
  },
};
