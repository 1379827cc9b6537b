// verdicts.js - a reviewer's verdicts on the run's data (docs/api.md,
// "Verdicts"): read once per page, shown as a badge next to every sentence
// that has one (ctx.renderSentence(words, {sentence: id}); style.css: .vd-*),
// and recorded by the Label issues page. A verdict covers words [start, end)
// of a sentence; recording one replaces the verdicts it overlaps.

/** The four decisions, in the order of their keys 1-4. */
export const VERDICT_KINDS = [
  {kind: 'label_error', title: 'Label error', key: '1', icon: '✎',
    help: 'The data is wrong: store the corrected labels'},
  {kind: 'model_error', title: 'Model error', key: '2', icon: '⚙',
    help: 'The data is right, the model is wrong'},
  {kind: 'ambiguous', title: 'Ambiguous / guideline', key: '3', icon: '?',
    help: 'The annotation guideline does not decide it'},
  {kind: 'skip', title: 'Skip', key: '4', icon: '→', help: 'Looked at it, no decision'},
];

export const kindInfo = (kind) => VERDICT_KINDS.find((k) => k.kind === kind) ||
  {kind, title: kind, icon: '•', help: ''};

/** One verdict as a short line: "label error: New York → B-LOC I-LOC". */
export function verdictText(v) {
  const span = v.data ? v.data.span_text : `words ${v.start}–${v.end - 1}`;
  const fix = v.labels ? ` → ${v.labels.join(' ')}` : '';
  return `${kindInfo(v.kind).title.toLowerCase()}: ${span}${fix}`;
}

function describe(v) {
  const when = (v.updated_at || '').replace('T', ' ').replace('Z', ' UTC');
  return `${verdictText(v)}\nwas: ${(v.was || []).join(' ')}\nby ${v.who}, ${when}` +
    (v.why ? `\nwhy: ${v.why}` : '');
}

/**
 * makeVerdicts(api, runId, root) -> the run's verdicts for one page: api is
 * the page's api(path, opts); root the element whose badges it refreshes.
 * load() fetches once (reload() again); on(sid) lists the current verdicts
 * on sentence sid; count() all on the run's data (stale ones too); stale()
 * those whose words the data no longer has (kept, never applied);
 * badge(sid) is a badge element, filled when they are loaded; save(v) and
 * remove(id) change them and refresh every badge.
 */
export function makeVerdicts(api, runId, root) {
  let bySentence = null;
  let loading = null;
  let total = 0;
  let stale = [];
  let pending = []; // badges made before the verdicts came: maybe not in root yet

  function index(list) {
    total = list.length;
    stale = list.filter((v) => v.state === 'stale');
    bySentence = new Map();
    for (const v of list)
      if (v.state === 'current' && v.sentence !== null) {
        if (!bySentence.has(v.sentence)) bySentence.set(v.sentence, []);
        bySentence.get(v.sentence).push(v);
      }
    for (const b of new Set([...pending, ...root.querySelectorAll('.vd-badges[data-sid]')])) fill(b);
    pending = [];
  }

  function load() {
    if (!loading)
      loading = api(`runs/${runId}/verdicts`).then((r) => index(r.verdicts || []))
        .catch((e) => {
          loading = null;
          throw e;
        });
    return loading;
  }

  const on = (sid) => (bySentence && bySentence.get(sid)) || [];

  function fill(host) {
    const list = on(Number(host.dataset.sid));
    host.replaceChildren(...list.map((v) => {
      const k = kindInfo(v.kind);
      return Object.assign(document.createElement('span'), {
        className: `vd-badge vd-${v.kind}`, title: describe(v),
        textContent: `${k.icon} ${verdictText(v)}`,
      });
    }));
    host.hidden = !list.length;
  }

  function badge(sid) {
    const host = document.createElement('span');
    host.className = 'vd-badges';
    host.dataset.sid = sid;
    host.dataset.role = 'verdicts';
    host.hidden = true;
    if (bySentence) {
      fill(host);
    } else {
      pending.push(host);
      // A badge is decoration: a page whose verdicts cannot be read still shows its sentences.
      load().catch(() => {});
    }
    return host;
  }

  /**
   * save({sentence, start, end, kind, labels, who, why}) -> the stored verdict.
   * The one verdict on exactly these words is changed (PUT); any others that
   * overlap them are deleted and a new one is added.
   */
  async function save(v) {
    await load();
    const overlap = on(v.sentence).filter((o) => o.start < v.end && v.start < o.end);
    const body = {kind: v.kind, labels: v.kind === 'label_error' ? v.labels : null,
      who: v.who || null, why: v.why || null};
    let out;
    if (overlap.length === 1 && overlap[0].start === v.start && overlap[0].end === v.end) {
      out = await api(`runs/${runId}/verdicts/${overlap[0].id}`, {method: 'PUT', body});
    } else {
      for (const o of overlap) await api(`runs/${runId}/verdicts/${o.id}`, {method: 'DELETE'});
      out = await api(`runs/${runId}/verdicts`, {method: 'POST',
        body: {sentence: v.sentence, start: v.start, end: v.end, ...body}});
    }
    await reload();
    return out;
  }

  async function remove(id) {
    await api(`runs/${runId}/verdicts/${id}`, {method: 'DELETE'});
    await reload();
  }

  function reload() {
    loading = null;
    return load();
  }

  return {load, reload, on, count: () => total, stale: () => stale, badge, save, remove};
}

/**
 * staleNode(el, v, runId, remove) -> a list item for stale verdict v, listed
 * for run runId: what was decided, on which words of the sentence as it was
 * then (its span marked), what stands at that line now, who and why; its
 * button calls remove(v) (a stale verdict stays until someone deletes it).
 */
export function staleNode(el, v, runId, remove) {
  const d = v.data || {};
  const words = (d.sentence_text || '').split(' ');
  const where = d.source_id ? `id ${d.source_id}` : `line ${d.source_line}`;
  const now = v.sentence === null ? `the data has no sentence at ${where} any more`
    : ['the sentence now at ', where, ' (',
      el('a', {href: `#/inspect?run=${runId}&sentence=${v.sentence}`}, `#${v.sentence}`), ') has other words'];
  return el('li', {class: 'iss-item iss-stale-item', 'data-role': 'stale-verdict', dataset: {id: v.id}},
    el('div', {class: 'iss-item-head'},
      el('span', {class: `vd-badge vd-${v.kind}`}, `${kindInfo(v.kind).icon} ${verdictText(v)}`),
      el('span', {class: 'muted'}, `${v.who}, ${(v.updated_at || '').replace('T', ' ').replace('Z', ' UTC')}`),
      el('button', {type: 'button', class: 'btn', 'data-role': 'stale-delete', onclick: () => remove(v)}, 'Delete')),
    el('p', {class: 'sentence'}, words.map((w, i) => [i ? ' ' : '',
      i >= v.start && i < v.end ? el('mark', {}, w) : w])),
    el('p', {class: 'muted'}, `Given on ${d.path}${d.split ? ` (${d.split})` : ''}, ${where}, `,
      `labels then ${(v.was || []).join(' ')}; `, now, '.', v.why ? ` Why: “${v.why}”.` : ''));
}
