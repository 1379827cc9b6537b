// grid.js - data grids (ctx.grid) with Tabulator 6 (npm tabulator-tables,
// served offline as /vendor/tabulator_esm.min.js). Server mode maps Tabulator's
// remote pagination, sorting and header filters onto our API's query
// parameters (limit, offset, sort, order, and each column's filter name), so
// big tables are paged and sorted in SQL; local mode takes rows in memory.
// Every grid gets a "Columns" chooser and an export of what it shows
// (lib/export.js): a server grid links to the API's download with its
// current sort and filters, a local grid writes its filtered, sorted rows.
import {TabulatorFull as Tabulator} from '/vendor/tabulator_esm.min.js';
import {api} from './api.js';
import {el, errorMessage} from './dom.js';
import {exportLinks, exportRows} from './export.js';
import {skeleton} from './loading.js';

/** Tabulator formatter for numbers with fixed digits ('–' for null). */
export function numberFormatter(digits = 3) {
  return (cell) => {
    const v = cell.getValue();
    return v === null || v === undefined ? '–' : Number(v).toFixed(digits);
  };
}

// Column shorthands: {format: 'int' | 'num' | 'num2' | 'pct'} picks a formatter and right alignment.
function prepareColumns(columns, remote) {
  return columns.map((c) => {
    const col = {...c};
    if (c.format) {
      col.hozAlign = col.hozAlign || 'right';
      col.cssClass = [col.cssClass, 'num'].filter(Boolean).join(' ');
      if (c.format === 'int') col.formatter = col.formatter || ((cell) => cell.getValue() ?? '–');
      else if (c.format === 'num') col.formatter = col.formatter || numberFormatter(3);
      else if (c.format === 'num2') col.formatter = col.formatter || numberFormatter(2);
      else if (c.format === 'pct') col.formatter = col.formatter ||
        ((cell) => (cell.getValue() === null ? '–' : (100 * cell.getValue()).toFixed(1) + '%'));
      delete col.format;
    }
    // Remote grids sort only where the server has a sort key for the column.
    if (remote) col.headerSort = !!c.sortKey;
    delete col.sortKey;
    delete col.filterKey;
    return col;
  });
}

function sortParams(columns, sorters) {
  const s = sorters && sorters[0];
  if (!s) return {};
  const col = columns.find((c) => c.field === s.field);
  return col && col.sortKey ? {sort: col.sortKey, order: s.dir === 'asc' ? 'asc' : 'desc'} : {};
}

function filterParams(columns, filters) {
  const out = {};
  for (const f of filters || []) {
    const col = columns.find((c) => c.field === f.field);
    if (col && f.value !== '' && f.value !== null && f.value !== undefined)
      out[col.filterKey || f.field] = f.value;
  }
  return out;
}

function columnChooser(table, bar, signal) {
  const menu = el('div', {class: 'col-menu', hidden: true});
  const close = (e) => {
    if (e && (menu.contains(e.target) || button.contains(e.target))) return;
    menu.hidden = true;
    document.removeEventListener('click', close);
  };
  const button = el('button', {
    class: 'btn btn-small', type: 'button', 'aria-haspopup': 'true',
    onclick: () => {
      if (!menu.hidden) return close();
      menu.replaceChildren(...table.getColumns().filter((c) => c.getDefinition().title).map((c) =>
        el('label', {}, el('input', {
          type: 'checkbox', checked: c.isVisible(),
          onchange: (e) => (e.target.checked ? c.show() : c.hide()),
        }), ' ', c.getDefinition().title)));
      menu.hidden = false;
      document.addEventListener('click', close, {signal});
    },
  }, 'Columns ▾');
  bar.append(el('span', {class: 'col-chooser'}, button, menu));
}

