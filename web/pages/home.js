// home.js - the "Home / Setup" page (issue #4 §1, the original's home page):
// the runs stored in the database (a click opens that run's Metrics), a
// "New run" form (model folder, dataset, split, sample size, randomize with
// a seed) that starts a run job on the server and shows its progress with
// Cancel, then a line with a link to the new run (the last run's messages
// cleared when the next starts), runs already going (e.g. `serve --model
// --data` at start), and per-class colour
// and icon pickers for the open run, kept in the database, the legend
// updated live. API: docs/api.md. Hash: #/home?run=1.

import {exportRows} from '../lib/export.js';

const f3 = (x) => (typeof x === 'number' ? x.toFixed(3) : '–');
const base = (p) => (p || '').split('/').filter(Boolean).pop() || p || '–';
const ICON_MAX_BYTES = 8;

/** The runs table of runs (default: the app's list); a click opens that run (its Metrics). */
function runsTable(ctx, runs = ctx.runs) {
  const {el} = ctx;
  if (!runs.length)
    return el('p', {class: 'muted', 'data-role': 'no-runs'},
      'No runs in this database yet: start one with the form below.');
  const head = ['#', 'model', 'data', 'split', 'sentences', 'micro F1', 'created'];
  // The rows as shown (newest first), for the export.
  return el('table', {class: 'table h-runs', 'data-role': 'runs', dataset: {runs: JSON.stringify([...runs].reverse())}},
    el('thead', {}, el('tr', {}, head.map((h, i) => el('th', {class: i === 0 || i >= 4 && i <= 5 ? 'num' : null}, h)))),
    el('tbody', {}, [...runs].reverse().map((r) => el('tr', {
      class: r.id === ctx.runId ? 'h-current' : null,
      dataset: {run: r.id},
      title: `Open run #${r.id}: its metrics`,
      onclick: () => { location.hash = `#/metrics?run=${r.id}`; },
    },
    el('td', {class: 'num'}, el('a', {href: `#/metrics?run=${r.id}`}, `#${r.id}`)),
    el('td', {class: 'path', title: r.model_path || ''}, base(r.model_path)),
    el('td', {class: 'path', title: r.data_path || ''}, base(r.data_path)),
    el('td', {}, r.split || 'test'),
    el('td', {class: 'num'}, (r.n_sentences ?? 0).toLocaleString('en-US')),
    el('td', {class: 'num'}, f3(r.micro_f1)),
    el('td', {}, (r.created_at || '').replace('T', ' ').replace('Z', ' UTC'))))));
}

/** Wait for a run job in host; then a line in status with a link to its run, and its warnings. */
async function followRun(ctx, start, host, status) {
  const {el} = ctx;
  try {
    const res = await ctx.job(start, {el: host});
    const link = el('a', {href: `#/metrics?run=${res.run_id}`, 'data-role': 'open-run'}, `Open run #${res.run_id}`);
    status.replaceChildren(el('p', {class: 'h-done', 'data-role': 'run-done'},
      res.reused
        ? `Run #${res.run_id} was already stored with these files and options. `
        : `Run #${res.run_id} done: ${res.n_sentences.toLocaleString('en-US')} sentences in ${res.seconds.toFixed(1)} s. `,
      link));
    // Warnings about the data (ill-formed tag sequences, ...) stay until the next run starts.
    if (res.warnings?.length)
      status.append(el('ul', {class: 'h-warnings', 'data-role': 'run-warnings'},
        res.warnings.map((w) => el('li', {}, w))));
    // The new run joins the table at once.
    const table = ctx.root.querySelector('[data-role=runs], [data-role=no-runs]');
    const {items} = await ctx.api('/api/v1/runs');
    table?.replaceWith(runsTable(ctx, items));
  } catch (e) {
    if (e.name === 'AbortError') return;
    if (e.name === 'JobCancelled') {
      status.textContent = 'The run was cancelled; the database is unchanged.';
      return;
    }
    ctx.error(host, e);
  }
}

