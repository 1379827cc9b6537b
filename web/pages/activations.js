// activations.js - the Activations page (ExplaiNER's ecco view, ner-analysis
// §2.7): a text's feed-forward activations (GELU outputs of the chosen
// layers, clipped at 0) factorised by NMF on the server (POST
// /runs/{id}/activations); every factor is a pattern of neurons that fire
// together, drawn as a sparkline over the tokens, and the selected factor
// highlights the tokens by its strength, like ecco's NMF explorer.
import {busy, hasRun} from '../lib/pagekit.js';
import {alpha} from '../lib/colors.js';

const EXAMPLE = 'John Smith flew from Berlin to Paris on Monday to meet officials of the European Union .';
// One colour per factor (ecco uses a qualitative palette too).
const FACTOR_COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2',
  '#ca8a04', '#db2777', '#4b5563', '#65a30d'];

/** A small inline SVG line of values (one factor over the tokens). */
function sparkline(ctx, values, color, max) {
  const {el} = ctx;
  const w = 160;
  const h = 28;
  const n = values.length;
  const pts = values.map((v, i) => `${(n > 1 ? (i * (w - 4)) / (n - 1) : 0) + 2},${(h - 3 - (max > 0 ? v / max : 0) * (h - 6)).toFixed(1)}`);
  return el('svg', {viewBox: `0 0 ${w} ${h}`, width: w, height: h, class: 'sparkline', 'aria-hidden': 'true'},
    el('polyline', {points: pts.join(' '), fill: 'none', stroke: color, 'stroke-width': 1.6}));
}

/** The text's tokens, each on the factor's colour by its share of the factor's maximum. */
function tokenView(ctx, res, f) {
  const {el} = ctx;
  const vals = res.factors[f];
  const max = Math.max(...vals, 1e-12);
  const color = FACTOR_COLORS[f % FACTOR_COLORS.length];
  const out = el('div', {class: 'sentence act-tokens'});
  res.tokens.forEach((t, i) => {
    const a = vals[i] / max;
    const prev = res.tokens[i - 1];
    if (i > 0 && prev && t.start > prev.end) out.append(' ');
    out.append(el('span', {
      class: ['act-token', a > 0.6 ? 'act-strong' : null], title: `${t.token ?? t.text}: factor ${f + 1} = ${vals[i].toFixed(3)}`,
      dataset: {strength: a.toFixed(3)},
      style: {background: alpha(color, (0.08 + 0.85 * a).toFixed(3))},
    }, t.text));
  });
  return out;
}

function factorList(ctx, res, selected, onPick) {
  const {el} = ctx;
  const rows = res.factors.map((vals, f) => {
    const color = FACTOR_COLORS[f % FACTOR_COLORS.length];
    const max = Math.max(...vals, 1e-12);
    const peak = vals.indexOf(Math.max(...vals));
    const top = (res.top_neurons && res.top_neurons[f]) || [];
    return el('button', {
      type: 'button', class: ['factor', f === selected ? 'selected' : null],
      'aria-pressed': f === selected ? 'true' : 'false',
      style: f === selected ? {borderColor: color, background: alpha(color, 0.08)} : null,
      title: top.length ? 'top neurons: ' + top.map((n) => `L${n.layer}:${n.neuron}`).join(', ') : '',
      onclick: () => onPick(f),
    },
    el('span', {class: 'factor-name', style: {color}}, `Factor ${f + 1}`),
    sparkline(ctx, vals, color, max),
    el('span', {class: 'muted factor-peak'},
      `peaks at “${res.tokens[peak] ? res.tokens[peak].token ?? res.tokens[peak].text : ''}”`));
  });
  return el('div', {class: 'factor-list'}, rows);
}

function neuronsTable(ctx, res, f) {
  const {el} = ctx;
  const top = (res.top_neurons && res.top_neurons[f]) || [];
  return el('table', {class: 'table act-neurons'},
    el('thead', {}, el('tr', {}, el('th', {}, 'layer'), el('th', {}, 'neuron'), el('th', {class: 'num'}, 'weight'))),
    el('tbody', {}, top.map((n) => el('tr', {},
      el('td', {}, String(n.layer)), el('td', {}, String(n.neuron)), el('td', {class: 'num'}, n.weight.toFixed(3))))));
}

function showResult(ctx, out, res, selected) {
  const {el} = ctx;
  const draw = (f) => {
    out.replaceChildren(
      el('p', {class: 'muted act-info'},
        `${res.tokens.length} tokens · layers ${res.from_layer}–${res.to_layer} of ${res.n_layers} ` +
        `(${(res.to_layer - res.from_layer + 1) * res.neurons_per_layer} neurons) · k = ${res.k} · ` +
        `${res.n_iter} NMF iterations · ${((res.timings.forward_s + res.timings.nmf_s) * 1000).toFixed(0)} ms`),
      el('div', {class: 'row'},
        el('div', {class: 'card act-tokens-card'},
          el('h3', {}, `Tokens by factor ${f + 1}`), tokenView(ctx, res, f),
          el('h3', {class: 'act-neurons-title'}, 'Neurons with the largest weight in this factor'),
          neuronsTable(ctx, res, f)),
        el('div', {class: 'card act-factors-card'},
          el('h3', {}, 'Factors (click one)'), factorList(ctx, res, f, draw))));
  };
  draw(Math.min(selected, res.factors.length - 1));
}

export const page = {
  id: 'activations',
  title: 'Activations',
  async render(root, ctx) {
    const {el} = ctx;
    if (!hasRun(ctx, root, 'Make a run on the Home / Setup page: the activations come from the run\u2019s model.'))
      return;
    const model = await ctx.api(`/api/v1/runs/${ctx.runId}/model`);
    const nl = model.n_layers;
    const layerSelect = (name, value) => el('select', {name},
      Array.from({length: nl}, (_, i) => el('option', {value: i, selected: i === value}, String(i))));
    const text = el('input', {type: 'text', class: 'act-text', value: ctx.params.get('text') || EXAMPLE,
      'aria-label': 'Text'});
    const from = layerSelect('from_layer', 0);
    const to = layerSelect('to_layer', nl - 1);
    const k = el('input', {type: 'number', name: 'k', class: 'act-k', min: 2, max: 10, value: 8});
    const btn = el('button', {class: 'btn btn-primary', type: 'button'}, 'Factorise');
    const out = el('div', {class: 'act-result'});
    const run = async () => {
      const body = {text: text.value.trim(), from_layer: Number(from.value), to_layer: Number(to.value),
        k: Math.max(2, Math.min(10, Math.round(Number(k.value) || 8))), seed: 0};
      if (!body.text) {
        out.replaceChildren(el('p', {class: 'hint'}, 'Type a text to factorise.'));
        return;
      }
      if (body.from_layer > body.to_layer) {
        out.replaceChildren(el('p', {class: 'error-box'}, 'The first layer must not come after the last.'));
        return;
      }
      await busy(ctx, btn, out, async () => {
        const res = await ctx.api(`/api/v1/runs/${ctx.runId}/activations`, {method: 'POST', body});
        showResult(ctx, out, res, 0);
      });
    };
    btn.addEventListener('click', run);
    text.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') run();
    });
    root.append(el('div', {class: 'card act-controls'},
      el('div', {class: 'controls'}, text,
        el('label', {}, 'Layers ', from, ' to ', to, ` (of ${nl})`),
        el('label', {}, 'Factors k ', k), btn)),
    out);
    await run();
  },
};