/**
 * grid(el, opts) -> Tabulator.
 * opts.url: an API path answering {total, items} with limit/offset/sort/order;
 *   opts.params: fixed extra query parameters (object, or a function returning one);
 *   columns may carry sortKey (the server's sort name; others are not sortable)
 *   and filterKey (query parameter of the column's headerFilter; default the field).
 * opts.data: local rows instead (sorting, filtering, paging in the browser).
 * opts.columns: Tabulator column definitions (+ format: 'int'|'num'|'num2'|'pct').
 * opts.pageSize (50), opts.onRowClick(rowData, row, event), opts.height, opts.initialSort
 * ([{column, dir}]), opts.tabulator (extra Tabulator options), opts.signal.
 * opts.exportName: the download's name (local grids); opts.exportUrl: a
 * server grid's download, the API path without extension (".../words").
 * The grid's toolbar (row count, export, column chooser) goes above it inside el.
 */
export function grid(host, opts) {
  const remote = !!opts.url;
  const bar = el('div', {class: 'grid-bar'});
  const status = el('span', {class: 'grid-status'});
  const target = el('div', {class: 'grid'});
  bar.append(status);
  host.append(bar, target);
  let shownQuery = {}; // a server grid's filters and sort, as last asked for
  const options = {
    layout: 'fitDataStretch',
    columns: prepareColumns(opts.columns || [], remote),
    pagination: true,
    paginationSize: opts.pageSize || 50,
    paginationSizeSelector: [25, 50, 100, 200, 500],
    paginationCounter: 'rows',
    placeholder: 'No rows',
    dataLoader: false, // Tabulator's dark "Loading" box: the skeleton below says it more calmly
    columnDefaults: {headerTooltip: true},
    initialSort: opts.initialSort,
    height: opts.height,
    ...opts.tabulator,
  };
  if (remote) {
    // Skeleton rows until the first page has come (or failed), as lib/loading.js does for a card.
    let waiting = skeleton(el);
    host.append(waiting);
    host.setAttribute('aria-busy', 'true');
    const arrived = () => {
      if (!waiting) return;
      waiting.remove();
      waiting = null;
      host.removeAttribute('aria-busy');
    };
    Object.assign(options, {
      paginationMode: 'remote', sortMode: 'remote', filterMode: 'remote',
      ajaxURL: opts.url,
      ajaxRequestFunc: async (url, config, params) => {
        const extra = typeof opts.params === 'function' ? opts.params() : opts.params || {};
        const size = params.size || options.paginationSize;
        shownQuery = {...extra, ...sortParams(opts.columns, params.sort), ...filterParams(opts.columns, params.filter)};
        const query = {...shownQuery, limit: size, offset: ((params.page || 1) - 1) * size};
        try {
          const r = await api(url, {query, signal: opts.signal});
          status.textContent = `${r.total.toLocaleString('en-US')} rows`;
          status.classList.remove('grid-error');
          return {last_page: Math.max(1, Math.ceil(r.total / size)), last_row: r.total, data: r.items};
        } catch (e) {
          // Shown here, not thrown: Tabulator would log a console error for a rejected load.
          if (e.name !== 'AbortError') {
            status.textContent = errorMessage(e);
            status.classList.add('grid-error');
          }
          return {last_page: 1, last_row: 0, data: []};
        } finally {
          arrived();
        }
      },
    });
  } else {
    options.data = opts.data || [];
    status.textContent = `${options.data.length.toLocaleString('en-US')} rows`;
  }
  const table = new Tabulator(target, options);
  if (remote && opts.exportUrl)
    bar.append(exportLinks(() => ({url: opts.exportUrl, params: shownQuery})));
  else if (!remote)
    bar.append(exportRows(opts.exportName || 'table', () => {
      const cols = table.getColumns().filter((c) => c.isVisible() && c.getField());
      return {keys: cols.map((c) => c.getField()), rows: table.getData('active')};
    }));
  if (opts.onRowClick) {
    target.classList.add('grid-clickable');
    table.on('rowClick', (e, row) => opts.onRowClick(row.getData(), row, e));
  }
  table.on('tableBuilt', () => columnChooser(table, bar, opts.signal));
  if (!remote)
    table.on('dataFiltered', (filters, rows) => {
      status.textContent = `${rows.length.toLocaleString('en-US')} rows`;
    });
  return table;
}
