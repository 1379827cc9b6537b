// misclassified.js - the Misclassified page (issue #4 §3, the original's
// "Misclassified" section): every off-diagonal (gold, predicted) word-label
// pair with its count and most frequent words; picking one lists every
// sentence holding that confusion right below, rendered inline with the
// confused words highlighted, a page at a time.
// Hash: #/misclassified?run=1&gold=B-ORG&pred=O.
import {labelChip} from '../lib/labels.js';
import {hasRun} from '../lib/pagekit.js';
import {sentenceList} from '../lib/sentences.js';

function pairColumns(ctx) {
  const chip = (cell) => labelChip(ctx, cell.getValue());
  return [
    {title: 'Gold', field: 'gold', formatter: chip, headerFilter: 'input', headerFilterPlaceholder: 'filter…'},
    {title: 'Predicted', field: 'pred', formatter: chip, headerFilter: 'input', headerFilterPlaceholder: 'filter…'},
    {title: 'Words', field: 'count', format: 'int', sorter: 'number'},
    {title: 'Most frequent words', field: 'words', headerSort: false, widthGrow: 3,
      formatter: (cell) => ctx.el('span', {class: 'pair-words'},
        (cell.getValue() || []).map((w) => `${w.text} (${w.count})`).join(', '))},
  ];
}

async function showPair(ctx, host, gold, pred) {
  const {el} = ctx;
  const body = el('div', {});
  host.replaceChildren(
    el('h2', {class: 'pick-title'}, 'Sentences with gold ', labelChip(ctx, gold), ' predicted as ',
      labelChip(ctx, pred)),
    body);
  await sentenceList(ctx, body, {query: {gold, pred, sort: 'loss', order: 'desc'}},
    {what: 'hold this confusion, largest loss first', empty: 'No sentence has this confusion.'});
}

export const page = {
  id: 'misclassified',
  title: 'Misclassified',
  async render(root, ctx) {
    const {el} = ctx;
    if (!hasRun(ctx, root, 'Start a run on the Home / Setup page to see its confusions.')) return;
    // The server's default word count (5) is the one it keeps cached per run.
    const data = await ctx.api(`runs/${ctx.runId}/confusions`);
    const tableCard = el('div', {class: 'card'},
      el('h2', {}, 'Confusions'),
      el('p', {class: 'muted'}, `${data.total} (gold, predicted) label pairs over the misclassified words, ` +
        'most frequent first. Click a row to list its sentences.'));
    const gridHost = el('div', {});
    tableCard.append(gridHost);
    const sentCard = el('div', {class: 'card', 'data-role': 'pair-sentences'});
    root.append(tableCard, sentCard);
    if (!data.items.length) {
      gridHost.append(el('p', {}, 'Every word is predicted correctly: there is nothing to list.'));
      sentCard.remove();
      return;
    }
    let gold = ctx.params.get('gold');
    let pred = ctx.params.get('pred');
    if (!data.items.some((p) => p.gold === gold && p.pred === pred)) {
      if (gold || pred)
        sentCard.append(el('p', {class: 'muted'}, `No misclassified word has gold ${gold} and prediction ${pred}; showing the most frequent confusion.`));
      ({gold, pred} = data.items[0]);
    }
    const table = ctx.grid(gridHost, {
      data: data.items, columns: pairColumns(ctx), pageSize: 10, exportName: `run${ctx.runId}-confusions`,
      tabulator: {selectableRows: 1, paginationSizeSelector: [10, 25, 50, 100]},
      onRowClick: (row, r) => {
        table.deselectRow();
        r.select();
        ctx.setParams({gold: row.gold, pred: row.pred});
        showPair(ctx, sentCard, row.gold, row.pred);
      },
    });
    table.on('tableBuilt', () => {
      const row = table.getRows().find((r) => r.getData().gold === gold && r.getData().pred === pred);
      if (row) row.select();
    });
    await showPair(ctx, sentCard, gold, pred);
  },
};
