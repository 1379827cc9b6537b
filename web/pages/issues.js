// issues.js - the Label issues page (issue #9): the run's sentences,
// entities or words ranked by how likely their labels are wrong
// (`explainer issues`, docs/architecture.md "Label issues"), filtered by
// kind, signal, entity type and verdict; the current item's sentence inline
// with gold and prediction, the evidence of every signal (probabilities,
// neighbours with their sentences, the other occurrences of the string with
// their labels) and a verdict recorded with a key: j/k move, h/l step
// through an item's flagged words, 1-4 decide, u undoes. Verdicts the data
// no longer has words for (stale: kept, never applied) are counted in the
// header and listed by the verdict filter "stale". Hash:
// #/issues?run=1&level=word&kind=type&signal=cl&type=PER&verdict=open.
import {hasRun} from '../lib/pagekit.js';
import {labelChip} from '../lib/labels.js';
import {VERDICT_KINDS, kindInfo, staleNode, verdictText} from '../lib/verdicts.js';
import {fmt} from '../lib/dom.js';

const LEVELS = [['sentence', 'Sentences'], ['entity', 'Entities'], ['word', 'Words']];
const KINDS = [['', 'any kind'], ['type', 'type'], ['boundary', 'boundary'], ['missing', 'missing'],
  ['spurious', 'spurious']];
const SIGNALS = [['any', 'any signal'], ['confidence', 'low self-confidence'],
  ['cl', 'confident learning'], ['neighbours', 'neighbours disagree'],
  ['consistency', 'inconsistent string'], ['structure', 'ill-formed tag']];
const VERDICTS = [['', 'any'], ['open', 'not reviewed'], ['done', 'reviewed'],
  ...VERDICT_KINDS.map((k) => [k.kind, k.title.toLowerCase()]), ['stale', 'stale (data changed)']];
const SHOW = 25; // items added per "load more"
const SCAN = 100; // items asked per request while a verdict filter drops some
const FLAG = 0.5; // a word of a sentence is to review from this combined score on

const cap = (text) => text.charAt(0).toUpperCase() + text.slice(1);
const sameLabels = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
/** A score with d decimals ('–' for none): 1 shows as 1.00 in a column of scores. */
const num = (x, d = 2) => (x === null || x === undefined || Number.isNaN(x) ? '–' : Number(x).toFixed(d));

/** The run has no scores: say how to make them. */
async function noScores(ctx, root, err) {
  const {el} = ctx;
  const setup = await ctx.api('setup').catch(() => null);
  const db = (setup && setup.database) || 'RUN.db';
  const newest = ctx.runs.length && ctx.runs[ctx.runs.length - 1].id === ctx.runId;
  const cmd = `explainer issues ${db}${newest ? '' : ` --run ${ctx.runId}`}`;
  root.append(el('div', {class: 'empty', 'data-role': 'no-scores'},
    el('h2', {}, 'This run has no label-issue scores yet'),
    el('p', {}, 'Score its words, entities and sentences once (a few seconds on the demo, ' +
      'about 20 s for CoNLL-2003 test against its training split), then reload this page:'),
    el('pre', {class: 'iss-cmd'}, cmd, '\n', `${cmd} --reference train.conll   # also against the training data`),
    el('p', {class: 'muted'}, `The server said: ${err.message}`)));
}

const verdictCount = (ctx, n) => [ctx.el('b', {}, fmt(n, 0)), ` verdict${n === 1 ? '' : 's'} on this data`];

/** The stale verdicts' note (null when none): how many, and a link to them. */
function staleNote(ctx) {
  const n = ctx.verdicts.stale().length;
  return n ? ctx.el('div', {class: 'iss-warn', role: 'note', 'data-role': 'stale-note'},
    ctx.el('strong', {}, `${fmt(n, 0)} stale verdict${n === 1 ? '' : 's'}. `),
    `The data changed under ${n === 1 ? 'it' : 'them'}: the words ${n === 1 ? 'it was' : 'they were'} given on ` +
    'are gone or different. Kept, never applied to this run. ',
    ctx.el('a', {href: `#/issues?run=${ctx.runId}&verdict=stale`, 'data-role': 'stale-link'}, 'Show them')) : null;
}

