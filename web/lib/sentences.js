// sentences.js - the one list of sentences of every page (style.css: .smp-*,
// .sent-*): Samples by Loss, Random Samples, Search, Misclassified, the
// selection of Hidden States and every list a click opens (lib/drill.js).
// Each item: a [rank | #id] badge that opens the sentence in Inspect, its
// total loss and errors, a pin (lib/pins.js), the sentence inline with the
// words that put it in the list highlighted (marks) and its verdict badge
// (lib/verdicts.js) and, on request, its word table. Pages are fetched a
// page at a time ("Load N more"); the list
// exports exactly what it holds: the API's download of the same query, or
// the fetched sentences themselves.
import {fmtNum, wordTable} from './tokentable.js';
import {exportLinks, exportRows} from './export.js';

/** The Inspect address of sentence sid, with its marks ("3-5,7-8") to highlight there. */
export function inspectHref(ctx, sid, marks) {
  const m = (marks || []).map(([a, b]) => `${a}-${b}`).join(',');
  return `#/inspect?run=${ctx.runId}&sentence=${sid}${m ? '&mark=' + m : ''}`;
}

/**
 * One sentence of a list: s is an item of GET /sentences?words=1 (marks:
 * opts.marks(s) when given, else s.marks); rank null leaves the rank out of
 * the badge; opts.table adds the word table.
 */
export function sentenceItem(ctx, s, rank, opts = {}) {
  const {el} = ctx;
  const errs = s.n_word_errors || 0;
  const marks = opts.marks ? opts.marks(s) : s.marks;
  const badge = el('a', {
    class: 'smp-badge', href: inspectHref(ctx, s.id, marks),
    title: `${rank !== null ? `rank ${rank}, ` : ''}sentence ${s.id} in the dataset: open it in Inspect`,
  }, rank !== null ? el('span', {class: 'smp-rank'}, String(rank)) : null, el('span', {}, `#${s.id}`));
  return el('li', {class: 'smp-item', dataset: {sid: s.id}},
    el('div', {class: 'smp-meta'}, badge,
      el('span', {class: 'smp-loss', title: 'total loss: sum of the word losses'}, el('i', {}, 'L'), ' ',
        fmtNum(s.loss, 3)),
      el('span', {class: errs ? 'smp-err' : 'smp-ok'},
        errs ? `${errs} word error${errs === 1 ? '' : 's'}` : 'all words correct'),
      s.n_entity_errors ? el('span', {}, `${s.n_entity_errors} entity error${s.n_entity_errors === 1 ? '' : 's'}`) : null,
      el('span', {}, `${(s.words || []).length} words`),
      ctx.pins.button(s.id)),
    ctx.renderSentence(s.words, {marks, sentence: s.id}),
    opts.table ? wordTable(ctx, s.words || []) : null);
}

const ROW_KEYS = ['id', 'doc_id', 'text', 'loss', 'n_word_errors', 'n_entity_errors'];

/**
 * sentenceList(ctx, host, src, opts) fills host with a list of sentences.
 * src.query: the parameters of GET /api/v1/runs/{run}/sentences (the
 * list's filters and order; words and marks are added), fetched opts.size
 * (20) at a time; src.items: sentences already fetched (with words).
 * opts: what (the count's wording after "N sentences"), empty (the text
 * when there is none), summary(total, shown) (the whole count line instead),
 * marks(s) (the spans to highlight, instead of the server's), ranked,
 * table, left (show how many are left). Resolves once the first page is
 * shown, its first highlighted word scrolled into view.
 */
export async function sentenceList(ctx, host, src, opts = {}) {
  const {el} = ctx;
  const size = opts.size || 20;
  const count = el('p', {class: 'muted sent-count smp-summary', 'data-role': 'summary'});
  const list = el('ol', {class: 'smp-list', 'data-role': 'sentences'});
  const foot = el('div', {class: 'sent-foot smp-foot'});
  const shown = [];
  const exporter = src.query
    ? exportLinks(() => ({url: `/api/v1/runs/${ctx.runId}/sentences`, params: src.query}))
    : exportRows(`run${ctx.runId}-sentences`,
      () => ({keys: ROW_KEYS, rows: shown}));
  host.replaceChildren(el('div', {class: 'sent-head'}, count, exporter), list, foot);
  const fetchPage = src.query
    ? (offset, limit) => ctx.api(`runs/${ctx.runId}/sentences`,
      {query: {...src.query, words: 1, marks: 1, limit, offset}})
    : async (offset, limit) => ({total: src.items.length, items: src.items.slice(offset, offset + limit)});
  const summary = (total) => {
    if (opts.summary) return opts.summary(total, shown.length);
    return total === 0 ? (opts.empty || 'No sentences.')
      : `${total.toLocaleString('en-US')} sentence${total === 1 ? '' : 's'}` +
        (opts.what ? ` ${opts.what}` : '') + `, showing ${shown.length.toLocaleString('en-US')}.`;
  };
  async function more() {
    foot.replaceChildren(el('span', {class: 'muted'}, 'Loading…'));
    let page;
    try {
      page = await fetchPage(shown.length, size);
    } catch (e) {
      if (e.name === 'AbortError') return;
      foot.replaceChildren();
      ctx.error(foot, e);
      return;
    }
    for (const s of page.items) {
      list.append(sentenceItem(ctx, s, opts.ranked ? shown.length + 1 : null, opts));
      shown.push(s);
    }
    count.textContent = summary(page.total);
    foot.replaceChildren();
    if (!(shown.length < page.total && page.items.length)) return;
    foot.append(el('button', {class: 'btn', type: 'button', 'data-role': 'more', onclick: more},
      `Load ${Math.min(size, page.total - shown.length)} more`));
    if (opts.left)
      foot.append(el('span', {class: 'muted'}, `${(page.total - shown.length).toLocaleString('en-US')} left`));
  }
  await more();
  list.querySelector('.w-hit')?.scrollIntoView({block: 'nearest', inline: 'nearest'});
}
