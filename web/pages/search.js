// search.js - the Search page: a run's sentences by their text (words, a
// "phrase", a prefix*, an entity string or a regular expression: the API's
// q and mode) and filters (gold and predicted entity type, an entity error
// kind of the Metrics page's taxonomy, errors only, a loss range, pinned
// only), paged by the server from its full-text index, the matched words
// highlighted; every result opens Inspect on that sentence. The header's
// search box and "/" lead here; everything asked lives in the hash
// (#/search?run=1&q=...&mode=regex&gold_type=PER&...), so a search is a link.
import {hasRun} from '../lib/pagekit.js';
import {sentenceList} from '../lib/sentences.js';
import {labelClass} from '../lib/colors.js';

const MODES = [['words', 'words'], ['entity', 'an entity'], ['regex', 'a regular expression']];
const KINDS = [['', 'any'], ['errors', 'any error'], ['correct', 'correct'], ['type', 'wrong type'],
  ['boundary', 'wrong boundary'], ['type_boundary', 'wrong type + boundary'], ['missed', 'missed'],
  ['spurious', 'spurious']];
const SORTS = [['loss', 'largest loss first'], ['errors', 'most errors first'], ['id', 'dataset order']];
const HINTS = {
  words: 'Every word must appear; "a phrase" as written; prefix* ; case and accents are ignored, punctuation too.',
  entity: 'Sentences with a gold or predicted entity whose words are exactly this (case ignored).',
  regex: 'A PCRE2 regular expression over the sentence text (words joined by spaces); case ignored, (?-i) keeps it.',
};

/** The run's entity types, in label order. */
function types(run) {
  return [...new Set((run.labels || []).map(labelClass).filter(Boolean))];
}

/** The API query of the page's fields. */
function queryOf(f) {
  const num = (x) => (x.value.trim() === '' ? null : Number(x.value));
  const sort = f.sort.value;
  return {
    q: f.q.value.trim() || null, mode: f.q.value.trim() && f.mode.value !== 'words' ? f.mode.value : null,
    gold_type: f.gold_type.value || null, pred_type: f.pred_type.value || null,
    error_kind: f.error_kind.value || null, error_type: f.error_kind.value && f.error_type.value ? f.error_type.value : null,
    skip_correct: f.errors.checked ? 1 : null, min_loss: num(f.min_loss), max_loss: num(f.max_loss),
    pinned: f.pinned.checked ? 1 : null, sort, order: sort === 'id' ? 'asc' : null,
  };
}

function fields(ctx) {
  const {el} = ctx;
  const p = ctx.params;
  const select = (name, options, label) => el('select', {name, 'aria-label': label},
    options.map(([v, t]) => el('option', {value: v, selected: (p.get(name) || '') === v}, t)));
  const typeOptions = [['', 'any'], ...types(ctx.run).map((t) => [t, t])];
  const number = (name, label) => el('input', {type: 'number', name, step: 0.1, value: p.get(name) ?? '',
    placeholder: label, 'aria-label': label});
  return {
    q: el('input', {type: 'search', name: 'q', value: p.get('q') || '', 'aria-label': 'Text to find', 'data-role': 'q',
      placeholder: 'Paris, "New York", Germ*, ^[A-Z]+ \\d+ …', class: 'srch-q'}),
    mode: select('mode', MODES, 'Read the text as'),
    gold_type: select('gold_type', typeOptions, 'Gold entity type'),
    pred_type: select('pred_type', typeOptions, 'Predicted entity type'),
    error_kind: select('error_kind', KINDS, 'Entity error kind'),
    error_type: select('error_type', typeOptions, 'Entity type of the error'),
    errors: el('input', {type: 'checkbox', name: 'errors', checked: p.get('skip_correct') === '1'}),
    min_loss: number('min_loss', 'min'),
    max_loss: number('max_loss', 'max'),
    pinned: el('input', {type: 'checkbox', name: 'pinned', checked: p.get('pinned') === '1'}),
    sort: select('sort', SORTS, 'Order'),
  };
}

export const page = {
  id: 'search',
  title: 'Search',
  async render(root, ctx) {
    const {el} = ctx;
    if (!hasRun(ctx, root, 'Start a run on the Home / Setup page to search its sentences.')) return;
    const f = fields(ctx);
    const hint = el('p', {class: 'muted srch-hint'});
    const results = el('div', {});
    const label = (text, node) => el('label', {}, text, ' ', node);
    const form = el('form', {class: 'card srch-form', role: 'search', 'data-role': 'search-form'},
      el('div', {class: 'srch-line'}, f.q, label('as', f.mode),
        el('button', {class: 'btn btn-primary', type: 'submit'}, 'Search')),
      hint,
      el('div', {class: 'controls srch-filters'},
        label('gold type', f.gold_type), label('predicted type', f.pred_type),
        label('entity error', f.error_kind), label('of type', f.error_type),
        el('label', {}, f.errors, ' has errors'),
        el('span', {class: 'srch-loss'}, 'loss ', f.min_loss, ' to ', f.max_loss),
        el('label', {}, f.pinned, ' pinned only'), label('order', f.sort)));
    root.append(form, el('div', {class: 'card', 'data-role': 'results'}, results));
    const sync = () => {
      hint.textContent = HINTS[f.mode.value];
      f.error_type.disabled = !f.error_kind.value;
    };
    const search = () => {
      sync();
      const q = queryOf(f);
      ctx.setParams(Object.fromEntries(Object.entries(q).filter(([k]) => k !== 'order')));
      return sentenceList(ctx, results, {query: q}, {
        what: q.pinned && !q.q ? 'pinned' : 'match', left: true,
        empty: q.pinned ? 'No sentence is pinned with these filters: pin one with 📌 in any list.'
          : 'No sentence matches.',
      });
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      search();
    });
    for (const x of [f.mode, f.gold_type, f.pred_type, f.error_kind, f.error_type, f.errors, f.pinned, f.sort, f.min_loss, f.max_loss])
      x.addEventListener('change', search);
    await search();
  },
};
