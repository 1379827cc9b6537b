// probing.js - the Probing page (ExplaiNER's "Probing"): texts typed by the
// user, one per line, tagged by the run's model (POST /runs/{id}/probe);
// each shown inline (predictions only: there is no gold) and as a table of
// sub-tokens with the predicted label and its probability, the predictions
// below the threshold flagged, and every sub-token's 3 most likely labels
// (as a word's hover card shows them); sub-tokens as the tokenizer writes them (its
// continuation marks: "##ing", "\u0120the", "\u2581The"). The texts and the
// threshold live in the URL (#/probing?run=1&text=...&threshold=0.5), so a
// probe can be linked and Inspect's "Probe this sentence" opens here with
// its text.
import {busy, hasRun} from '../lib/pagekit.js';
import {setTip, tipRows} from '../lib/hovercard.js';

const EXAMPLES = [
  'John Smith lives in Berlin and works for Siemens .',
  'The European Union fined Microsoft 497 million euros in March 2004 .',
];
const MAX_TEXTS = 64;

function fmtProb(p) {
  return p === null || p === undefined ? '–' : p.toFixed(3);
}

/** Inline rendering with predictions only; hover cards without a gold label. */
function inline(ctx, item) {
  const words = item.words.map((w) => ({text: w.text, gold: w.pred, pred: w.pred,
    prob_pred: w.prob_pred, loss: null}));
  const node = ctx.renderSentence(words);
  node.querySelectorAll('.w').forEach((span, i) => {
    const w = item.words[i];
    if (!w) return;
    setTip(span, () => tipRows(w.text, [['prediction', w.pred ?? '–'], ['p(prediction)', fmtProb(w.prob_pred)]],
      {top: w.top, note: w.low ? 'low probability' : null}));
    span.setAttribute('aria-label', `${w.text}: predicted ${w.pred ?? 'none'}`);
    if (w.low) span.classList.add('probe-low');
  });
  return node;
}

/** A sub-token's most likely labels (t.top), one line each: label (in its class colour) and probability. */
function topCell(ctx, top) {
  const {el} = ctx;
  if (!top || !top.length) return el('td', {class: 'muted'}, '–');
  return el('td', {class: 'probe-top', 'data-role': 'top'},
    top.map((x) => el('div', {}, el('span', {class: 'probe-top-label', style: {color: ctx.labelColor(x.label) || null}},
      x.label), ' ', el('span', {class: 'num'}, x.p.toFixed(3)))));
}

function tokenTable(ctx, item, threshold) {
  const {el} = ctx;
  const body = el('tbody');
  const seen = new Set();
  for (const t of item.tokens) {
    const w = item.words[t.word];
    const first = w && !seen.has(t.word);
    seen.add(t.word);
    const color = first ? ctx.labelColor(w.pred) : null;
    body.append(el('tr', {class: first && w.low ? 'low' : null},
    el('td', {class: 'probe-token', title: `the tokenizer\u2019s string (id ${t.id})`}, t.token ?? t.text),
    el('td', {class: 'muted'}, w ? w.text : '–'),
    el('td', {}, first ? el('span', {class: color ? 'probe-pred' : null, style: color ? {color} : null}, w.pred ?? '–')
      : el('span', {class: 'muted', title: 'continuation sub-token: the word takes its first sub-token\u2019s label'}, '·')),
    el('td', {class: 'num'}, first ? fmtProb(w.prob_pred) : ''),
    topCell(ctx, t.top),
    el('td', {}, first && w.low ? el('span', {class: 'probe-flag'}, `low (< ${threshold})`) : '')));
  }
  return el('table', {class: 'table probe-tokens'},
    el('thead', {}, el('tr', {},
      el('th', {}, 'sub-token'), el('th', {}, 'word'), el('th', {}, 'prediction'),
      el('th', {class: 'num'}, 'p(prediction)'),
      el('th', {title: 'the sub-token\u2019s 3 most likely labels (a word takes its first sub-token\u2019s)'}, 'top 3'),
      el('th', {}, 'flag'))),
    body);
}

function showResults(ctx, out, res) {
  const {el} = ctx;
  out.replaceChildren();
  const nLow = res.items.reduce((s, it) => s + it.words.filter((w) => w.low).length, 0);
  const nWords = res.items.reduce((s, it) => s + it.words.length, 0);
  out.append(el('p', {class: 'muted probe-summary'},
    `${res.items.length} text${res.items.length === 1 ? '' : 's'}, ${nWords} words, ` +
    `${nLow} prediction${nLow === 1 ? '' : 's'} below p = ${res.threshold} ` +
    `(${(res.elapsed_s * 1000).toFixed(0)} ms)`));
  res.items.forEach((item, i) => {
    out.append(el('div', {class: 'card probe-item'},
      el('h3', {}, `Text ${i + 1}`),
      inline(ctx, item),
      el('details', {open: res.items.length <= 4},
        el('summary', {}, `${item.tokens.length} sub-tokens`),
        tokenTable(ctx, item, res.threshold))));
  });
}

export const page = {
  id: 'probing',
  title: 'Probing',
  async render(root, ctx) {
    const {el} = ctx;
    if (!hasRun(ctx, root, 'Make a run on the Home / Setup page: probing uses the run\u2019s model.')) return;
    const box = el('textarea', {class: 'probe-texts', rows: 5, spellcheck: 'false',
      'aria-label': 'Texts, one per line'});
    box.value = ctx.params.get('text') || EXAMPLES.join('\n');
    const asked = Number(ctx.params.get('threshold'));
    const thr = el('input', {type: 'number', class: 'probe-threshold', min: 0, max: 1, step: 0.05,
      value: ctx.params.has('threshold') && asked >= 0 && asked <= 1 ? asked : 0.5,
      'aria-label': 'Low-probability threshold'});
    const btn = el('button', {class: 'btn btn-primary', type: 'button'}, 'Probe');
    const out = el('div', {class: 'probe-results'});
    const probe = async () => {
      const texts = box.value.split('\n').map((s) => s.trim()).filter(Boolean);
      if (!texts.length) {
        out.replaceChildren(el('p', {class: 'hint'}, 'Type at least one text, one per line.'));
        return;
      }
      if (texts.length > MAX_TEXTS) {
        out.replaceChildren(el('p', {class: 'error-box'},
          `${texts.length} texts: at most ${MAX_TEXTS} at once.`));
        return;
      }
      await busy(ctx, btn, out, async () => {
        const threshold = Math.min(1, Math.max(0, Number(thr.value) || 0.5));
        ctx.setParams({text: texts.join('\n'), threshold: threshold === 0.5 ? null : threshold});
        const res = await ctx.api(`/api/v1/runs/${ctx.runId}/probe`,
          {method: 'POST', body: {texts, threshold}});
        showResults(ctx, out, res);
      });
    };
    btn.addEventListener('click', probe);
    box.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) probe();
    });
    root.append(
      el('div', {class: 'card probe-input'},
        el('label', {}, 'Texts to tag, one per line (at most 64, Ctrl+Enter to probe)'),
        box,
        el('div', {class: 'controls probe-actions'},
          el('label', {}, 'Flag predictions with probability below ', thr), btn)),
      out);
    await probe();
  },
};
