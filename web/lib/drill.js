// drill.js - the panel a click opens (ctx.drill): a table row, a chart cell,
// a pair lists its sentences next to what was clicked, in a side panel on
// the right of the page (style.css: .drill), the page narrowed so nothing is
// hidden under it, the clicked element kept in view. The list is the one
// list of every page (lib/sentences.js), with the words that put each
// sentence there highlighted and the first of them scrolled into view.
// Esc or the close button closes it; leaving the page removes it.
import {el} from './dom.js';
import {sentenceList} from './sentences.js';

/**
 * makeDrill(ctx) -> drill(anchor, {title, query | items, ...list opts}):
 * opens (or reuses) the page's panel with title (nodes or text) over the
 * list of src = {query} or {items} (lib/sentences.js), anchor (the clicked
 * element, may be null) marked as the panel's origin and kept in view.
 * Resolves once the list's first page is shown.
 */
export function makeDrill(ctx) {
  let panel = null;
  let origin = null;

  const close = () => {
    panel?.remove();
    panel = null;
    origin?.classList.remove('drill-origin');
    origin = null;
    document.body.classList.remove('drill-open');
  };
  ctx.onLeave(close);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && panel) close();
  }, {signal: ctx.signal});

  return async function drill(anchor, spec) {
    const {title, query, items, ...opts} = spec;
    if (!panel) {
      panel = el('aside', {class: 'drill', 'data-role': 'drill', 'aria-label': 'Sentences'});
      ctx.root.append(panel);
    }
    const body = el('div', {class: 'drill-body'});
    panel.replaceChildren(
      el('header', {class: 'drill-head'}, el('h2', {class: 'pick-title'}, title),
        el('button', {type: 'button', class: 'drill-close', 'aria-label': 'Close (Esc)', title: 'Close (Esc)',
          onclick: close}, '×')),
      body);
    document.body.classList.add('drill-open');
    origin?.classList.remove('drill-origin');
    origin = anchor || null;
    origin?.classList.add('drill-origin');
    origin?.scrollIntoView({block: 'nearest'});
    panel.scrollTop = 0;
    await sentenceList(ctx, body, query ? {query} : {items}, opts);
  };
}
