// misclassified.js - the Misclassified page (issue #4 §3, the original's
// "Misclassified" section): every off-diagonal (gold, predicted) word-label
// pair with its count and most frequent words; picking one lists every
// sentence holding that confusion, rendered inline, a page at a time.
// Hash: #/misclassified?run=1&gold=B-ORG&pred=O. Also exports sentenceList,
// the "sentences, load more" list the Metrics page uses for clicked cells.

import {hasRun} from '../lib/pagekit.js';
const PAGE = 20;

/** A label as a small chip on its class colour ("O" stays grey). */
export function labelChip(ctx, label) {
  const color = ctx.labelColor(label);
  return ctx.el('span', {
    class: 'lbl-chip',
    style: color ? {background: color, color: ctx.fg(color)} : {background: '#e5e7eb', color: '#374151'},
  }, label);
}

/**
 * sentenceList(ctx, host, fetchPage, opts) fills host with sentences rendered
 * inline, PAGE at a time with a "Load more" button. fetchPage(offset, limit)
 * resolves to the sentences endpoint's {total, items} (items with words).
 * opts.empty: the text when there is none. Returns a promise of the first page.
 */
export async function sentenceList(ctx, host, fetchPage, opts = {}) {
  const {el} = ctx;
  const list = el('ol', {class: 'sent-list'});
  const foot = el('div', {class: 'sent-foot'});
  const count = el('p', {class: 'muted sent-count'});
  host.replaceChildren(count, list, foot);
  let offset = 0;
  async function more() {
    foot.replaceChildren(el('span', {class: 'muted'}, 'Loading…'));
    let page;
    try {
      page = await fetchPage(offset, PAGE);
    } catch (e) {
      if (e.name === 'AbortError') return;
      foot.replaceChildren();
      ctx.error(foot, e);
      return;
    }
    for (const s of page.items) {
      list.append(el('li', {class: 'sent-item'},
        el('div', {class: 'sent-meta'},
          el('a', {href: `#/inspect?run=${ctx.runId}&sentence=${s.id}`, title: 'Inspect this sentence'}, `#${s.id}`),
          el('span', {}, `loss ${s.loss === null ? '–' : s.loss.toFixed(2)}`),
          el('span', {}, `${s.n_word_errors} word error${s.n_word_errors === 1 ? '' : 's'}`)),
        ctx.renderSentence(s.words)));
    }
    offset += page.items.length;
    count.textContent = page.total === 0 ? (opts.empty || 'No sentences.')
      : `${page.total.toLocaleString('en-US')} sentence${page.total === 1 ? '' : 's'}` +
        (opts.what ? ` ${opts.what}` : '') + `, showing ${offset.toLocaleString('en-US')}.`;
    foot.replaceChildren();
    if (offset < page.total && page.items.length)
      foot.append(el('button', {class: 'btn', type: 'button', onclick: more},
        `Load ${Math.min(PAGE, page.total - offset)} more`));
  }
  await more();
}

/** Page styles shared by Metrics and Misclassified (style.css is the shell's). */
export function pageStyle(ctx) {
  return ctx.el('style', {}, `
.lbl-chip { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px;
  line-height: 19px; font-weight: 600; white-space: nowrap; }
.sent-list { list-style: none; margin: 0; padding: 0; }
.sent-item { padding: 10px 0; border-bottom: 1px solid var(--line, #e5e7eb); }
.sent-item:last-child { border-bottom: none; }
.sent-meta { display: flex; gap: 14px; font-size: 12px; color: var(--muted, #6b7280);
  margin-bottom: 4px; font-variant-numeric: tabular-nums; }
.sent-foot { padding-top: 10px; }
.sent-count { margin: 0 0 4px; }
.pair-words { color: var(--muted, #6b7280); font-size: 12.5px; }
.pick-title { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
`);
}

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
  await sentenceList(ctx, body, (offset, limit) => ctx.api(`runs/${ctx.runId}/sentences`, {
    query: {gold, pred, words: 1, sort: 'loss', order: 'desc', limit, offset},
  }), {what: 'hold this confusion, largest loss first', empty: 'No sentence has this confusion.'});
}

export const page = {
  id: 'misclassified',
  title: 'Misclassified',
  async render(root, ctx) {
    const {el} = ctx;
    if (!hasRun(ctx, root, 'Start a run on the Home / Setup page to see its confusions.')) return;
    root.append(pageStyle(ctx));
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
      data: data.items, columns: pairColumns(ctx), pageSize: 10,
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
