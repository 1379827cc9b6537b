// export.js - "Export CSV · JSONL" on every list and grid, holding exactly
// what it shows, filtered and sorted. Lists paged by the server link to the
// API's downloads with the list's own parameters (docs/api.md: .csv and
// .jsonl of sentences, words, sub-tokens, loss groups); tables whose rows
// are in the page are written here, with the server's CSV rules (RFC 4180,
// CRLF, a header line, null as an empty field, text exactly as shown).
import {el} from './dom.js';

/** One CSV field. */
function csvField(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? '1' : '0';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** rows (objects) as CSV text over keys (the header, in order). */
export function toCsv(keys, rows) {
  return [keys, ...rows.map((r) => keys.map((k) => r[k]))]
    .map((line, i) => line.map((v) => (i ? csvField(v) : csvField(String(v)))).join(',')).join('\r\n') + '\r\n';
}

/** rows as JSON lines, each with keys in order. */
export function toJsonl(keys, rows) {
  return rows.map((r) => JSON.stringify(Object.fromEntries(keys.map((k) => [k, r[k] ?? null])))).join('\n') +
    (rows.length ? '\n' : '');
}

function save(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], {type}));
  const a = el('a', {href: url, download: name});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * exportRows(name, view) -> the "Export CSV · JSONL" controls of a table in
 * the page: view() returns {keys, rows}, the columns and rows as shown, at
 * the moment of the click; files are name.csv and name.jsonl.
 */
export function exportRows(name, view) {
  const csv = el('button', {type: 'button', class: 'link-btn', 'data-role': 'export-csv'}, 'CSV');
  const jsonl = el('button', {type: 'button', class: 'link-btn', 'data-role': 'export-jsonl'}, 'JSONL');
  csv.addEventListener('click', () => {
    const {keys, rows} = view();
    save(`${name}.csv`, toCsv(keys, rows), 'text/csv');
  });
  jsonl.addEventListener('click', () => {
    const {keys, rows} = view();
    save(`${name}.jsonl`, toJsonl(keys, rows), 'application/x-ndjson');
  });
  return el('span', {class: 'export', title: 'Download what this table shows, in its order'}, 'Export ', csv, ' · ', jsonl);
}

/** The query string of params (null, undefined and '' left out). */
export function queryString(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {}))
    if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? '?' + s : '';
}

/**
 * exportLinks(path) -> the controls of a list the server pages: path() gives
 * {url, params} (url without its extension, e.g. "/api/v1/runs/1/sentences")
 * read at the moment of the click, so the links follow the list's filters.
 */
export function exportLinks(path) {
  const link = (ext, role) => {
    const a = el('a', {href: '#', class: 'link-btn', download: '', 'data-role': role}, ext.toUpperCase());
    const aim = () => {
      const {url, params} = path();
      a.href = `${url}.${ext}${queryString(params)}`;
    };
    a.addEventListener('pointerdown', aim);
    a.addEventListener('focus', aim);
    a.addEventListener('click', aim);
    return a;
  };
  return el('span', {class: 'export', title: 'Download the whole list, filtered and sorted as shown'},
    'Export ', link('csv', 'export-csv'), ' · ', link('jsonl', 'export-jsonl'));
}