/** Summary line and, when the probabilities are not out of sample, the warning. */
function header(ctx, sum, nVerdicts) {
  const {el} = ctx;
  const s = sum.summary || {};
  const w = sum.weights || {};
  const conf = w.confidence === undefined ? '–'
    : +(w.confidence * (sum.over_confident ? w.over_confident ?? 0.25 : 1)).toFixed(3);
  const stat = (n, what) => el('span', {class: 'iss-stat'}, el('b', {}, fmt(n, 0)), ` ${what}`);
  const parts = [
    el('div', {class: 'iss-stats'},
      stat(s.flagged, 'words flagged'), stat(s.cl_issues, 'confident-learning issues'),
      stat(s.ill_formed, 'ill-formed tags'), stat(s.sentences, 'sentences scored'),
      el('span', {class: 'iss-stat', 'data-role': 'verdict-count'}, verdictCount(ctx, nVerdicts))),
    el('p', {class: 'muted iss-how'},
      `Combined score = ${conf} × (1 − self-confidence) + ${w.neighbours ?? '–'} × neighbours ` +
      `+ ${w.consistency ?? '–'} × consistency; ${sum.k} nearest neighbours by hidden state` +
      (sum.neighbours ? '' : ' (no neighbour signal: the run stores no hidden states, or they would not fit in memory)') +
      (sum.reference_run ? `; reference: run #${sum.reference_run}.` : '; no reference split.')),
  ];
  parts.unshift(staleNote(ctx));
  if (sum.over_confident)
    parts.unshift(el('div', {class: 'iss-warn', role: 'note', 'data-role': 'over-confident'},
      el('strong', {}, 'Over-confident probabilities. '),
      `${cap(sum.over_confident_reason || 'the model has probably been trained on this data')}. ` +
      'A model is sure of the labels it was trained on, wrong ones too, so its confidence says little here: ' +
      'the ranking leans on the neighbours and the consistency (the confidence weight is multiplied by ' +
      `${w.over_confident ?? 0.25}).`));
  return el('div', {class: 'card iss-head'}, parts);
}

/** A select over pairs [[value, text]]; onchange(value). */
function choice(ctx, role, label, pairs, value, onchange) {
  const sel = ctx.el('select', {'data-role': role, 'aria-label': label, onchange: () => onchange(sel.value)},
    pairs.map(([v, t]) => ctx.el('option', {value: v, selected: v === value}, t)));
  return ctx.el('label', {}, label, sel);
}

/** An API item as the page's: sentence, span, targets (words to decide on) and what the list shows. */
function normalise(level, it) {
  if (level === 'sentence') {
    const words = it.words || [];
    const flagged = words.filter((w) => w.combined >= FLAG).sort((a, b) => a.rank - b.rank);
    const worst = [...words].sort((a, b) => a.rank - b.rank).slice(0, 1);
    return {key: `s${it.id}`, sid: it.id, rank: it.rank, combined: it.combined,
      targets: (flagged.length ? flagged : worst).map((w) => ({idx: w.idx, start: w.idx, end: w.idx + 1, w})),
      nFlagged: it.n_flagged};
  }
  if (level === 'word')
    return {key: `w${it.sentence}:${it.idx}`, sid: it.sentence, rank: it.rank, combined: it.combined,
      kind: it.kind, targets: [{idx: it.idx, start: it.idx, end: it.idx + 1, w: it}]};
  const targets = [];
  for (let i = it.start; i < it.end; i++) targets.push({idx: i, start: it.start, end: it.end, w: null});
  return {key: `e${it.sentence}:${it.start}:${it.end}:${it.side}`, sid: it.sentence, rank: it.rank,
    combined: it.combined, kind: it.kind, entity: it, targets};
}

/** The first current verdict covering word idx of sentence sid. */
const verdictAt = (ctx, sid, idx) => ctx.verdicts.on(sid).find((v) => v.start <= idx && idx < v.end) || null;

function reviewed(ctx, item) {
  return item.targets.every((t) => verdictAt(ctx, item.sid, t.idx));
}

function passesVerdict(ctx, item, filter) {
  if (!filter) return true;
  if (filter === 'open') return !reviewed(ctx, item);
  if (filter === 'done') return reviewed(ctx, item);
  return item.targets.some((t) => verdictAt(ctx, item.sid, t.idx)?.kind === filter);
}

/** The score as a small bar and its value. */
function scoreBar(ctx, x, title) {
  const {el} = ctx;
  return el('span', {class: 'iss-score', title},
    el('span', {class: 'iss-bar'}, el('span', {style: {width: `${Math.round(100 * (x || 0))}%`}})),
    num(x));
}

/** The inline sentence with the item's words to review marked, the current one outlined. */
function sentenceNode(ctx, item, words, current) {
  const node = ctx.renderSentence(words, {sentence: item.sid});
  const spans = node.querySelectorAll('.w');
  for (const t of item.targets) spans[t.idx]?.classList.add('iss-flag');
  if (current) spans[current.idx]?.classList.add('iss-target');
  return node;
}

