// raw.js - the Raw data page (issue #4 §5, the original's "Raw data": the
// processed sub-token frame and the raw exploded dataset, each downloadable
// as CSV): the run's sub-token table (as the model saw the data) and its word
// table (the dataset with the predictions), each a server-paged grid with a
// "Download CSV" link to GET /api/v1/runs/{id}/tokens.csv and /words.csv.
import {labelFormatter} from '../lib/labels.js';
import {hasRun} from '../lib/pagekit.js';

function tokenColumns(ctx) {
  return [
    {title: 'sentence_id', field: 'sentence_id', format: 'int', sortKey: 'position'},
    {title: 'idx', field: 'idx', format: 'int'},
    {title: 'token_id', field: 'token_id', format: 'int'},
    {title: 'text', field: 'text', sortKey: 'text', minWidth: 110, headerFilter: 'input',
      headerFilterPlaceholder: 'contains…', filterKey: 'q'},
    {title: 'word_idx', field: 'word_idx', format: 'int'},
    {title: 'start', field: 'start', format: 'int'},
    {title: 'end', field: 'end', format: 'int'},
    {title: 'is_first', field: 'is_first', format: 'int'},
    {title: 'gold', field: 'gold', formatter: labelFormatter(ctx, 'IGN')},
    {title: 'pred', field: 'pred', formatter: labelFormatter(ctx, '–')},
    {title: 'prob_pred', field: 'prob_pred', format: 'num', sortKey: 'prob', headerSortStartingDir: 'desc'},
    {title: 'loss', field: 'loss', format: 'num', sortKey: 'loss', headerSortStartingDir: 'desc'},
    {title: 'entropy', field: 'entropy', format: 'num', sortKey: 'entropy', headerSortStartingDir: 'desc'},
  ];
}

function wordColumns(ctx) {
  return [
    {title: 'sentence_id', field: 'sentence_id', format: 'int', sortKey: 'position'},
    {title: 'idx', field: 'idx', format: 'int'},
    {title: 'text', field: 'text', sortKey: 'text', minWidth: 110, headerFilter: 'input',
      headerFilterPlaceholder: 'contains…', filterKey: 'q'},
    {title: 'gold', field: 'gold', formatter: labelFormatter(ctx, '–')},
    {title: 'pred', field: 'pred', formatter: labelFormatter(ctx, '–')},
    {title: 'prob_pred', field: 'prob_pred', format: 'num', sortKey: 'prob', headerSortStartingDir: 'desc'},
    {title: 'prob_gold', field: 'prob_gold', format: 'num'},
    {title: 'loss', field: 'loss', format: 'num', sortKey: 'loss', headerSortStartingDir: 'desc'},
    {title: 'entropy', field: 'entropy', format: 'num', sortKey: 'entropy', headerSortStartingDir: 'desc'},
    {title: 'first_token', field: 'first_token', format: 'int'},
  ];
}

function section(ctx, opts) {
  const {el} = ctx;
  const host = el('div', {});
  const card = el('div', {class: 'card', 'data-role': opts.role},
    el('div', {class: 'raw-head'},
      el('h2', {}, opts.title),
      el('a', {class: 'btn btn-small raw-dl', href: `/api/v1/runs/${ctx.runId}/${opts.table}.csv`,
        download: `run${ctx.runId}-${opts.table}.csv`, 'data-role': 'download',
        title: `Every row of the ${opts.table} table as CSV (UTF-8, RFC 4180)`}, '⤓ Download CSV')),
    el('p', {class: 'muted'}, opts.desc),
    host);
  ctx.grid(host, {url: `runs/${ctx.runId}/${opts.table}`, columns: opts.columns, pageSize: 25,
    exportUrl: `/api/v1/runs/${ctx.runId}/${opts.table}`,
    tabulator: {layout: 'fitColumns', paginationSizeSelector: [25, 50, 100, 200, 500]}});
  return card;
}

export const page = {
  id: 'raw',
  title: 'Raw data',
  async render(root, ctx) {
    if (!hasRun(ctx, root, 'Start a run on the Home / Setup page to see its data.')) return;
    const r = ctx.run;
    root.append(
      section(ctx, {
        role: 'tokens', table: 'tokens', title: 'Sub-tokens (processed)', columns: tokenColumns(ctx),
        desc: `${(r.n_tokens ?? 0).toLocaleString('en-US')} sub-tokens as the tokenizer made them, special ` +
          'tokens left out. gold and loss sit on a word\u2019s first sub-token (is_first = 1); the others ' +
          'carry none (IGN). start and end are byte offsets inside the word.',
      }),
      section(ctx, {
        role: 'words', table: 'words', title: 'Words (dataset)', columns: wordColumns(ctx),
        desc: `${(r.n_words ?? 0).toLocaleString('en-US')} words of ${(r.n_sentences ?? 0).toLocaleString('en-US')} ` +
          'sentences with their gold labels and the model\u2019s predictions, taken from each word\u2019s first ' +
          'sub-token (first_token).',
      }));
  },
};
