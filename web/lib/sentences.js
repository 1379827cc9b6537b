// sentences.js - lists of sentences rendered inline, fetched a page at a time
// with a "Load N more" button (style.css: .sent-*, .smp-*). sentenceList: a
// sentence per row under its id, loss and error count (Misclassified, the
// clicked cells of Metrics). sentenceFeed of sentenceItem: the [rank | id]
// badge, total loss, error counts and optionally the word table (Samples by
// Loss, Random Samples).
import {fmtNum, wordTable} from './tokentable.js';

/**
 * pager(ctx, foot, p) -> more(): each call fetches the next p.size items with
 * p.fetchPage(offset, limit) ({total, items}), hands each to p.add(item,
 * index), then p.summary(total, shown); foot shows "Loading…", the error, or
 * the "Load N more" button (with "N left" when p.left).
 */
function pager(ctx, foot, p) {
  const {el} = ctx;
  let offset = 0;
  async function more() {
    foot.replaceChildren(el('span', {class: 'muted'}, 'Loading…'));
    let page;
    try {
      page = await p.fetchPage(offset, p.size);
    } catch (e) {
      if (e.name === 'AbortError') return;
      foot.replaceChildren();
      ctx.error(foot, e);
      return;
    }
    page.items.forEach((item, i) => p.add(item, offset + i));
    offset += page.items.length;
    p.summary(page.total, offset);
    foot.replaceChildren();
    if (!(offset < page.total && page.items.length)) return;
    foot.append(el('button', {class: 'btn', type: 'button', 'data-role': 'more', onclick: more},
      `Load ${Math.min(p.size, page.total - offset)} more`));
    if (p.left) foot.append(el('span', {class: 'muted'}, `${(page.total - offset).toLocaleString('en-US')} left`));
  }
  return more;
}

/**
 * sentenceList(ctx, host, fetchPage, opts) fills host with sentences rendered
 * inline, 20 at a time. fetchPage(offset, limit) resolves to the sentences
 * endpoint's {total, items} (items with words). opts.what: the count's
 * wording ("in dataset order"); opts.empty: the text when there is none.
 * Resolves once the first page is shown.
 */
export function sentenceList(ctx, host, fetchPage, opts = {}) {
  const {el} = ctx;
  const list = el('ol', {class: 'sent-list'});
  const foot = el('div', {class: 'sent-foot'});
  const count = el('p', {class: 'muted sent-count'});
  host.replaceChildren(count, list, foot);
  return pager(ctx, foot, {
    fetchPage, size: 20,
    add: (s) => list.append(el('li', {class: 'sent-item'},
      el('div', {class: 'sent-meta'},
        el('a', {href: `#/inspect?run=${ctx.runId}&sentence=${s.id}`, title: 'Inspect this sentence'}, `#${s.id}`),
        el('span', {}, `loss ${s.loss === null ? '–' : s.loss.toFixed(2)}`),
        el('span', {}, `${s.n_word_errors} word error${s.n_word_errors === 1 ? '' : 's'}`)),
      ctx.renderSentence(s.words, {sentence: s.id}))),
    summary: (total, shown) => {
      count.textContent = total === 0 ? (opts.empty || 'No sentences.')
        : `${total.toLocaleString('en-US')} sentence${total === 1 ? '' : 's'}` +
          (opts.what ? ` ${opts.what}` : '') + `, showing ${shown.toLocaleString('en-US')}.`;
    },
  })();
}

/**
 * One sentence of a feed: [rank | #id] badge (a link to Inspect; rank null
 * leaves it out), total loss, error counts, the inline rendering and, with
 * opts.table, the word table. s: an item of GET /sentences?words=1.
 */
export function sentenceItem(ctx, s, rank, opts = {}) {
  const {el} = ctx;
  const errs = s.n_word_errors || 0;
  const badge = el('a', {
    class: 'smp-badge', href: `#/inspect?run=${ctx.runId}&sentence=${s.id}`,
    title: `rank ${rank}, sentence ${s.id} in the dataset: open it in Inspect`,
  }, rank !== null ? el('span', {class: 'smp-rank'}, String(rank)) : null, el('span', {}, `#${s.id}`));
  return el('li', {class: 'smp-item', dataset: {sid: s.id}},
    el('div', {class: 'smp-meta'}, badge,
      el('span', {class: 'smp-loss', title: 'total loss: sum of the word losses'}, el('i', {}, 'L'), ' ',
        fmtNum(s.loss, 3)),
      el('span', {class: errs ? 'smp-err' : 'smp-ok'},
        errs ? `${errs} word error${errs === 1 ? '' : 's'}` : 'all words correct'),
      s.n_entity_errors ? el('span', {}, `${s.n_entity_errors} entity error${s.n_entity_errors === 1 ? '' : 's'}`) : null,
      el('span', {}, `${(s.words || []).length} words`)),
    ctx.renderSentence(s.words, {sentence: s.id}),
    opts.table ? wordTable(ctx, s.words || []) : null);
}

/**
 * sentenceFeed(ctx, host, fetchPage, opts): the list of sentenceItems with a
 * "Load more" button, 25 at a time. fetchPage(offset, limit) -> {total,
 * items}; opts.summary(total, shown) -> text; opts.table; opts.ranked (badges
 * carry the rank). Resolves once the first page is shown.
 */
export function sentenceFeed(ctx, host, fetchPage, opts = {}) {
  const {el} = ctx;
  const summary = el('p', {class: 'smp-summary', 'data-role': 'summary'});
  const list = el('ol', {class: 'smp-list', 'data-role': 'sentences'});
  const foot = el('div', {class: 'smp-foot'});
  host.replaceChildren(summary, list, foot);
  return pager(ctx, foot, {
    fetchPage, size: 25, left: true,
    add: (s, i) => list.append(sentenceItem(ctx, s, opts.ranked ? i + 1 : null, opts)),
    summary: (total, shown) => {
      summary.textContent = opts.summary(total, shown);
    },
  })();
}