/** What a target is: "York  I-LOC → I-ORG  boundary  1.00" with its verdict. */
function targetChip(ctx, item, t, words, onclick) {
  const {el} = ctx;
  const w = t.w || {};
  const word = words[t.idx] || {};
  const v = verdictAt(ctx, item.sid, t.idx);
  const to = w.suggested && w.suggested !== word.gold ? w.suggested : null;
  return el('button', {type: 'button', class: 'iss-tgt', 'data-role': 'target', dataset: {idx: t.idx}, onclick},
    el('b', {}, word.text ?? `word ${t.idx}`), ' ', labelChip(ctx, word.gold),
    to ? [' → ', labelChip(ctx, to)] : null,
    w.kind ? el('span', {class: 'iss-kind'}, w.kind) : null,
    w.combined !== undefined ? el('span', {class: 'iss-num'}, num(w.combined)) : null,
    v ? el('span', {class: `iss-done vd-${v.kind}`, title: verdictText(v)}, kindInfo(v.kind).icon) : null);
}

/** One item of the ranked list. */
function itemNode(ctx, item, words, handlers) {
  const {el} = ctx;
  const e = item.entity;
  const head = el('div', {class: 'iss-item-head'},
    el('a', {class: 'smp-badge', href: `#/inspect?run=${ctx.runId}&sentence=${item.sid}`,
      title: `rank ${item.rank}; open sentence ${item.sid} in Inspect`, onclick: (ev) => ev.stopPropagation()},
    el('span', {class: 'smp-rank'}, String(item.rank)), el('span', {}, `#${item.sid}`)),
    scoreBar(ctx, item.combined, 'combined score: how likely the labels are wrong'),
    e ? el('span', {class: 'iss-ent'}, `${e.side === 'string' ? 'string' : e.side} `, el('b', {}, e.type),
      ` “${e.text}”`, e.suggested && e.suggested !== e.type ? ` → ${e.suggested}` : '') : null,
    item.kind ? el('span', {class: 'iss-kind'}, item.kind) : null,
    item.nFlagged !== undefined ? el('span', {class: 'muted'},
      `${item.nFlagged} flagged word${item.nFlagged === 1 ? '' : 's'}`) : null);
  const li = el('li', {class: 'iss-item', 'data-role': 'issue', dataset: {key: item.key, sid: item.sid},
    onclick: () => handlers.select(item)}, head);
  const refresh = (current) => {
    li.replaceChildren(head, sentenceNode(ctx, item, words, current),
      el('div', {class: 'iss-tgts'}, item.targets.map((t) => targetChip(ctx, item, t, words, (ev) => {
        ev.stopPropagation();
        handlers.select(item, t);
      }))));
    li.classList.toggle('iss-reviewed', reviewed(ctx, item));
  };
  refresh(null);
  return {li, refresh};
}

/** Probabilities of every label, largest first; gold and prediction marked. */
function probsNode(ctx, w) {
  const {el} = ctx;
  const probs = Object.entries(w.probs || {}).sort((a, b) => b[1] - a[1]);
  if (!probs.length) return el('p', {class: 'muted'}, 'This word has no sub-token: no probabilities.');
  return el('div', {class: 'iss-probs', 'data-role': 'probs'}, probs.map(([label, p]) => el('div', {class: 'iss-prob'},
    el('span', {class: 'iss-prob-label'}, labelChip(ctx, label)),
    el('span', {class: 'iss-bar iss-bar-wide'}, el('span', {style: {width: `${Math.max(0.5, 100 * p)}%`,
      background: ctx.labelColor(label) || '#9ca3af'}})),
    el('span', {class: 'iss-num'}, p >= 0.001 ? p.toFixed(3) : p.toExponential(1)),
    el('span', {class: 'iss-tags'}, label === w.gold ? el('span', {class: 'iss-tag'}, 'gold') : null,
      label === w.pred ? el('span', {class: 'iss-tag iss-tag-pred'}, 'predicted') : null))));
}

/** Label counts {"ORG": 3, "part": 1} as chips; "part": inside a longer entity. */
function counts(ctx, c) {
  const {el} = ctx;
  const entries = Object.entries(c || {}).sort((a, b) => b[1] - a[1]);
  if (!entries.length) return el('span', {class: 'muted'}, 'none');
  return entries.map(([k, n]) => el('span', {class: 'iss-count', title: k === 'part' ? 'inside a longer entity' : null},
    k === 'part' ? 'part of one' : labelChip(ctx, k), ` ${n}`));
}

