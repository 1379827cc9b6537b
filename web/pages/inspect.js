// inspect.js - the Inspect page (issue #4 §5, the original's inspect
// section): one sentence by id (prev/next, arrow keys) with its inline
// rendering, its sub-token table (token ids, word ids, tokens, gold labels
// with "IGN" on continuation sub-tokens as the original shows them,
// predictions, probabilities, losses, coloured by label) and its entity spans
// gold against predicted; or the whole dataset in a grid over /words or
// /tokens, paged, sorted and filtered by the server, where a click on a row
// opens that sentence. A list's link brings the words that put the sentence
// there (mark=3-5,7-8): highlighted inline and in the sub-token table, the
// first scrolled into view. An id the run does not have is said so, not
// shown as sentence 0; "Probe this sentence" opens its text in Probing.
// Hash: #/inspect?run=1&sentence=12&mark=3-5, or
// #/inspect?run=1&view=grid&table=tokens&errors=1.
import {fmtNum, labelCell, numCell, lossCell, transposedTable} from '../lib/tokentable.js';
import {labelChip, labelFormatter} from '../lib/labels.js';
import {hasRun} from '../lib/pagekit.js';

/**
 * Entity spans of both sides keyed by (start, end), each with a verdict:
 * correct, wrong type, boundary (overlaps a span of the other side), missed,
 * spurious. Sorted by start.
 */
function spanRows(entities) {
  const key = (e) => `${e.start}:${e.end}`;
  const rows = new Map();
  for (const side of ['gold', 'pred'])
    for (const e of entities[side] || []) {
      const r = rows.get(key(e)) || {start: e.start, end: e.end, gold: null, pred: null};
      r[side] = e.type;
      rows.set(key(e), r);
    }
  const overlaps = (a, side) => (entities[side] || []).some((e) => e.start < a.end && a.start < e.end);
  return [...rows.values()].sort((a, b) => a.start - b.start || a.end - b.end).map((r) => {
    if (r.gold && r.pred) r.verdict = r.gold === r.pred ? 'correct' : 'wrong type';
    else if (r.gold) r.verdict = overlaps(r, 'pred') ? 'boundary' : 'missed';
    else r.verdict = overlaps(r, 'gold') ? 'boundary' : 'spurious';
    return r;
  });
}

function spansTable(ctx, s) {
  const {el} = ctx;
  const rows = spanRows(s.entities || {});
  if (!rows.length) return el('p', {class: 'muted'}, 'No entity in the gold labels or the predictions.');
  const cls = {correct: 'ok', 'wrong type': 'bad', missed: 'bad', spurious: 'bad', boundary: 'part'};
  return el('table', {class: 'table ins-spans', 'data-role': 'spans'},
    el('thead', {}, el('tr', {}, el('th', {}, 'Span'), el('th', {class: 'num'}, 'Words'),
      el('th', {}, 'Gold'), el('th', {}, 'Predicted'), el('th', {}, 'Verdict'))),
    el('tbody', {}, rows.map((r) => el('tr', {},
      el('td', {}, s.words.slice(r.start, r.end).map((w) => w.text).join(' ')),
      el('td', {class: 'num'}, r.end - r.start === 1 ? String(r.start) : `${r.start}–${r.end - 1}`),
      el('td', {}, r.gold ? labelChip(ctx, r.gold) : el('span', {class: 'muted'}, 'none')),
      el('td', {}, r.pred ? labelChip(ctx, r.pred) : el('span', {class: 'muted'}, 'none')),
      el('td', {}, el('span', {class: ['ins-verdict', cls[r.verdict]]}, r.verdict))))));
}

/** "3-5,7-8" as [[3, 5], [7, 8]] (bad parts left out). */
function parseMarks(v) {
  return String(v || '').split(',').map((p) => p.split('-').map(Number))
    .filter(([a, b]) => Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b > a);
}

/** A sub-token's most likely labels (t.top), one line each: label and probability. */
function topCell(ctx, top) {
  const {el} = ctx;
  if (!top || !top.length) return el('div', {class: 'tt-c tt-ign'}, '–');
  return el('div', {class: 'tt-c tt-top', 'data-role': 'top'},
    top.map((x) => el('div', {}, el('span', {class: 'tt-top-label', style: {color: ctx.labelColor(x.label) || null}},
      x.label), ' ', x.p.toFixed(2))));
}

