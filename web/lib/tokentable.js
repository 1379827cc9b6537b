// tokentable.js - the compact transposed table of a sentence (style.css: .tt):
// one column per word or sub-token that wraps like text, rows such as word,
// gold, prediction and loss; labels on their class colour (I- continuation
// tags lighter), losses with a bar scaled to the sentence's largest loss.
// Samples by Loss and Random Samples show the word table, Inspect the
// sub-token table.
import {alpha} from './colors.js';

/** x with digits after the point, '–' for null or NaN. */
export function fmtNum(x, digits) {
  return x === null || x === undefined || Number.isNaN(x) ? '–' : Number(x).toFixed(digits);
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
  if (/^I[-_]/.test(label))
    return el('div', {class: 'tt-c tt-lbl tt-cont', title: opts.title, style: {background: alpha(color, 0.5)}}, label);
  return el('div', {class: 'tt-c tt-lbl', title: opts.title, style: {background: color, color: ctx.fg(color)}}, label);
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