/** The signals of a word, each with its value, whether it flags the word, and what it means. */
function signalsNode(ctx, w, sum) {
  const {el} = ctx;
  const s = w.signals || {};
  const th = ((sum.summary || {}).thresholds || {})[w.gold];
  const kc = w.knn_counts || {};
  const row = (name, value, flagged, why, extra) => el('tr', {class: flagged ? 'iss-on' : null},
    el('th', {}, name), el('td', {class: 'num'}, value), el('td', {}, flagged ? el('span', {class: 'iss-dot'}, '●') : ''),
    el('td', {}, why, extra ? [' ', extra] : null));
  return el('table', {class: 'table iss-signals', 'data-role': 'signals'}, el('tbody', {},
    row('self-confidence', num(s.self_confidence, 3), s.self_confidence < 0.5,
      `p(gold ${w.gold}) ` + (th !== undefined ? `against the class's threshold ${num(th)}` : '')),
    row('margin', num(s.margin, 3), false, 'p(gold) − the best other, normalised to 0..1'),
    row('confident learning', s.cl_issue ? 'issue' : 'no issue', s.cl_issue,
      s.cl_issue ? 'another class beats its threshold: ' : 'cleanlab would keep this label',
      s.cl_issue && s.cl_guess ? labelChip(ctx, s.cl_guess) : null),
    row('neighbours', num(s.knn_split), s.knn_split >= 0.5,
      'the nearest words in this split with another tag (B- and I- apart), each by its cosine, over all k; their types:',
      counts(ctx, kc.split)),
    kc.reference ? row('neighbours (reference)', num(s.knn_ref), s.knn_ref >= 0.5, 'the same in the reference split:',
      counts(ctx, kc.reference)) : null,
    row('consistency', s.consistency === null ? '–' : num(s.consistency), s.consistency >= 0.5,
      s.consistency === null ? 'the string is seen nowhere else' : 'how often the same string is labelled otherwise'),
    row('tag sequence', s.structure ? 'ill-formed' : 'ok', s.structure,
      s.structure ? 'a continuation tag that continues no entity of its type' : 'well-formed'),
    row('combined', num(w.combined, 3), w.combined >= FLAG, `rank ${w.rank}; suggested `,
      w.suggested ? labelChip(ctx, w.suggested) : '–')));
}

/** A sentence's text with word idx marked (words are joined by single spaces). */
function markedText(ctx, text, idx) {
  const words = (text || '').split(' ');
  return words.map((w, i) => [i ? ' ' : '', i === idx ? ctx.el('mark', {}, w) : w]);
}

function neighboursNode(ctx, list, sameRun) {
  const {el} = ctx;
  if (!list || !list.length) return el('p', {class: 'muted'}, 'None.');
  return el('ol', {class: 'iss-nbs'}, list.map((n) => el('li', {},
    n.similarity !== undefined ? el('span', {class: 'iss-num', title: 'cosine similarity of the hidden states'},
      num(n.similarity, 3)) : null,
    labelChip(ctx, n.label),
    el('span', {class: 'iss-ctx'}, markedText(ctx, n.text, n.idx)),
    sameRun ? el('a', {href: `#/inspect?run=${ctx.runId}&sentence=${n.sentence}`}, `#${n.sentence}`)
      : el('span', {class: 'muted'}, `#${n.sentence}`))));
}

function placesNode(ctx, places, sameRun) {
  const {el} = ctx;
  if (!places) return null;
  return [el('p', {class: 'muted'}, `${fmt(places.total, 0)} other occurrence${places.total === 1 ? '' : 's'}` +
    (places.total > places.items.length ? `, the first ${places.items.length}:` : ':')),
  neighboursNode(ctx, places.items, sameRun)];
}

/** Where else the string occurs, with which labels (exact and case-folded; the entity string too). */
function occurrencesNode(ctx, ev) {
  const {el} = ctx;
  const cc = ev.word.consistency_counts || {};
  const line = (what, c) => el('div', {class: 'iss-occ'}, el('span', {class: 'iss-occ-what'}, what), counts(ctx, c));
  const block = (title, c) => c ? [el('h4', {}, title),
    line('this split', c.split), line('this split, any case', c.split_folded),
    ev.reference_run ? [line('reference', c.reference), line('reference, any case', c.reference_folded)] : null] : null;
  return el('div', {'data-role': 'occurrences'},
    block(`“${ev.word.text}”`, cc.word),
    cc.string ? block(`“${cc.string.text}” (${cc.string.class})`, cc.string.counts) : null,
    el('h4', {}, 'Other occurrences in this split'), placesNode(ctx, ev.places.split, true),
    ev.reference_run ? [el('h4', {}, 'In the reference split'), placesNode(ctx, ev.places.reference, false)] : null);
}

/** The evidence of every signal for one word (GET .../issues/sentences/{sid}/words/{idx}). */
function evidenceNode(ctx, ev, sum) {
  const {el} = ctx;
  const nb = ev.neighbours || {};
  const section = (title, role, ...body) => el('section', {class: 'iss-sec', 'data-role': role}, el('h3', {}, title), body);
  return el('div', {class: 'iss-evidence', 'data-role': 'evidence'},
    section('Signals', 'signals-sec', signalsNode(ctx, ev.word, sum)),
    section('Probabilities', 'probs-sec', probsNode(ctx, ev.word)),
    section(`Nearest neighbours in this split (${(nb.split || []).length})`, 'neighbours', neighboursNode(ctx, nb.split, true)),
    ev.reference_run ? section('Nearest neighbours in the reference split', 'ref-neighbours',
      neighboursNode(ctx, nb.reference, false)) : null,
    section('The same string elsewhere', 'occurrences-sec', occurrencesNode(ctx, ev)));
}