function field(ctx, label, input, hint) {
  const {el} = ctx;
  return [el('label', {for: input.id}, label), hint ? el('div', {}, input, ' ', el('span', {class: 'muted'}, hint)) : input];
}

function datalist(ctx, id, items) {
  return ctx.el('datalist', {id}, (items || []).map((v) => ctx.el('option', {value: v})));
}

/** The "New run" form, with the server's defaults. */
function runForm(ctx, setup, jobsHost) {
  const {el} = ctx;
  const model = el('input', {type: 'text', id: 'h-model', name: 'model', list: 'h-models', value: setup.model || '',
    placeholder: 'path/to/model-folder', required: true});
  const data = el('input', {type: 'text', id: 'h-data', name: 'data', list: 'h-datasets', value: setup.data || '',
    placeholder: 'path/to/test.conll (or a folder with train/dev/test)', required: true});
  const split = el('select', {id: 'h-split', name: 'split'}, (setup.splits || ['test']).map((s) => el('option', {value: s}, s)));
  const sample = el('input', {type: 'number', id: 'h-sample', name: 'sample', min: 0, step: 1, value: 0});
  const randomize = el('input', {type: 'checkbox', id: 'h-random', name: 'randomize'});
  const seed = el('input', {type: 'number', id: 'h-seed', name: 'seed', min: 0, step: 1,
    value: setup.defaults?.seed ?? 42, disabled: true});
  randomize.addEventListener('change', () => { seed.disabled = !randomize.checked; });
  const status = el('div', {class: 'h-status muted', 'data-role': 'run-status'});
  const submit = el('button', {class: 'btn btn-primary', type: 'submit'}, 'Start run');
  const form = el('form', {class: 'h-form', 'data-role': 'new-run', novalidate: true},
    field(ctx, 'Model folder', model),
    field(ctx, 'Dataset', data),
    field(ctx, 'Split', split, 'used when the dataset is a folder'),
    field(ctx, 'Sample size', sample, '0 = every sentence'),
    field(ctx, 'Randomize', el('span', {}, randomize, ' ', el('label', {for: 'h-seed'}, 'seed '), seed),
      'draw the sample at random instead of the first sentences'),
    el('div', {class: 'h-actions'}, submit),
    datalist(ctx, 'h-models', setup.models), datalist(ctx, 'h-datasets', setup.datasets));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    // A new run starts clean: the last one's errors and messages go.
    status.replaceChildren();
    jobsHost.querySelectorAll('.error-box').forEach((b) => b.remove());
    const n = Math.max(0, Math.floor(Number(sample.value) || 0));
    const body = {model: model.value.trim(), data: data.value.trim(), split: split.value};
    if (randomize.checked && n) Object.assign(body, {sample: n, seed: Math.max(0, Math.floor(Number(seed.value) || 0))});
    else if (n) body.limit = n;
    if (!body.model || !body.data) {
      status.textContent = 'Give a model folder and a dataset.';
      return;
    }
    submit.disabled = true;
    try {
      await followRun(ctx, ctx.api('/api/v1/runs', {method: 'POST', body}), jobsHost, status);
    } finally {
      submit.disabled = false;
    }
  });
  return el('div', {}, form, status);
}

/** Update the app's legend in place (before the server answers). */
function legendLive(name, color, icon) {
  for (const item of document.querySelectorAll('#legend .legend-item')) {
    if (item.querySelector('.legend-name')?.textContent !== name) continue;
    const sw = item.querySelector('.swatch');
    if (!sw) continue;
    if (color) sw.style.background = color;
    if (icon !== undefined) sw.textContent = icon;
  }
}

