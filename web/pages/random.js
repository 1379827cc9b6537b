// random.js - the Random Samples page (issue #4 §5, the original's random
// samples: df.sample(n), n = min(128, sample size)): n sentences drawn by the
// server's seeded shuffle (GET /sentences?sort=random&seed=S), rendered
// inline. "Resample" draws a new seed; n and the seed live in the hash
// (#/random?run=1&n=128&seed=4711), so a draw is a link anyone can reopen.
import {hasRun} from '../lib/pagekit.js';
import {sentenceItem} from '../lib/sentences.js';
import {exportRows} from '../lib/export.js';

const MAX_N = 1000; // the sentences endpoint's page limit

function newSeed() {
  return Math.floor(Math.random() * 1e9);
}

export const page = {
  id: 'random',
  title: 'Random Samples',
  async render(root, ctx) {
    const {el} = ctx;
    if (!hasRun(ctx, root, 'Start a run on the Home / Setup page to see its sentences.')) return;
    const size = ctx.run.n_sentences || 0;
    const cap = Math.max(1, Math.min(MAX_N, size));
    const p = ctx.params;
    const askedN = Math.floor(Number(p.get('n')));
    const askedSeed = Math.floor(Number(p.get('seed')));
    const state = {
      n: askedN >= 1 ? Math.min(cap, askedN) : Math.min(128, cap),
      seed: p.has('seed') && askedSeed >= 0 ? askedSeed : newSeed(),
      table: p.get('table') === '1',
    };
    const nInput = el('input', {type: 'number', min: 1, max: cap, step: 1, value: state.n,
      'aria-label': 'Number of sentences', 'data-role': 'n'});
    const table = el('input', {type: 'checkbox', checked: state.table, 'data-role': 'show-table'});
    const seedLabel = el('span', {class: 'muted', 'data-role': 'seed'});
    const resample = el('button', {class: 'btn btn-primary', type: 'button', 'data-role': 'resample'},
      'Resample');
    const summary = el('div', {class: 'smp-summary', 'data-role': 'summary'});
    let shown = [];
    const exporter = exportRows(`run${ctx.runId}-random`, () => ({
      keys: ['id', 'doc_id', 'text', 'loss', 'n_word_errors', 'n_entity_errors'], rows: shown}));
    const list = el('ol', {class: 'smp-list', 'data-role': 'sentences'});
    root.append(
      el('div', {class: 'card smp-controls'},
        el('label', {}, 'Sentences', nInput, el('span', {class: 'muted'}, `of ${size.toLocaleString('en-US')}`)),
        resample,
        el('label', {title: 'Per sentence, a table of words, gold and predicted labels and losses'}, table,
          'Show token table'),
        seedLabel),
      el('div', {class: 'card'}, el('div', {class: 'sent-head'}, summary, exporter), list));

    let seq = 0;
    async function draw() {
      const mine = ++seq;
      ctx.setParams({n: state.n, seed: state.seed, table: state.table ? '1' : null});
      seedLabel.textContent = `seed ${state.seed}`;
      resample.disabled = true;
      summary.textContent = 'Drawing…';
      let r;
      try {
        r = await ctx.api(`runs/${ctx.runId}/sentences`, {
          query: {sort: 'random', seed: state.seed, limit: state.n, words: 1},
        });
      } finally {
        if (mine === seq) resample.disabled = false;
      }
      if (mine !== seq) return;
      const wrong = r.items.filter((s) => s.n_word_errors > 0).length;
      const loss = r.items.reduce((a, s) => a + (s.loss || 0), 0);
      summary.textContent = `${r.items.length.toLocaleString('en-US')} sentences drawn at random from ` +
        `${r.total.toLocaleString('en-US')}: ${wrong} with at least one wrong word, ` +
        `mean total loss ${(r.items.length ? loss / r.items.length : 0).toFixed(3)}.`;
      shown = r.items;
      list.replaceChildren(...r.items.map((s, i) => sentenceItem(ctx, s, i + 1, {table: state.table})));
    }
    const redraw = () => draw().catch((e) => {
      if (e.name === 'AbortError') return;
      summary.replaceChildren();
      ctx.error(summary, e);
    });
    resample.addEventListener('click', () => {
      state.seed = newSeed();
      redraw();
    });
    nInput.addEventListener('change', () => {
      const v = Math.floor(Number(nInput.value));
      if (!(v >= 1)) return;
      state.n = Math.min(cap, v);
      nInput.value = state.n;
      redraw();
    });
    table.addEventListener('change', () => {
      state.table = table.checked;
      redraw();
    });
    await draw();
  },
};