// The verdict form of target t of item: the four decisions, the span and its
// correction (the model's prediction pre-filled), why, and the verdict there is.
function verdictForm(ctx, item, t, words, act) {
  const {el} = ctx;
  const v = verdictAt(ctx, item.sid, t.idx);
  const span = v ? {start: v.start, end: v.end} : {start: t.start, end: t.end};
  // The model's prediction; where it agrees with gold, the target's suggested label.
  const fill = (i) => {
    const w = words[i] || {};
    if (i === t.idx && t.w && t.w.suggested && w.pred === w.gold) return t.w.suggested;
    return w.pred || w.gold || 'O';
  };
  const form = {span, labels: v && v.labels ? [...v.labels] : [], why: el('input', {type: 'text',
    class: 'iss-why', placeholder: 'why (optional): a guideline, a source…', value: v ? v.why : '',
    'data-role': 'why'})};
  const fix = el('div', {class: 'iss-fix', 'data-role': 'correction'});
  const opts = (sel) => words.map((w, i) => el('option', {value: i, selected: i === sel}, `${i} ${w.text}`));
  const build = () => {
    const n = span.end - span.start;
    if (form.labels.length !== n) form.labels = Array.from({length: n}, (_, i) => fill(span.start + i));
    const from = el('select', {'aria-label': 'First word', onchange: () => {
      span.start = Math.min(Number(from.value), span.end - 1);
      form.labels = [];
      build();
    }}, opts(span.start));
    const to = el('select', {'aria-label': 'Last word', onchange: () => {
      span.end = Math.max(Number(to.value), span.start) + 1;
      form.labels = [];
      build();
    }}, opts(span.end - 1));
    fix.replaceChildren(el('span', {class: 'iss-fix-span'}, 'Words ', from, ' to ', to),
      ...form.labels.map((l, i) => el('label', {class: 'iss-fix-word'}, el('span', {}, words[span.start + i]?.text),
        el('select', {'data-role': 'fix-label', onchange: (ev) => {
          form.labels[i] = ev.target.value;
        }}, (ctx.run.labels || []).map((x) => el('option', {value: x, selected: x === l}, x))))));
  };
  build();
  const when = (x) => x.replace('T', ' ').replace('Z', ' UTC');
  form.node = el('div', {class: 'iss-verdict', 'data-role': 'verdict-form'},
    el('div', {class: 'iss-buttons'}, VERDICT_KINDS.map((k) => el('button', {type: 'button',
      class: ['btn', 'iss-vbtn', `vd-${k.kind}`, v && v.kind === k.kind ? 'iss-chosen' : null],
      'data-role': `verdict-${k.kind}`, title: `${k.help} (key ${k.key})`, onclick: () => act.decide(k.kind)},
    el('kbd', {}, k.key), ` ${k.title}`))),
    el('div', {class: 'iss-fix-row'}, el('span', {class: 'iss-fix-title'}, 'Correction'), fix),
    form.why,
    v ? el('p', {class: 'iss-current', 'data-role': 'current-verdict'},
      `${kindInfo(v.kind).icon} ${verdictText(v)} · ${v.who}, ${when(v.updated_at)}${v.why ? ` · “${v.why}”` : ''} `,
      el('button', {type: 'button', class: 'btn btn-small', 'data-role': 'undo', onclick: () => act.undo()}, 'Undo (u)'))
      : null,
    el('p', {class: 'iss-msg', 'data-role': 'verdict-msg'}));
  return form;
}

/** The filters; setFilter(name)(value) applies one. */
function controls(ctx, state, setFilter) {
  const {el} = ctx;
  const types = [['', 'any type'], ...ctx.classes.map((c) => [c.name, c.name])];
  const typeSel = choice(ctx, 'type', 'Entity type', types, state.type, setFilter('type'));
  const reviewer = el('input', {type: 'text', value: state.who, placeholder: 'the server’s user', size: 14,
    'aria-label': 'Reviewer', 'data-role': 'reviewer', onchange: () => {
      state.who = reviewer.value.trim();
      localStorage.setItem('explainer.reviewer', state.who);
    }});
  const node = el('div', {class: 'card smp-controls iss-controls'},
    choice(ctx, 'level', 'Show', LEVELS, state.level, setFilter('level')),
    choice(ctx, 'kind', 'Kind', KINDS, state.kind, setFilter('kind')),
    choice(ctx, 'signal', 'Signal', SIGNALS, state.signal, setFilter('signal')),
    typeSel,
    choice(ctx, 'verdict', 'Verdict', VERDICTS, state.verdict, setFilter('verdict')),
    el('label', {}, 'Reviewer', reviewer));
  return {node, typeSel};
}

