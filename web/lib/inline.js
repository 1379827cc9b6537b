// inline.js - ExplaiNER's inline rendering of a labelled sentence (issue #4 §6,
// the original's htmlify_labeled_example): words whose gold and predicted
// labels are both O stay plain; every other word sits in a bordered entity
// box, text in the predicted class's colour, the class icon on the entity's
// first word; continuation words (I- of the same class) share that box; when
// a word's prediction is wrong a small box after it shows the gold class on
// the gold colour. Hovering (or focusing) a word shows its card
// (lib/hovercard.js): gold, prediction, probability, loss and, when the
// answer has them (Inspect), its three most likely labels.
import {el} from './dom.js';
import {fg, alpha, labelClass, parseHex} from './colors.js';
import {setTip, tipRows} from './hovercard.js';

function num(x, digits) {
  return x === null || x === undefined ? '–' : Number(x).toFixed(digits);
}

/** The hover card of one word: w.top ([{label, p}]) adds its most likely labels. */
export function describe(w) {
  return () => tipRows(w.text, [['gold', w.gold ?? '–'], ['prediction', w.pred ?? '–'],
    ['p(prediction)', num(w.prob_pred, 3)], ['loss', num(w.loss, 3)]], {top: w.top});
}

/** Very light colours (Set1's yellow) get a dark outline (style.css: .w-light) to stay readable on white. */
function isLight(color) {
  const rgb = parseHex(color);
  return !!rgb && (299 * rgb[0] + 587 * rgb[1] + 114 * rgb[2]) / 1000 > 190;
}

/**
 * makeRenderSentence(classes) -> renderSentence(words, opts) -> HTMLElement.
 * words: [{text, gold, pred, prob_pred, loss, top?}] with label names.
 * opts: {className} extra class on the container; {onWordClick(word, index)};
 * {marks}: [[start, end], ...] word spans (end exclusive) that put the
 * sentence in a list, highlighted (class w-hit). Every word carries its
 * index (data-i).
 */
export function makeRenderSentence(classes) {
  const byName = new Map(classes.map((c) => [c.name, c]));
  const info = (cls) => byName.get(cls) || {name: cls, color: '#999999', icon: ''};

  // The gold class on its colour; "O" on grey (style.css).
  function goldBox(w) {
    const cls = labelClass(w.gold);
    const k = cls ? info(cls) : null;
    return setTip(el('span', {
      class: 'ent-gold', style: k ? {background: k.color, color: fg(k.color)} : null,
    }, k && k.icon ? k.icon + ' ' : '', k ? k.name : 'O'), describe(w));
  }

  return function renderSentence(words, opts = {}) {
    const root = el('div', {class: ['sentence', opts.className]});
    const hit = (i) => (opts.marks || []).some(([a, b]) => a <= i && i < b);
    let box = null; // the open entity box
    let boxClass = null;
    (words || []).forEach((w, i) => {
      const pc = labelClass(w.pred);
      const plain = (!w.gold || w.gold === 'O') && (!w.pred || w.pred === 'O');
      if (plain) {
        box = null;
        root.append(setTip(el('span', {class: ['w', hit(i) ? 'w-hit' : null], dataset: {i}}, w.text),
          describe(w)), ' ');
        return;
      }
      const continues = box && pc && pc === boxClass && /^I[-_]/.test(w.pred);
      if (!continues) {
        const k = pc ? info(pc) : null;
        box = el('span', {
          class: ['ent', pc ? null : 'ent-none'],
          style: k ? {borderColor: k.color, background: alpha(k.color, 0.07)} : null,
          dataset: {cls: pc || 'O'},
        });
        if (k && k.icon) box.append(el('span', {class: 'ent-icon', 'aria-hidden': 'true'}, k.icon));
        boxClass = pc;
        root.append(box, ' ');
      } else {
        box.append(' ');
      }
      const wrong = (w.gold || 'O') !== (w.pred || 'O');
      const color = pc ? info(pc).color : null;
      const word = el('span', {
        class: ['w', color && isLight(color) ? 'w-light' : null, hit(i) ? 'w-hit' : null],
        tabindex: 0, dataset: {i},
        'aria-label': `${w.text}: gold ${w.gold ?? 'none'}, predicted ${w.pred ?? 'none'}`,
        style: color ? {color} : null,
        onclick: opts.onWordClick ? () => opts.onWordClick(w, i) : null,
      }, w.text);
      box.append(setTip(word, describe(w)));
      if (wrong) box.append(goldBox(w));
    });
    return root;
  };
}