/** The sub-token table: token id, word id, token, gold ("IGN"), pred, p(pred), the 3 most likely labels, loss; marked words' columns highlighted. */
function tokenTable(ctx, s, marks) {
  const {el} = ctx;
  const max = Math.max(0, ...s.tokens.map((t) => t.loss || 0));
  return transposedTable(ctx, ['token id', 'word id', 'token', 'gold', 'pred', 'p(pred)', 'top 3', 'loss'],
    s.tokens.map((t) => {
      const wrong = t.is_first && (t.gold || 'O') !== (t.pred || 'O');
      const hit = marks.some(([a, b]) => a <= t.word_idx && t.word_idx < b);
      return {cls: [t.is_first && t.idx > 0 ? 'tt-start' : null, hit ? 'tt-hit' : null].filter(Boolean).join(' ') || null, cells: [
        numCell(ctx, t.token_id, 0),
        numCell(ctx, t.word_idx, 0),
        el('div', {class: ['tt-c', 'tt-word', wrong ? 'tt-wrong' : null],
          title: `sub-token ${t.idx} of the sentence, bytes ${t.start}–${t.end} of word ${t.word_idx}`}, t.text),
        labelCell(ctx, t.is_first ? t.gold : null, {empty: 'IGN',
          title: t.is_first ? null : 'continuation sub-token: no label, no loss (IGN)'}),
        labelCell(ctx, t.pred, {title: `entropy ${fmtNum(t.entropy, 3)}`}),
        numCell(ctx, t.prob_pred, 3),
        topCell(ctx, t.top),
        lossCell(ctx, t.loss, max),
      ]};
    }), {'data-role': 'subtoken-table'});
}

async function showSentence(ctx, host, sid, marks) {
  const {el} = ctx;
  const s = await ctx.api(`runs/${ctx.runId}/sentences/${sid}`);
  const fact = (name, value) => el('span', {}, `${name} `, el('b', {}, value));
  host.replaceChildren(
    el('div', {class: 'card', 'data-role': 'sentence'},
      el('div', {class: 'ins-title'}, el('h2', {}, `Sentence #${s.id}`), ctx.pins.button(s.id),
        el('a', {class: 'btn ins-probe', 'data-role': 'probe', title: 'Tag this text with the run\u2019s model on the Probing page',
          href: `#/probing?run=${ctx.runId}&text=${encodeURIComponent(s.words.map((w) => w.text).join(' '))}`},
        'Probe this sentence')),
      el('div', {class: 'ins-facts'},
        fact('document', String(s.doc_id)),
        s.source_line !== null ? fact('line', String(s.source_line)) : null,
        fact('words', String(s.n_words)),
        fact('sub-tokens', String(s.n_tokens)),
        fact('total loss', fmtNum(s.loss, 3)),
        fact('word errors', String(s.n_word_errors)),
        fact('entity errors', String(s.n_entity_errors))),
      ctx.renderSentence(s.words, {marks, sentence: s.id})),
    el('div', {class: 'card'}, el('h2', {}, 'Sub-tokens'),
      el('p', {class: 'muted'}, 'As the model saw the sentence (special tokens left out). ' +
        'Only a word\u2019s first sub-token carries its gold label and loss; the others show IGN.'),
      tokenTable(ctx, s, marks)),
    el('div', {class: 'card'}, el('h2', {}, 'Entities: gold against predicted'), spansTable(ctx, s)));
}

