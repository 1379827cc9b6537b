// samples.js - the Samples by Loss page (issue #4 §5, the original's
// lossy_samples.py): sentences whose total loss is above a threshold, largest
// first, "skip correct examples" on by default, each with a [rank | id] badge
// and its total loss, rendered inline; optionally a compact transposed table
// per sentence (word, gold, prediction, loss) coloured by label with a loss
// bar per word. Paged with "load more"; the controls live in the hash
// (#/samples?run=1&min_loss=0.5&skip=1&table=1).
// Also exports the pieces Random Samples and Inspect share: sampleStyle,
// labelCell, transposedTable, sentenceItem and sentenceFeed.
import {hasRun} from '../lib/pagekit.js';

const PAGE = 25;

function fmtNum(x, digits) {
  return x === null || x === undefined || Number.isNaN(x) ? '–' : Number(x).toFixed(digits);
}

/** The styles of the sample pages (style.css is the shell's). */
export function sampleStyle(ctx) {
  return ctx.el('style', {}, `
.smp-controls { display: flex; flex-wrap: wrap; gap: 10px 22px; align-items: center; }
.smp-controls label { display: inline-flex; align-items: center; gap: 6px; }
.smp-controls input[type=number] { width: 90px; font-variant-numeric: tabular-nums; }
.smp-summary { margin: 0 0 6px; font-variant-numeric: tabular-nums; }
.smp-list { list-style: none; margin: 0; padding: 0; }
.smp-item { padding: 12px 0 10px; border-bottom: 1px solid var(--line); }
.smp-item:last-child { border-bottom: none; }
.smp-meta { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 14px; font-size: 12.5px;
  color: var(--muted); margin-bottom: 2px; font-variant-numeric: tabular-nums; }
.smp-badge { display: inline-flex; border: 1px solid #cbd5e1; border-radius: 6px; overflow: hidden;
  font-size: 12px; font-weight: 600; text-decoration: none; color: var(--ink); }
.smp-badge span { padding: 1px 7px; }
.smp-badge .smp-rank { background: #f1f5f9; color: #475569; border-right: 1px solid #cbd5e1; }
.smp-badge:hover { border-color: var(--accent); }
.smp-loss { font-weight: 600; color: var(--ink); }
.smp-loss i { font-family: Georgia, serif; }
.smp-err { color: #b91c1c; }
.smp-ok { color: #15803d; }
.smp-foot { padding-top: 12px; display: flex; gap: 12px; align-items: center; }
.tt { display: flex; flex-wrap: wrap; gap: 10px 3px; margin: 8px 0 2px; font-size: 12px;
  font-variant-numeric: tabular-nums; }
.tt-col { display: flex; flex-direction: column; gap: 2px; min-width: 38px; }
.tt-head { position: sticky; left: 0; }
.tt-start { margin-left: 7px; }
.tt-head .tt-c { text-align: right; color: var(--muted); font-weight: 600; padding-right: 6px;
  background: none; }
.tt-c { height: 22px; line-height: 22px; box-sizing: border-box; position: relative; padding: 0 6px; text-align: center; white-space: nowrap;
  border-radius: 3px; background: #f8fafc; }
.tt-word { font-weight: 600; color: var(--ink); background: none; font-size: 12.5px; }
.tt-wrong { box-shadow: inset 0 -2px 0 #dc2626; }
.tt-o { color: #9ca3af; }
.tt-ign { color: #9ca3af; font-style: italic; }
.tt-lbl { font-weight: 600; font-size: 11px; }
.tt-num { color: #374151; }
.tt-loss { line-height: 18px; }
.tt-bar { position: absolute; left: 4px; right: 4px; bottom: 2px; height: 3px; background: #e5e7eb;
  border-radius: 2px; }
.tt-bar > div { height: 3px; border-radius: 2px; background: #dc2626; }
`);
}

/**
 * A cell showing a label on its class colour: B- (and other starting tags)
 * full, I- continuation tags at half opacity, "O" plain grey, null as
 * opts.empty (e.g. "IGN" for sub-tokens that carry no label).
 */