/**
 * The ranked list: restart() empties it and loads the first items of the
 * filters in state, loadMore() the next (SHOW that pass the verdict filter,
 * which the page applies: the server filters the rest). select(item) opens one.
 */
function makeList(ctx, state, ui, select) {
  const {el} = ctx;
  const levelName = () => ({sentence: 'sentences', entity: 'entities', word: 'words'})[state.level];
  const describe = () => {
    const f = [state.kind && `of kind ${state.kind}`,
      state.signal !== 'any' && `flagged by ${SIGNALS.find(([v]) => v === state.signal)[1]}`,
      state.level === 'entity' && state.type && `of type ${state.type}`].filter(Boolean).join(', ');
    const v = state.verdict ? `; ${VERDICTS.find(([x]) => x === state.verdict)[1]}: ${state.items.length} ` +
      `of the first ${fmt(state.offset, 0)}` : `, showing ${fmt(state.items.length, 0)}`;
    ui.summary.textContent = state.total === 0 ? `No ${[levelName(), f].filter(Boolean).join(' ')}: try other filters.`
      : `${fmt(state.total, 0)} ${levelName()}${f ? ' ' + f : ''}, most suspect first${v}.`;
  };
  // The words (gold, prediction, probability, loss) of a page of items' sentences, in one request.
  async function fetchWords(items) {
    const ids = [...new Set(items.map((i) => i.sid))].filter((id) => !state.words.has(id));
    if (!ids.length) return;
    const r = await ctx.api(`runs/${ctx.runId}/sentences`, {method: 'POST', body: {ids},
      query: {words: 1, sort: 'id', order: 'asc', limit: ids.length}});
    for (const s of r.items) state.words.set(s.id, s.words || []);
  }
  async function more() {
    const seq = state.seq;
    ui.foot.replaceChildren(el('span', {class: 'muted'}, 'Loading…'));
    let added = 0;
    try {
      while (!state.done && added < SHOW && seq === state.seq) {
        const r = await ctx.api(`runs/${ctx.runId}/issues`, {query: {level: state.level, kind: state.kind,
          signal: state.signal, type: state.level === 'entity' ? state.type : null,
          limit: state.verdict ? SCAN : SHOW, offset: state.offset}});
        const items = r.items.map((it) => normalise(state.level, it));
        await fetchWords(items);
        if (seq !== state.seq) return;
        state.total = r.total;
        state.offset += r.items.length;
        state.done = !r.items.length || state.offset >= r.total;
        for (const item of items.filter((i) => passesVerdict(ctx, i, state.verdict))) {
          const node = itemNode(ctx, item, state.words.get(item.sid) || [], {select});
          state.items.push(item);
          state.nodes.set(item.key, node);
          ui.list.append(node.li);
          added++;
        }
      }
    } catch (e) {
      if (e.name === 'AbortError') return;
      ui.foot.replaceChildren();
      ctx.error(ui.foot, e);
      return;
    }
    describe();
    ui.foot.replaceChildren();
    if (!state.done)
      ui.foot.append(el('button', {class: 'btn', type: 'button', 'data-role': 'more', onclick: () => loadMore()},
        'Load more'));
  }
  function loadMore() {
    if (state.done) return Promise.resolve();
    if (!state.busy) {
      const pr = more().finally(() => {
        if (state.busy === pr) state.busy = null;
      });
      state.busy = pr;
    }
    return state.busy;
  }
  // The stale verdicts instead of ranked items: no word of this run to review, each can be deleted.
  function showStale() {
    const stale = ctx.verdicts.stale();
    state.done = true;
    ui.summary.textContent = stale.length ? `${fmt(stale.length, 0)} stale verdict${stale.length === 1 ? '' : 's'}: ` +
      'given on words this version of the data no longer has; kept, never applied.' : 'No stale verdicts.';
    ui.list.replaceChildren(...stale.map((v) => staleNode(el, v, ctx.runId, async () => {
      await ctx.verdicts.remove(v.id);
      ui.onVerdicts();
      showStale();
    })));
    ui.detail.replaceChildren(el('p', {class: 'muted'}, 'A stale verdict is on an earlier version of a sentence; ' +
      'give a new one on the sentence as it is now from the other filters.'));
    return Promise.resolve();
  }
  function restart() {
    state.seq++;
    Object.assign(state, {items: [], offset: 0, total: 0, done: false, busy: null, cur: null, target: null,
      form: null});
    state.nodes.clear();
    ui.list.replaceChildren();
    ui.foot.replaceChildren();
    ui.typeSel.hidden = state.level !== 'entity';
    if (state.verdict === 'stale') return showStale();
    ui.detail.replaceChildren(el('p', {class: 'muted'}, 'Pick an issue (or press j) to see its evidence and decide.'));
    return loadMore();
  }
  return {restart, loadMore};
}

