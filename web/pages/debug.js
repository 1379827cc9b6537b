// debug.js - the "Debug" page (issue #4 §14, the original's debug section):
// the server's version, build, compiler and libraries; the open run's
// provenance (paths, hashes), options and timings; its model's config.json
// and a tokenizer summary; the server's recent jobs. API: GET /api/v1/debug,
// GET /api/v1/runs/{id}/debug, GET /api/v1/jobs (docs/api.md).

const known = (x) => x !== null && x !== undefined;

function show(v) {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toPrecision(6).replace(/\.?0+$/, '');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A two-column table of [key, value] pairs. */
function kv(ctx, pairs, role) {
  const {el} = ctx;
  return el('table', {class: 'table d-kv', 'data-role': role},
    el('tbody', {}, pairs.map(([k, v]) => el('tr', {dataset: {key: k}}, el('td', {class: 'd-k'}, k), el('td', {}, show(v))))));
}

function jsonBlock(ctx, v, open, role) {
  const {el} = ctx;
  return el('details', {open}, el('summary', {}, 'as JSON'),
    el('pre', {class: 'd-json', 'data-role': role}, JSON.stringify(v, null, 2)));
}

function card(ctx, title, ...body) {
  return ctx.el('div', {class: 'card'}, ctx.el('h2', {}, title), ...body);
}

function serverCard(ctx, d) {
  return card(ctx, 'Server', kv(ctx, [
    ['ExplaiNER', d.version],
    ['build', d.build.type + (d.build.sanitizers.length ? ` + ${d.build.sanitizers.join(', ')} sanitizer` : '')],
    ['compiler', `${d.compiler.name} ${d.compiler.version}`],
    ['GEMM backend', d.libraries.gemm],
    ['SQLite', d.libraries.sqlite],
    ['jansson', d.libraries.jansson],
    ['libmicrohttpd', d.libraries.libmicrohttpd],
    ['CPUs', d.threads.cpus],
    ['job threads', d.threads.job_threads],
    ['threads per run', d.threads.run_threads],
    ['database', d.database],
  ], 'server'));
}

function runCard(ctx, r) {
  const run = r.run;
  return card(ctx, `Run #${run.id}`, kv(ctx, [
    ['created', run.created_at],
    ['ExplaiNER', run.explainer_version],
    ['model', run.model_path],
    ['model SHA-256', run.model_hash],
    ['architecture', run.model_arch],
    ['data', run.data_path],
    ['data SHA-256', run.data_hash],
    ['split', run.split || 'test'],
    ['scheme', r.scheme ? `${r.scheme.data} (model ${r.scheme.model}), ${r.scheme.ill_formed} ill-formed` : null],
    ['sentences', run.n_sentences],
    ['words', run.n_words],
    ['sub-tokens', run.n_tokens],
    ['hidden size', run.hidden_size],
  ], 'run'));
}

function optionsCard(ctx, r) {
  const t = r.timings || {};
  return card(ctx, 'Options and timings',
    kv(ctx, Object.entries(r.options || {}), 'options'),
    ctx.el('h3', {}, 'Timings'),
    kv(ctx, [
      ['duration', known(t.duration_s) ? `${t.duration_s.toFixed(2)} s` : null],
      ['per sentence', known(t.per_sentence_ms) ? `${t.per_sentence_ms.toFixed(2)} ms` : null],
      ['sentences / s', known(t.sentences_per_s) ? Math.round(t.sentences_per_s) : null],
      ['words / s', known(t.words_per_s) ? Math.round(t.words_per_s) : null],
    ], 'timings'));
}

function modelCard(ctx, r) {
  const cfg = r.model_config;
  if (!cfg)
    return card(ctx, 'Model config', ctx.el('p', {class: 'muted'},
      `The model folder ${r.run.model_path} is not there any more: no config.json to show.`));
  if (cfg.error) return card(ctx, 'Model config', ctx.el('p', {class: 'muted'}, cfg.error));
  const scalars = Object.entries(cfg).filter(([, v]) => v === null || typeof v !== 'object');
  const labels = cfg.id2label ? Object.keys(cfg.id2label).length : null;
  return card(ctx, 'Model config',
    kv(ctx, [...scalars, ['architectures', (cfg.architectures || []).join(', ')], ['labels', labels]], 'config'),
    jsonBlock(ctx, cfg, false, 'config-json'));
}

function tokenizerCard(ctx, r) {
  const t = r.tokenizer;
  if (!t) return card(ctx, 'Tokenizer', ctx.el('p', {class: 'muted'}, 'No tokenizer.json in the model folder.'));
  if (t.error) return card(ctx, 'Tokenizer', ctx.el('p', {class: 'muted'}, t.error));
  return card(ctx, 'Tokenizer', kv(ctx, [
    ['model', t.model], ['normalizer', t.normalizer], ['pre-tokenizer', t.pre_tokenizer],
    ['post-processor', t.post_processor], ['decoder', t.decoder], ['vocabulary', t.vocab_size],
    ['added tokens', t.added_tokens],
  ], 'tokenizer'));
}

function jobsCard(ctx, jobs) {
  const {el} = ctx;
  if (!jobs.length) return card(ctx, 'Jobs', el('p', {class: 'muted'}, 'No background jobs since the server started.'));
  return card(ctx, 'Jobs', el('table', {class: 'table', 'data-role': 'jobs'},
    el('thead', {}, el('tr', {}, ['#', 'kind', 'state', 'stage', 'progress', 'seconds', 'error'].map((h) => el('th', {}, h)))),
    el('tbody', {}, jobs.map((j) => el('tr', {},
      el('td', {}, j.id), el('td', {}, j.kind), el('td', {}, j.state), el('td', {}, j.stage),
      el('td', {}, `${Math.round(100 * j.progress)}%`), el('td', {}, j.elapsed_s.toFixed(1)),
      el('td', {class: 'muted'}, j.error || ''))))));
}

export const page = {
  id: 'debug',
  title: 'Debug',
  async render(root, ctx) {
    const {el} = ctx;
    const [server, run, jobs] = await Promise.all([
      ctx.api('/api/v1/debug'),
      ctx.runId ? ctx.api(`/api/v1/runs/${ctx.runId}/debug`) : null,
      ctx.api('/api/v1/jobs'),
    ]);
    if (!run) root.append(el('p', {class: 'hint'}, 'No run is open: only the server is shown.'));
    root.append(el('div', {class: 'd-grid'},
      serverCard(ctx, server),
      run && runCard(ctx, run),
      run && optionsCard(ctx, run),
      run && modelCard(ctx, run),
      run && tokenizerCard(ctx, run),
      jobsCard(ctx, jobs.jobs)));
  },
};