export function labelCell(ctx, label, opts = {}) {
  const {el} = ctx;
  if (label === null || label === undefined)
    return el('div', {class: 'tt-c tt-ign', title: opts.title}, opts.empty ?? '–');
  const color = ctx.labelColor(label);
  if (!color) return el('div', {class: 'tt-c tt-o', title: opts.title}, label);
  const cont = /^I[-_]/.test(label);
  return el('div', {
    class: 'tt-c tt-lbl', title: opts.title,
    style: {background: cont ? withAlpha(color, 0.5) : color, color: cont ? '#111827' : ctx.fg(color)},
  }, label);
}

function withAlpha(hex, a) {
  const m = /^#([0-9a-f]{6})$/i.exec(hex || '');
  if (!m) return hex;
  const n = parseInt(m[1], 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

/** A number cell (digits after the point, '–' for null). */
export function numCell(ctx, x, digits, title) {
  return ctx.el('div', {class: ['tt-c', 'tt-num', x === null || x === undefined ? 'tt-ign' : null], title},
    fmtNum(x, digits));
}

/** A loss cell: the number over a bar scaled to max (the sentence's largest loss). */
export function lossCell(ctx, loss, max) {
  const {el} = ctx;
  if (loss === null || loss === undefined) return el('div', {class: 'tt-c tt-ign'}, '–');
  const frac = max > 0 ? Math.min(1, loss / max) : 0;
  return el('div', {class: 'tt-c tt-num tt-loss', title: `loss ${loss.toFixed(4)}`}, fmtNum(loss, 2),
    el('div', {class: 'tt-bar'}, el('div', {style: {width: `${(100 * frac).toFixed(1)}%`}})));
}

/**
 * transposedTable(ctx, heads, columns, attrs) -> a strip of columns, one per
 * word or sub-token, that wraps like text; heads: the row names (shown in a
 * first column), columns: [[cell per row], ...] (cells from labelCell,
 * numCell, lossCell or plain) or [{cells, cls}] (cls: a class of the column,
 * e.g. tt-start for a word's first sub-token). attrs go on the container.
 */
export function transposedTable(ctx, heads, columns, attrs = {}) {
  const {el} = ctx;
  return el('div', {class: 'tt', role: 'table', ...attrs},
    el('div', {class: 'tt-col tt-head', role: 'row'}, heads.map((h) => el('div', {class: 'tt-c', role: 'rowheader'}, h))),
    columns.map((c, i) => el('div', {class: ['tt-col', c.cls], role: 'row', dataset: {i}}, c.cells || c)));
}

/** The word table of a sentence: word, gold, pred, loss (with bars). */
export function wordTable(ctx, words) {
  const {el} = ctx;
  const max = Math.max(0, ...words.map((w) => w.loss || 0));
  return transposedTable(ctx, ['word', 'gold', 'pred', 'loss'], words.map((w) => {
    const wrong = (w.gold || 'O') !== (w.pred || 'O');
    return [
      el('div', {class: ['tt-c', 'tt-word', wrong ? 'tt-wrong' : null]}, w.text),
      labelCell(ctx, w.gold),
      labelCell(ctx, w.pred, {title: `p(prediction) = ${fmtNum(w.prob_pred, 3)}`}),
      lossCell(ctx, w.loss, max),
    ];
  }), {'data-role': 'token-table'});
}

/**
 * One sentence of a list: [rank | #id] badge (a link to Inspect), total
 * loss, error counts, the inline rendering and, with opts.table, the word
 * table. s: an item of GET /sentences?words=1.
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
    ctx.renderSentence(s.words),
    opts.table ? wordTable(ctx, s.words || []) : null);
}

/**
 * sentenceFeed(ctx, host, fetchPage, opts): the list of sentences with a
 * "Load more" button. fetchPage(offset, limit) -> {total, items}; opts.summary
 * (total, shown) -> text; opts.table; opts.ranked (badges carry the rank).
 * Resolves once the first page is shown.
 */
export async function sentenceFeed(ctx, host, fetchPage, opts = {}) {
  const {el} = ctx;
  const summary = el('p', {class: 'smp-summary', 'data-role': 'summary'});
  const list = el('ol', {class: 'smp-list', 'data-role': 'sentences'});
  const foot = el('div', {class: 'smp-foot'});
  host.replaceChildren(summary, list, foot);
  let offset = 0;
  async function more() {
    foot.replaceChildren(el('span', {class: 'muted'}, 'Loading…'));
    let page;
    try {
      page = await fetchPage(offset, opts.pageSize || PAGE);
    } catch (e) {
      if (e.name === 'AbortError') return;
      foot.replaceChildren();
      ctx.error(foot, e);
      return;
    }
    page.items.forEach((s, i) =>
      list.append(sentenceItem(ctx, s, opts.ranked ? offset + i + 1 : null, opts)));
    offset += page.items.length;
    summary.textContent = opts.summary(page.total, offset);
    foot.replaceChildren();
    if (offset < page.total && page.items.length)
      foot.append(el('button', {class: 'btn', type: 'button', 'data-role': 'more', onclick: more},
        `Load ${Math.min(opts.pageSize || PAGE, page.total - offset)} more`),
      el('span', {class: 'muted'}, `${(page.total - offset).toLocaleString('en-US')} left`));
  }
  await more();
}

function plural(n, one, many) {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export const page = {
  id: 'samples',
  title: 'Samples by Loss',
  async render(root, ctx) {
    const {el} = ctx;
    if (!hasRun(ctx, root, 'Start a run on the Home / Setup page to see its sentences.')) return;
    const p = ctx.params;
    const parsed = Number(p.get('min_loss'));
    const state = {
      minLoss: p.has('min_loss') && Number.isFinite(parsed) ? parsed : 0.5,
      skip: p.get('skip') !== '0',
      table: p.get('table') === '1',
    };
    const threshold = el('input', {
      type: 'number', step: 0.1, min: 0, value: state.minLoss, 'aria-label': 'Total loss threshold',
      'data-role': 'min-loss',
    });
    const skip = el('input', {type: 'checkbox', checked: state.skip, 'data-role': 'skip-correct'});
    const table = el('input', {type: 'checkbox', checked: state.table, 'data-role': 'show-table'});
    const body = el('div', {});
    root.append(sampleStyle(ctx),
      el('div', {class: 'card smp-controls'},
        el('label', {}, 'Total loss at least', threshold),
        el('label', {title: 'Leave out sentences whose every word is predicted correctly'}, skip,
          'Skip correct examples'),
        el('label', {title: 'Per sentence, a table of words, gold and predicted labels and losses'}, table,
          'Show token table')),
      el('div', {class: 'card'}, body));

    const load = () => {
      const total = ctx.run.n_sentences;
      return sentenceFeed(ctx, body, (offset, limit) => ctx.api(`runs/${ctx.runId}/sentences`, {
        query: {sort: 'loss', order: 'desc', min_loss: state.minLoss, skip_correct: state.skip ? 1 : 0,
          words: 1, limit, offset},
      }), {
        ranked: true, table: state.table,
        summary: (n, shown) => n === 0
          ? `No sentence has a total loss of at least ${state.minLoss}${state.skip ? ' and a wrong word' : ''}: ` +
            'lower the threshold' + (state.skip ? ' or include correct examples.' : '.')
          : `${plural(n, 'sentence', 'sentences')} of ${total.toLocaleString('en-US')} ` +
            `${n === 1 ? 'has' : 'have'} a total loss of at least ${state.minLoss}` +
            `${state.skip ? ' and at least one wrong word' : ''}; largest loss first, showing ` +
            `${shown.toLocaleString('en-US')}.`,
      });
    };
    const update = () => {
      const v = Number(threshold.value);
      if (threshold.value === '' || !Number.isFinite(v)) return;
      state.minLoss = v;
      state.skip = skip.checked;
      state.table = table.checked;
      ctx.setParams({min_loss: v === 0.5 ? null : v, skip: state.skip ? null : '0', table: state.table ? '1' : null});
      load();
    };
    threshold.addEventListener('change', update);
    skip.addEventListener('change', update);
    table.addEventListener('change', update);
    await load();
  },
};