/**
 * Reviewing: select(item, target) opens an item's word in the detail panel
 * with its evidence (fetched once, the next item's ahead), step(±1) and
 * stepTarget(±1) move, decide(kind) records a verdict and moves on to the
 * next word without one, undo() deletes the verdict on the current word.
 */
function makeReview(ctx, state, ui, sum, loadMore) {
  const {el} = ctx;
  const act = {};
  let saving = false; // one change at a time: a second key press while one is saved is ignored
  const evidence = (sid, idx) => {
    const key = `${sid}:${idx}`;
    if (!state.evidence.has(key)) {
      const pr = ctx.api(`runs/${ctx.runId}/issues/sentences/${sid}/words/${idx}`);
      pr.catch(() => state.evidence.delete(key));
      state.evidence.set(key, pr);
    }
    return state.evidence.get(key);
  };
  const message = (text) => {
    const m = ui.detail.querySelector('[data-role=verdict-msg]');
    if (m) m.textContent = text;
  };
  const countVerdicts = () => ui.head.querySelector('[data-role=verdict-count]')
    .replaceChildren(...verdictCount(ctx, ctx.verdicts.count()));

  async function showDetail() {
    const {cur: item, target: t} = state;
    const words = state.words.get(item.sid) || [];
    const form = verdictForm(ctx, item, t, words, act);
    const word = words[t.idx] || {};
    const body = el('div', {'data-role': 'evidence-host'}, el('p', {class: 'muted'}, 'Loading the evidence…'));
    state.form = form;
    ui.detail.replaceChildren(
      el('div', {class: 'iss-detail-head'}, el('h2', {}, `Sentence #${item.sid}`),
        el('span', {class: 'muted'}, `rank ${item.rank}`),
        el('a', {href: `#/inspect?run=${ctx.runId}&sentence=${item.sid}`}, 'Inspect ↗')),
      sentenceNode(ctx, item, words, t),
      el('div', {class: 'iss-word'}, el('b', {}, `“${word.text ?? ''}”`), ` word ${t.idx}: gold `,
        labelChip(ctx, word.gold), ' predicted ', labelChip(ctx, word.pred),
        word.prob_pred !== undefined ? el('span', {class: 'muted'}, ` p = ${num(word.prob_pred, 3)}`) : null),
      form.node, body);
    ui.detail.scrollTop = 0;
    try {
      const ev = await evidence(item.sid, t.idx);
      if (state.form !== form) return;
      body.replaceChildren(evidenceNode(ctx, ev, sum));
    } catch (e) {
      if (e.name === 'AbortError' || state.form !== form) return;
      body.replaceChildren();
      ctx.error(body, e);
    }
    // j is the usual next key: have the next item's evidence ready.
    const next = state.items[state.items.indexOf(item) + 1];
    if (next) evidence(next.sid, next.targets[0].idx).catch(() => {});
  }

  act.select = (item, t) => {
    const prev = state.cur;
    state.cur = item;
    state.target = t || (prev === item && state.target) ||
      item.targets.find((x) => !verdictAt(ctx, item.sid, x.idx)) || item.targets[0];
    if (prev && prev !== item) {
      state.nodes.get(prev.key)?.li.classList.remove('iss-current-item');
      state.nodes.get(prev.key)?.refresh(null);
    }
    const node = state.nodes.get(item.key);
    node.li.classList.add('iss-current-item');
    node.refresh(state.target);
    node.li.scrollIntoView({block: 'nearest'});
    showDetail();
  };
  act.step = async (d) => {
    const i = state.cur ? state.items.indexOf(state.cur) + d : 0;
    if (i >= state.items.length && !state.done) await loadMore();
    if (i >= 0 && i < state.items.length) act.select(state.items[i]);
  };
  act.stepTarget = (d) => {
    const ts = state.cur ? state.cur.targets : [];
    const i = ts.indexOf(state.target) + d;
    if (i >= 0 && i < ts.length) act.select(state.cur, ts[i]);
  };
  act.decide = async (kind) => {
    const {cur: item, target: t, form} = state;
    if (!item || !form || saving) return;
    const words = state.words.get(item.sid) || [];
    const gold = words.slice(form.span.start, form.span.end).map((w) => w.gold);
    if (kind === 'label_error' && sameLabels(form.labels, gold))
      return message('The correction equals the gold labels: change a label (or choose another verdict).');
    message('Saving…');
    saving = true;
    try {
      await ctx.verdicts.save({sentence: item.sid, start: form.span.start, end: form.span.end, kind,
        labels: form.labels, who: state.who, why: form.why.value.trim()});
    } catch (e) {
      if (e.name !== 'AbortError') message(`Not saved: ${e.message}`);
      return;
    } finally {
      saving = false;
    }
    countVerdicts();
    for (const it of state.items) if (it.sid === item.sid) state.nodes.get(it.key).refresh(it === item ? t : null);
    const left = item.targets.slice(item.targets.indexOf(t) + 1).find((x) => !verdictAt(ctx, item.sid, x.idx));
    if (left) act.select(item, left);
    else if (state.items.indexOf(item) + 1 < state.items.length || !state.done) act.step(1);
    else act.select(item, t);
  };
  act.undo = async () => {
    const v = state.cur && verdictAt(ctx, state.cur.sid, state.target.idx);
    if (!v || saving) return;
    saving = true;
    try {
      await ctx.verdicts.remove(v.id);
    } catch (e) {
      if (e.name !== 'AbortError') message(`Not undone: ${e.message}`);
      return;
    } finally {
      saving = false;
    }
    countVerdicts();
    act.select(state.cur, state.target);
  };
  return act;
}