function sentenceView(ctx, host, state) {
  let sid = state.sid;
  const {el} = ctx;
  const n = ctx.run.n_sentences || 0;
  const input = el('input', {type: 'number', min: 0, max: Math.max(0, n - 1), step: 1, value: sid,
    'aria-label': 'Sentence id', 'data-role': 'sentence-id'});
  const prev = el('button', {class: 'btn', type: 'button', 'data-role': 'prev', title: 'Previous sentence (←)'}, '← Prev');
  const next = el('button', {class: 'btn', type: 'button', 'data-role': 'next', title: 'Next sentence (→)'}, 'Next →');
  const body = el('div', {class: 'page'});
  host.replaceChildren(
    el('div', {class: 'card smp-controls'},
      el('label', {}, 'Sentence', input, el('span', {class: 'muted'}, `of 0–${n - 1}`)), prev, next,
      el('span', {class: 'muted ins-kbd'}, el('kbd', {}, '←'), ' ', el('kbd', {}, '→'), ' step through sentences')),
    body);
  let seq = 0;
  const go = async (id) => {
    if (!Number.isInteger(id) || id < 0 || id >= n) {
      input.value = sid;
      return;
    }
    // The marks belong to the sentence they came with; another one has none.
    const marks = id === state.sid ? state.marks : [];
    sid = state.sid = id;
    state.marks = marks;
    input.value = id;
    prev.disabled = id <= 0;
    next.disabled = id >= n - 1;
    ctx.setParams({sentence: id, mark: marks.map(([a, b]) => `${a}-${b}`).join(',') || null,
      view: null, table: null, errors: null});
    const mine = ++seq;
    try {
      const part = el('div', {class: 'page'});
      await showSentence(ctx, part, id, marks);
      if (mine !== seq) return;
      body.replaceChildren(...part.childNodes);
      body.querySelector('.w-hit')?.scrollIntoView({block: 'center'});
    } catch (e) {
      if (e.name === 'AbortError' || mine !== seq) return;
      body.replaceChildren();
      ctx.error(body, e);
    }
  };
  input.addEventListener('change', () => go(Math.floor(Number(input.value))));
  prev.addEventListener('click', () => go(sid - 1));
  next.addEventListener('click', () => go(sid + 1));
  state.onKey = (e) => {
    if (e.target.closest('input, select, textarea') || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === 'ArrowLeft' && sid > 0) go(sid - 1);
    else if (e.key === 'ArrowRight' && sid < n - 1) go(sid + 1);
  };
  if (state.missing === null) return go(sid);
  // An id from a link or a typed URL that the run does not have: say so (Next starts at 0).
  body.replaceChildren(el('p', {class: 'error-box', 'data-role': 'no-sentence'},
    `There is no sentence ${state.missing} in this run: its sentences are numbered 0\u2013${n - 1}.`));
  input.value = '';
  prev.disabled = true;
  sid = -1;
  state.missing = null;
}

function gridColumns(ctx, table) {
  const labels = ctx.run.labels || [];
  const labelFilter = {headerFilter: 'list', headerFilterParams: {values: ['', ...labels], clearable: true},
    headerFilterPlaceholder: 'any'};
  const cols = [
    {title: 'Sentence', field: 'sentence_id', format: 'int', sortKey: 'position'},
    {title: table === 'tokens' ? 'Sub-token #' : 'Word #', field: 'idx', format: 'int'},
    {title: table === 'tokens' ? 'Sub-token' : 'Word', field: 'text', sortKey: 'text', minWidth: 140,
      headerFilter: 'input', headerFilterPlaceholder: 'contains…', filterKey: 'q'},
  ];
  if (table === 'tokens')
    cols.push({title: 'Token id', field: 'token_id', format: 'int'},
      {title: 'Word #', field: 'word_idx', format: 'int'});
  cols.push(
    {title: 'Gold', field: 'gold', formatter: labelFormatter(ctx, table === 'tokens' ? 'IGN' : '–'), minWidth: 110,
      ...labelFilter},
    {title: 'Predicted', field: 'pred', formatter: labelFormatter(ctx, '–'), minWidth: 110, ...labelFilter},
    {title: 'p(pred)', field: 'prob_pred', format: 'num', sortKey: 'prob', headerSortStartingDir: 'desc'},
    {title: 'Loss', field: 'loss', format: 'num', sortKey: 'loss', headerSortStartingDir: 'desc'},
    {title: 'Entropy', field: 'entropy', format: 'num', sortKey: 'entropy', headerSortStartingDir: 'desc'});
  return cols;
}

