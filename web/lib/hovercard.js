// hovercard.js - the styled card a word of a sentence shows on hover or
// keyboard focus (style.css: .hovercard), in place of the browser's native
// title tooltip: gold, prediction, probability and loss, and the most
// likely labels with their probabilities when the answer has them. One card
// for the whole app, placed next to the word, inside the window.
import {el} from './dom.js';

const tips = new WeakMap(); // element -> () => the card's content (nodes)
let card = null;
let shownFor = null;

function place(target) {
  const r = target.getBoundingClientRect();
  const c = card.getBoundingClientRect();
  const left = Math.max(4, Math.min(innerWidth - c.width - 4, r.left));
  const below = r.bottom + 6 + c.height <= innerHeight;
  card.style.left = `${left + scrollX}px`;
  card.style.top = `${(below ? r.bottom + 6 : r.top - c.height - 6) + scrollY}px`;
}

function show(target) {
  const content = tips.get(target);
  if (!content || target === shownFor) return;
  shownFor = target;
  card.replaceChildren(...content());
  card.hidden = false;
  place(target);
}

function hide() {
  shownFor = null;
  if (card) card.hidden = true;
}

function install() {
  card = el('div', {class: 'hovercard', role: 'tooltip', 'data-role': 'hovercard', hidden: true});
  document.body.append(card);
  const find = (e) => {
    for (let n = e.target; n && n !== document; n = n.parentNode) if (tips.has(n)) return n;
    return null;
  };
  document.addEventListener('mouseover', (e) => {
    const t = find(e);
    if (t) show(t);
    else if (!card.contains(e.target)) hide();
  });
  document.addEventListener('focusin', (e) => {
    const t = find(e);
    if (t) show(t);
    else hide();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') hide();
  });
  addEventListener('hashchange', hide);
  addEventListener('scroll', hide, {passive: true});
}

/** Give node a hover card whose content() returns its nodes, built when it is shown. */
export function setTip(node, content) {
  if (!card) install();
  tips.set(node, content);
  return node;
}

/** The card's rows as [name, value] pairs, then opts.top ([{label, p}]) as bars and opts.note. */
export function tipRows(title, rows, opts = {}) {
  const out = [el('div', {class: 'hc-title'}, title),
    el('dl', {class: 'hc-rows'}, rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]))];
  if (opts.top && opts.top.length)
    out.push(el('div', {class: 'hc-top', 'data-role': 'top-labels'},
      el('div', {class: 'hc-sub'}, `most likely label${opts.top.length === 1 ? '' : 's'}`),
      opts.top.map((t) => el('div', {class: 'hc-bar-row'},
        el('span', {class: 'hc-label'}, t.label),
        el('span', {class: 'hc-bar'}, el('span', {style: {width: `${(100 * t.p).toFixed(1)}%`}})),
        el('span', {class: 'hc-p'}, t.p.toFixed(3))))));
  if (opts.note) out.push(el('div', {class: 'hc-note'}, opts.note));
  return out;
}
