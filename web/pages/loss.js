// loss.js - the "Loss by Token/Label" page (issue #4 §4, the original's
// "Loss by Token/Label" section): the words' cross-entropy loss grouped by
// word text ("merge tokens" on) or by the first sub-token's text (off), with
// count, mean, median and sum, paged, sorted and filtered by the server; then
// the loss grouped by gold label, where a mean far above the median points at
// a few very wrong words: often a systematic labelling problem. A row of
// either lists its sentences next to the page (ctx.drill), the words of the
// row highlighted; both tables export what they show.
// Hash: #/loss?run=1&merge=0.
import {labelChip} from '../lib/labels.js';
import {hasRun} from '../lib/pagekit.js';
import {exportRows} from '../lib/export.js';

const f3 = (x) => (x === null || x === undefined ? '–' : x.toFixed(3));

function wordColumns(merge) {
  return [
    {title: merge ? 'Word' : 'Sub-token', field: 'text', sortKey: 'text', widthGrow: 3, minWidth: 160,
      headerFilter: 'input', headerFilterPlaceholder: 'contains…', filterKey: 'q'},
    {title: 'Count', field: 'count', format: 'int', sortKey: 'count'},
    {title: 'Mean', field: 'mean', format: 'num', sortKey: 'mean'},
    {title: 'Median', field: 'median', format: 'num', sortKey: 'median'},
    {title: 'Sum', field: 'sum', format: 'num', sortKey: 'sum'},
  ];
}

function labelTable(ctx, data, onRow) {
  const {el} = ctx;
  const gaps = data.items.map((r) => r.mean - r.median);
  const avg = gaps.reduce((a, b) => a + b, 0) / Math.max(1, gaps.length);
  const max = Math.max(...gaps, 1e-12);
  return el('table', {class: 'table l-table', 'data-role': 'label-loss'},
    el('thead', {}, el('tr', {}, el('th', {}, 'gold label'), el('th', {class: 'num'}, 'count'),
      el('th', {class: 'num'}, 'mean'), el('th', {class: 'num'}, 'median'), el('th', {class: 'num'}, 'sum'),
      el('th', {}, 'mean − median'))),
    el('tbody', {}, data.items.map((r, i) => {
      const flag = gaps[i] >= avg && gaps[i] > 0;
      return el('tr', {class: ['row-click', flag ? 'l-flag' : null], dataset: {label: r.text, flagged: flag ? '1' : '0'},
        title: `List the sentences with a word labelled ${r.text}, largest loss first`,
        onclick: (e) => onRow(r.text, e.currentTarget)},
        el('td', {}, labelChip(ctx, r.text)),
        el('td', {class: 'num'}, r.count.toLocaleString('en-US')),
        el('td', {class: 'num'}, f3(r.mean)), el('td', {class: 'num'}, f3(r.median)),
        el('td', {class: 'num'}, r.sum.toFixed(1)),
        el('td', {}, el('span', {class: ['l-gap', flag ? null : 'l-low'], style: {width: `${Math.round(120 * gaps[i] / max)}px`}}),
          f3(gaps[i]), flag ? el('span', {class: 'l-flagtext'}, 'large gap') : null));
    })));
}

export const page = {
  id: 'loss',
  title: 'Loss by Token/Label',
  async render(root, ctx) {
    const {el} = ctx;
    if (!hasRun(ctx, root, 'Start a run on the Home / Setup page to see its losses.')) return;
    let merge = ctx.params.get('merge') !== '0';
    const gridHost = el('div', {'data-role': 'word-grid'});
    const note = el('p', {class: 'muted l-note'});
    const setNote = () => {
      note.textContent = merge
        ? 'Loss of every word (cross-entropy of its gold label at its first sub-token), grouped by the word.'
        : 'The same losses grouped by the text of the word’s first sub-token (the only one that carries a label).';
    };
    const mergeBox = el('input', {type: 'checkbox', name: 'merge', checked: merge, onchange: (e) => {
      merge = e.target.checked;
      ctx.setParams({merge: merge ? null : '0'});
      buildGrid();
    }});
    let table = null;
    function buildGrid() {
      setNote();
      if (table) table.destroy();
      gridHost.replaceChildren();
      table = ctx.grid(gridHost, {
        url: `/api/v1/runs/${ctx.runId}/loss/words`,
        params: () => ({by: merge ? 'word' : 'token'}),
        columns: wordColumns(merge), pageSize: 25, tabulator: {layout: 'fitColumns'},
        initialSort: [{column: 'sum', dir: 'desc'}], exportUrl: `/api/v1/runs/${ctx.runId}/loss/words`,
        onRowClick: (row, r, e) => ctx.drill(e.target.closest('.tabulator-row'), {
          title: [merge ? 'Sentences with the word ' : 'Sentences whose word starts with the sub-token ',
            el('code', {}, row.text)],
          query: {[merge ? 'word' : 'subtoken']: row.text, sort: 'loss', order: 'desc'},
          what: 'hold it, largest loss first',
        }),
      });
    }
    root.append(el('div', {class: 'card'}, el('h2', {}, 'Loss by word'),
      el('div', {class: 'controls l-controls'},
        el('label', {title: 'On: group by whole words. Off: by their first sub-token.'}, mergeBox, ' merge tokens')),
      note, gridHost));
    buildGrid();

    const labels = await ctx.api(`runs/${ctx.runId}/loss/labels`);
    root.append(el('div', {class: 'card'}, el('h2', {}, 'Loss by gold label'),
      el('p', {class: 'hint', 'data-role': 'hint'}, 'A large gap between the mean and the median loss ' +
        'of a label means a few of its words are very wrong while most are fine — ' +
        'often a sign of a systematic labelling problem (inconsistent annotation) rather than a hard class. ' +
        'Labels whose gap is above the average gap are highlighted.'),
      labelTable(ctx, labels, (label, tr) => ctx.drill(tr, {
        title: ['Sentences with a word labelled ', labelChip(ctx, label)],
        query: {gold: label, sort: 'loss', order: 'desc'}, what: 'hold one, largest loss first',
      })),
      el('div', {class: 'table-foot'}, exportRows(`run${ctx.runId}-loss-labels`, () => ({
        keys: ['text', 'count', 'mean', 'median', 'sum'], rows: labels.items})))));
  },
};
