// dom.js - a small DOM builder (ctx.el) and the readable error box (ctx.error).

/**
 * el('div', {class: 'x', onclick: fn, dataset: {k: 'v'}, style: {...}}, child, [children], 'text')
 * Attributes: `class`, `style` (string or object), `dataset`, `on<event>` handlers,
 * booleans (true sets, false/null/undefined skips), anything else via setAttribute.
 * Children: nodes, strings/numbers (text), arrays (flattened), null/false (skipped).
 */
export function el(tag, attrs, ...children) {
  const svg = tag === 'svg' || tag === 'path' || tag === 'circle' || tag === 'rect' ||
    tag === 'line' || tag === 'polyline';
  const node = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag)
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') node.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
    else if (k === 'style' && typeof v === 'object') Object.assign(node.style, v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'value' && 'value' in node) node.value = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled') node[k] = !!v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(node, c);
    else node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Remove every child of node. */
export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

/** The message a person should read for err (ApiError: the server's message). */
export function errorMessage(err) {
  if (!err) return 'Unknown error';
  if (typeof err === 'string') return err;
  return err.message || String(err);
}

/**
 * Append a readable error box to root and return it. err may be an ApiError
 * (shows the HTTP status), an Error or a string.
 */
export function showError(root, err) {
  const status = err && err.status ? ` (HTTP ${err.status})` : '';
  const box = el('div', {class: 'error-box', role: 'alert'},
    el('strong', {}, err && err.name === 'ApiError' ? 'The server said' : 'Something went wrong'),
    status, ': ', errorMessage(err));
  root.append(box);
  return box;
}

/**
 * An integer with thousands commas, as toLocaleString('en-US') writes it,
 * without the browser's ICU: its first use costs 10-30 ms (measured in
 * headless Chromium), on the way to every page's content (the header's counts).
 */
export function int(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Format a number for tables: fixed digits, '–' for null. */
export function fmt(x, digits = 3) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (typeof x !== 'number') return String(x);
  return Number.isInteger(x) && digits >= 0 ? int(x) : x.toFixed(digits);
}