function gridView(ctx, host, state, opts) {
  const {el} = ctx;
  let table = opts.table;
  let errors = opts.errors;
  const words = el('input', {type: 'radio', name: 'ins-table', value: 'words', checked: table === 'words'});
  const tokens = el('input', {type: 'radio', name: 'ins-table', value: 'tokens', checked: table === 'tokens',
    'data-role': 'table-tokens'});
  const err = el('input', {type: 'checkbox', checked: errors, 'data-role': 'errors-only'});
  const gridHost = el('div', {'data-role': 'grid'});
  host.replaceChildren(
    el('div', {class: 'card smp-controls'},
      el('label', {}, words, 'Words'), el('label', {}, tokens, 'Sub-tokens'),
      el('label', {title: 'Only rows whose prediction differs from the gold label'}, err, 'Errors only'),
      el('span', {class: 'muted'}, 'Sort by clicking a header (sentence, text, p, loss, entropy); ' +
        'filter in the header row (text in any case); click a row to open its sentence.')),
    el('div', {class: 'card'}, gridHost));
  state.onKey = null;
  let grid = null;
  const build = () => {
    ctx.setParams({view: 'grid', table: table === 'words' ? null : table, errors: errors ? 1 : null, sentence: null, mark: null});
    if (grid) grid.destroy();
    gridHost.replaceChildren();
    grid = ctx.grid(gridHost, {
      url: `runs/${ctx.runId}/${table}`, columns: gridColumns(ctx, table), pageSize: 50,
      params: () => (errors ? {errors: 1} : {}), tabulator: {layout: 'fitColumns'},
      onRowClick: (row) => opts.open(row.sentence_id, table === 'tokens' ? row.word_idx : row.idx),
      exportUrl: `/api/v1/runs/${ctx.runId}/${table}`,
    });
  };
  const pick = () => {
    table = tokens.checked ? 'tokens' : 'words';
    build();
  };
  words.addEventListener('change', pick);
  tokens.addEventListener('change', pick);
  err.addEventListener('change', () => {
    errors = err.checked;
    ctx.setParams({errors: errors ? 1 : null});
    grid.setData().catch(() => {});
  });
  build();
}

export const page = {
  id: 'inspect',
  title: 'Inspect',
  async render(root, ctx) {
    const {el} = ctx;
    if (!hasRun(ctx, root, 'Start a run on the Home / Setup page to inspect its sentences.')) return;
    const n = ctx.run.n_sentences || 0;
    const p = ctx.params;
    const raw = p.get('sentence');
    const asked = Math.floor(Number(raw));
    const one = el('button', {type: 'button', 'data-role': 'view-sentence'}, 'One sentence');
    const all = el('button', {type: 'button', 'data-role': 'view-grid'}, 'Whole dataset');
    const host = el('div', {class: 'page'});
    root.append(el('div', {}, el('div', {class: 'ins-tabs'}, one, all)), host);
    // The shown sentence, and the arrow keys' handler while the sentence view is up.
    const valid = raw !== null && asked >= 0 && asked < n && String(asked) === raw.trim();
    // missing: the asked id when the run has no such sentence (not quietly sentence 0).
    const state = {sid: valid ? asked : 0, marks: parseMarks(p.get('mark')), onKey: null,
      missing: p.has('sentence') && !valid ? p.get('sentence') : null};
    document.addEventListener('keydown', (e) => state.onKey?.(e), {signal: ctx.signal});
    const show = (view) => {
      one.setAttribute('aria-pressed', String(view === 'sentence'));
      all.setAttribute('aria-pressed', String(view === 'grid'));
      if (view === 'grid')
        return gridView(ctx, host, state, {
          table: p.get('table') === 'tokens' ? 'tokens' : 'words', errors: p.get('errors') === '1',
          open: (id, word) => {
            state.sid = id;
            state.marks = [[word, word + 1]];
            show('sentence');
          },
        });
      return sentenceView(ctx, host, state);
    };
    one.addEventListener('click', () => show('sentence'));
    all.addEventListener('click', () => show('grid'));
    if (!n) {
      host.append(el('p', {class: 'muted'}, 'This run has no sentences.'));
      return;
    }
    await show(p.get('view') === 'grid' ? 'grid' : 'sentence');
  },
};