/** j/k, h/l (and the arrows), 1-4, u; not while typing in a field (Esc leaves it). */
function bindKeys(ctx, act) {
  document.addEventListener('keydown', (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.target.closest('input, select, textarea')) {
      if (e.key === 'Escape') e.target.blur();
      return;
    }
    const k = VERDICT_KINDS.find((x) => x.key === e.key);
    const fn = {j: () => act.step(1), k: () => act.step(-1), l: () => act.stepTarget(1), h: () => act.stepTarget(-1),
      ArrowRight: () => act.stepTarget(1), ArrowLeft: () => act.stepTarget(-1), u: () => act.undo()}[e.key] ||
      (k && (() => act.decide(k.kind)));
    if (!fn) return;
    e.preventDefault();
    fn();
  }, {signal: ctx.signal});
}

function keyHints(ctx) {
  const {el} = ctx;
  const kbd = (x) => el('kbd', {}, x);
  return el('span', {class: 'muted iss-keys'}, kbd('j'), kbd('k'), ' move ', kbd('h'), kbd('l'), ' word ',
    kbd('1–4'), ' decide ', kbd('u'), ' undo ', kbd('Esc'), ' leave a field');
}

export const page = {
  id: 'issues',
  title: 'Label issues',
  async render(root, ctx) {
    const {el} = ctx;
    if (!hasRun(ctx, root, 'Start a run on the Home / Setup page, then score it with explainer issues.')) return;
    let sum;
    try {
      sum = await ctx.api(`runs/${ctx.runId}/issues/summary`);
    } catch (e) {
      if (e.name === 'ApiError' && e.status === 404) return noScores(ctx, root, e);
      throw e;
    }
    await ctx.verdicts.load();
    const p = ctx.params;
    const pick = (name, pairs, def) => (pairs.some(([v]) => v === p.get(name)) ? p.get(name) : def);
    const state = {
      level: pick('level', LEVELS, 'sentence'), kind: pick('kind', KINDS, ''), signal: pick('signal', SIGNALS, 'any'),
      type: ctx.classes.some((c) => c.name === p.get('type')) ? p.get('type') : '', verdict: pick('verdict', VERDICTS, ''),
      items: [], nodes: new Map(), words: new Map(), evidence: new Map(),
      offset: 0, total: 0, done: false, busy: null, cur: null, target: null, form: null, seq: 0,
      who: localStorage.getItem('explainer.reviewer') || '',
    };
    const defaults = {level: 'sentence', signal: 'any'};
    const setFilter = (k) => (v) => {
      state[k] = v;
      ctx.setParams({[k]: v === (defaults[k] ?? '') ? null : v});
      list.restart();
    };
    const {node: filters, typeSel} = controls(ctx, state, setFilter);
    const ui = {
      head: header(ctx, sum, ctx.verdicts.count()), typeSel,
      summary: el('p', {class: 'smp-summary', 'data-role': 'summary'}),
      list: el('ol', {class: 'iss-list', 'data-role': 'issues'}),
      foot: el('div', {class: 'smp-foot'}),
      detail: el('aside', {class: 'card iss-detail', 'data-role': 'detail'}),
      // after a verdict is deleted from the stale list: the header's counts again
      onVerdicts: () => {
        const head = header(ctx, sum, ctx.verdicts.count());
        ui.head.replaceWith(head);
        ui.head = head;
      },
    };
    root.append(ui.head, filters,
      el('div', {class: 'iss-layout'},
        el('div', {class: 'card iss-main'}, el('div', {class: 'iss-listhead'}, ui.summary, keyHints(ctx)),
          ui.list, ui.foot),
        ui.detail));
    const list = makeList(ctx, state, ui, (item, t) => act.select(item, t));
    const act = makeReview(ctx, state, ui, sum, () => list.loadMore());
    bindKeys(ctx, act);
    await list.restart();
  },
};
