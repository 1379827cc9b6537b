// duplicates.js - the Find Duplicates page (ExplaiNER's find_duplicates):
// sentence pairs whose embeddings (the mean of the run's stored word hidden
// states, or of a sentence-transformers model's last hidden states when an
// encoder folder is given) have a cosine similarity at or above a threshold,
// most similar first. The server computes them as a job cached per run,
// threshold and encoder (POST /runs/{id}/duplicates), so moving the slider
// back is instant.
import {hasRun, showJobError, showMore} from '../lib/pagekit.js';

const LIMIT = 200;

const PAGE = 50; // pairs drawn at once; "Show more" adds the next ones

function pairRow(ctx, p) {
  const {el} = ctx;
  return el('tr', {class: 'dup-pair'},
    el('td', {class: 'num dup-sim'}, p.sim.toFixed(4)),
    el('td', {class: 'num'}, el('a', {href: `#/inspect?run=${ctx.runId}&sentence=${p.a}`}, `#${p.a}`)),
    el('td', {}, p.text_a, ctx.verdicts.badge(p.a)),
    el('td', {class: 'num'}, el('a', {href: `#/inspect?run=${ctx.runId}&sentence=${p.b}`}, `#${p.b}`)),
    el('td', {}, p.text_b, ctx.verdicts.badge(p.b)));
}

function pairList(ctx, res) {
  const {el} = ctx;
  if (!res.pairs.length)
    return el('div', {class: 'empty dup-empty'},
      el('p', {}, `No sentence pairs with cosine similarity ≥ ${res.threshold.toFixed(3)}.`));
  const body = el('tbody');
  const more = showMore(ctx, res.pairs, PAGE, (p) => body.append(pairRow(ctx, p)));
  return el('div', {},
    el('table', {class: 'table dup-table'},
      el('thead', {}, el('tr', {},
        el('th', {class: 'num'}, 'cosine'), el('th', {class: 'num'}, 'id'), el('th', {}, 'sentence'),
        el('th', {class: 'num'}, 'id'), el('th', {}, 'similar sentence'))),
      body),
    el('div', {class: 'dup-more'}, more));
}

export const page = {
  id: 'duplicates',
  title: 'Find Duplicates',
  async render(root, ctx) {
    const {el} = ctx;
    if (!hasRun(ctx, root, 'Make a run on the Home / Setup page first.')) return;
    const start = Math.min(1, Math.max(0.5, Number(ctx.params.get('threshold')) || 0.95));
    const slider = el('input', {type: 'range', class: 'dup-slider', min: 0.5, max: 1, step: 0.005, value: start,
      'aria-label': 'Similarity threshold'});
    const shown = el('output', {class: 'dup-shown'}, start.toFixed(3));
    const encoder = el('input', {type: 'text', class: 'dup-encoder', name: 'encoder',
      value: ctx.params.get('encoder') || '', placeholder: 'sentence-transformers folder (optional)',
      'aria-label': 'Encoder model folder'});
    const btn = el('button', {class: 'btn btn-primary', type: 'button'}, 'Find');
    const summary = el('p', {class: 'muted dup-summary'});
    const status = el('div');
    const out = el('div', {class: 'dup-result'});
    let seq = 0;
    let timer = null; // the slider's pending search, dropped when the page is left
    ctx.onLeave(() => clearTimeout(timer));
    const find = async () => {
      const threshold = Number(slider.value);
      const enc = encoder.value.trim() || null;
      const mine = ++seq;
      ctx.setParams({threshold, encoder: enc || undefined});
      status.replaceChildren();
      try {
        const res = await ctx.job(ctx.api(`/api/v1/runs/${ctx.runId}/duplicates`,
          {method: 'POST', body: {threshold, limit: LIMIT, encoder: enc}}), {el: status});
        if (mine !== seq) return;
        summary.textContent = `${res.total.toLocaleString('en-US')} pair${res.total === 1 ? '' : 's'} of ` +
          `${res.n_sentences.toLocaleString('en-US')} sentences at cosine ≥ ${threshold.toFixed(3)}` +
          (res.total > res.pairs.length ? ` (the ${res.pairs.length} most similar shown)` : '') +
          (res.encoder ? ` · sentence vector: mean-pooled last hidden states of ${res.encoder}`
            : ` · sentence vector: mean of the words\u2019 last hidden states`);
        out.replaceChildren(pairList(ctx, res));
        root.dataset.threshold = threshold.toFixed(3);
      } catch (e) {
        if (e.name === 'AbortError' || mine !== seq) return;
        out.replaceChildren();
        showJobError(ctx, status, e);
      }
    };
    slider.addEventListener('input', () => {
      shown.textContent = Number(slider.value).toFixed(3);
      clearTimeout(timer);
      timer = setTimeout(find, 250);
    });
    slider.addEventListener('change', () => {
      clearTimeout(timer);
      find();
    });
    btn.addEventListener('click', find);
    encoder.addEventListener('keydown', (e) => { if (e.key === 'Enter') find(); });
    root.append(el('div', {class: 'card controls dup-controls'},
      el('label', {}, 'Cosine similarity at least ', slider), shown,
      el('label', {}, 'Encoder ', encoder), btn),
    status, summary, out);
    await find();
  },
};