/** Colour pickers and icon inputs of the open run's classes. */
function classEditor(ctx) {
  const {el} = ctx;
  const status = el('div', {class: 'h-status muted', 'data-role': 'settings-status'});
  const save = async (entry) => {
    status.textContent = 'Saving…';
    try {
      await ctx.api(`/api/v1/runs/${ctx.runId}/settings`, {method: 'PUT', body: {classes: [entry]}});
      status.textContent = `Saved ${entry.name}.`;
      await ctx.refresh();
    } catch (e) {
      if (e.name === 'AbortError') return;
      status.textContent = '';
      ctx.error(status, e);
    }
  };
  const rows = ctx.classes.map((c) => {
    const color = el('input', {type: 'color', value: c.color, 'aria-label': `colour of ${c.name}`,
      dataset: {class: c.name}});
    const icon = el('input', {type: 'text', value: c.icon || '', 'aria-label': `icon of ${c.name}`,
      dataset: {class: c.name}, placeholder: 'none'});
    const sample = el('span', {class: 'swatch', style: {background: c.color, color: ctx.fg(c.color)}}, c.icon || '');
    color.addEventListener('input', () => {
      sample.style.background = color.value;
      sample.style.color = ctx.fg(color.value);
      legendLive(c.name, color.value);
    });
    color.addEventListener('change', () => save({name: c.name, color: color.value}));
    icon.addEventListener('change', () => {
      const v = icon.value.trim();
      if (new TextEncoder().encode(v).length > ICON_MAX_BYTES) {
        status.textContent = `The icon of ${c.name} is too long: one emoji or up to ${ICON_MAX_BYTES} bytes.`;
        return;
      }
      sample.textContent = v;
      legendLive(c.name, null, v);
      save({name: c.name, icon: v});
    });
    return el('tr', {dataset: {class: c.name}}, el('td', {}, sample), el('td', {}, el('strong', {}, c.name)),
      el('td', {}, color), el('td', {}, icon), el('td', {class: 'muted'}, c.color));
  });
  return el('div', {},
    el('table', {class: 'table h-classes', 'data-role': 'classes'},
      el('thead', {}, el('tr', {}, el('th', {}, ''), el('th', {}, 'class'), el('th', {}, 'colour'),
        el('th', {}, 'icon'), el('th', {}, 'hex'))),
      el('tbody', {}, rows)),
    status);
}

/** Run jobs already going (this page's or `serve --model --data` at start): follow them. */
async function followRunning(ctx, host, status) {
  const {jobs} = await ctx.api('/api/v1/jobs');
  for (const j of jobs.filter((x) => x.kind === 'run' && (x.state === 'queued' || x.state === 'running')))
    followRun(ctx, Promise.resolve(j), host, status);
}

export const page = {
  id: 'home',
  title: 'Home / Setup',
  async render(root, ctx) {
    const {el} = ctx;
    const setup = await ctx.api('/api/v1/setup');
    const jobsHost = el('div', {class: 'h-jobs', 'data-role': 'jobs'});
    const runStatus = el('div', {class: 'h-status muted'});
    root.append(
      el('div', {class: 'card h-section'}, el('h2', {}, 'Runs in this database'),
        el('p', {class: 'muted'}, `${setup.database} · click a run to open its metrics`),
        runsTable(ctx),
        el('div', {class: 'table-foot'}, exportRows('runs', () => ({
          keys: ['id', 'created_at', 'model_path', 'model_arch', 'data_path', 'split', 'n_sentences', 'n_words',
            'n_tokens', 'micro_f1'],
          rows: JSON.parse(ctx.root.querySelector('[data-role=runs]')?.dataset.runs || '[]'),
        })))),
      el('div', {class: 'row h-section'},
        el('div', {class: 'card'}, el('h2', {}, 'New run'),
          el('p', {class: 'muted'}, 'Runs the model over the dataset on the server and stores every prediction, loss and hidden state here.'),
          jobsHost, runStatus, runForm(ctx, setup, jobsHost)),
        el('div', {class: 'card'}, el('h2', {}, ctx.runId ? `Classes of run #${ctx.runId}` : 'Classes'),
          ctx.runId && ctx.classes.length
            ? [el('p', {class: 'muted'}, 'Colours and icons are kept per run in the database and used by every page.'), classEditor(ctx)]
            : el('p', {class: 'muted'}, 'Open a run to pick its class colours and icons.'))));
    await followRunning(ctx, jobsHost, runStatus);
  },
};
