// issues.spec.mjs - the Label issues page on the demo run, scored by
// `explainer issues` in test_web.sh: the ranked sentences as the API lists
// them with their flagged words; j/k move and open an item's evidence
// (signals, probabilities, neighbours with their sentences, the other
// occurrences of the string); the level, kind, signal, type and verdict
// filters; 1 records a label error with the model's prediction pre-filled and
// 2 (a button) a model error, which the verdicts API then returns, shown as a
// badge on Inspect and kept over a reload; u undoes; a correction that
// changes nothing is refused. Stale verdicts are noted, listed by the
// verdict filter and deleted there. Over-confident probabilities get a warning; a
// run without scores says to run explainer issues. Screenshots: the list with
// an opened item, and after two decisions.

async function json(t, path) {
  const r = await t.get(path.startsWith('/') ? path : `/api/v1/runs/${t.runId}/${path}`);
  t.assert(r.status === 200, `${path}: HTTP ${r.status}`);
  return JSON.parse(r.body.toString());
}

const sids = (t) => t.page.$$eval('[data-role=issue]', (xs) => xs.map((x) => Number(x.dataset.sid)));

async function pick(t, role, value) {
  await t.page.selectOption(`select[data-role=${role}]`, value);
  await t.page.waitForFunction(() => !document.querySelector('.smp-foot')?.textContent.includes('Loading'));
}

async function verdicts(t) {
  return (await json(t, 'verdicts')).verdicts;
}

async function listAndEvidence(t, api) {
  await t.goto('#/issues');
  await t.expectText('[data-role=summary]', /^344 sentences, most suspect first, showing 25\.$/);
  const shown = await sids(t);
  t.assert(JSON.stringify(shown) === JSON.stringify(api.items.slice(0, 25).map((i) => i.id)),
    `the API's ranking: ${shown.slice(0, 6)} vs ${api.items.slice(0, 6).map((i) => i.id)}`);
  const first = api.items[0];
  const flagged = first.words.filter((w) => w.combined >= 0.5).map((w) => w.text);
  const chips = await t.page.locator('[data-role=issue]').first().locator('[data-role=target] b').allInnerTexts();
  t.assert(JSON.stringify(chips.sort()) === JSON.stringify(flagged.sort()), `flagged words ${chips} vs ${flagged}`);
  t.assert(await t.page.locator('[data-role=issue]').first().locator('.w.iss-flag').count() === flagged.length,
    'the flagged words are marked in the sentence');

  await t.page.keyboard.press('j');
  await t.expectText('[data-role=detail] h2', new RegExp(`^Sentence #${first.id}$`));
  const worst = [...first.words].sort((a, b) => a.rank - b.rank)[0];
  const ev = await json(t, `issues/sentences/${first.id}/words/${worst.idx}`);
  await t.page.waitForSelector('[data-role=evidence]');
  const probs = await t.page.locator('[data-role=probs] .iss-prob').count();
  t.assert(probs === Object.keys(ev.word.probs).length, `a bar per label (${probs})`);
  await t.expectText('[data-role=probs]', new RegExp(`${ev.word.pred}\\s+${ev.word.probs[ev.word.pred].toFixed(3)}`));
  await t.expectText('[data-role=signals]', /confident learning\s+issue/);
  const nbs = await t.page.locator('[data-role=neighbours] li').allInnerTexts();
  t.assert(nbs.length === ev.neighbours.split.length && nbs.length === 10, `10 neighbours, got ${nbs.length}`);
  t.assert(nbs[0].includes(ev.neighbours.split[0].text.split(' ')[0]), `a neighbour with its sentence: ${nbs[0]}`);
  const mark = await t.page.locator('[data-role=neighbours] li mark').first().innerText();
  t.assert(mark === ev.neighbours.split[0].word, `the neighbour marked in its sentence: ${mark}`);
  await t.expectText('[data-role=occurrences]', new RegExp(`${ev.places.split.total} other occurrences`));
  t.assert(await t.page.locator('.iss-current-item').getAttribute('data-sid') === String(first.id), 'j selects the first');
  await t.shot('issues');

  await t.page.keyboard.press('j');
  await t.expectText('[data-role=detail] h2', new RegExp(`^Sentence #${api.items[1].id}$`));
  await t.page.keyboard.press('k');
  await t.expectText('[data-role=detail] h2', new RegExp(`^Sentence #${first.id}$`));
  t.assert(await t.page.locator('.iss-current-item').count() === 1, 'one current item');
}

async function filters(t) {
  await t.goto('#/issues');
  const types = await json(t, 'issues?kind=type&limit=25');
  await pick(t, 'kind', 'type');
  await t.expectText('[data-role=summary]', new RegExp(`^${types.total} sentences of kind type,`));
  t.assert((await sids(t))[0] === types.items[0].id, 'the first sentence with a type issue');
  t.assert(/kind=type/.test(t.page.url()), `kind in the hash: ${t.page.url()}`);

  const words = await json(t, 'issues?level=word&kind=type&signal=cl&limit=25');
  await pick(t, 'level', 'word');
  await pick(t, 'signal', 'cl');
  await t.expectText('[data-role=summary]', new RegExp(`^${words.total} words of kind type, flagged by confident learning`));
  const first = await t.page.locator('[data-role=issue]').first().getAttribute('data-key');
  t.assert(first === `w${words.items[0].sentence}:${words.items[0].idx}`, `the first word: ${first}`);

  const per = await json(t, 'issues?level=entity&type=PER&limit=25');
  await t.goto('#/issues?level=entity&type=PER');
  await t.expectText('[data-role=summary]', new RegExp(`^${per.total} entities of type PER`));
  const ents = await t.page.locator('[data-role=issue] .iss-ent b').allInnerTexts();
  t.assert(ents.length && ents.every((x) => x === 'PER'), `PER entities only: ${ents}`);
}

async function decide(t, api) {
  await t.goto('#/issues');
  const first = api.items[0];
  const york = [...first.words].sort((a, b) => a.rank - b.rank)[0];
  await t.page.keyboard.press('j');
  await t.expectText('[data-role=detail] .iss-word', new RegExp(`“${york.text}”`));
  const fix = await t.page.locator('[data-role=fix-label]').evaluateAll((xs) => xs.map((x) => x.value));
  t.assert(JSON.stringify(fix) === JSON.stringify([york.pred]), `the prediction pre-filled: ${fix}`);
  await t.page.fill('[data-role=why]', 'the NYSE is one organisation');
  await t.page.locator('[data-role=why]').blur();
  await t.page.keyboard.press('1');
  // the next flagged word of the sentence comes up
  const second = first.words.filter((w) => w.combined >= 0.5 && w.idx !== york.idx).sort((a, b) => a.rank - b.rank)[0];
  await t.expectText('[data-role=detail] .iss-word', new RegExp(`“${second.text}”`));
  // its prediction is its gold label: nothing to correct to
  await t.page.keyboard.press('1');
  await t.expectText('[data-role=verdict-msg]', /The correction equals the gold labels/);
  let v = await verdicts(t);
  t.assert(v.length === 1, `one verdict: ${JSON.stringify(v)}`);
  t.assert(v[0].kind === 'label_error' && v[0].sentence === first.id && v[0].start === york.idx &&
    v[0].end === york.idx + 1 && JSON.stringify(v[0].labels) === JSON.stringify([york.pred]) &&
    v[0].why === 'the NYSE is one organisation', `the label error as recorded: ${JSON.stringify(v[0])}`);
  await t.expectText(`[data-role=issue][data-sid="${first.id}"] [data-role=verdicts]`, /label error: York → I-ORG/);

  await t.page.click('[data-role=verdict-model_error]');
  await t.expectText('[data-role=detail] h2', new RegExp(`^Sentence #${api.items[1].id}$`));
  v = await verdicts(t);
  t.assert(v.length === 2 && v.some((x) => x.kind === 'model_error' && x.start === second.idx),
    `the model error: ${JSON.stringify(v)}`);
  await t.page.keyboard.press('k');
  await t.expectText('[data-role=detail] h2', new RegExp(`^Sentence #${first.id}$`));
  await t.shot('issues-decided');

  // the verdict filter: only the sentence with a label error
  await pick(t, 'verdict', 'label_error');
  await t.expectText('[data-role=summary]', /label error: 1 of the first 344\.$/);
  t.assert(JSON.stringify(await sids(t)) === JSON.stringify([first.id]), 'only the decided sentence');
  await pick(t, 'verdict', 'done');
  t.assert(JSON.stringify(await sids(t)) === JSON.stringify([first.id]), 'reviewed: both flagged words decided');
  await pick(t, 'verdict', 'open');
  t.assert(!(await sids(t)).includes(first.id), 'not reviewed: the decided sentence is left out');

  // a badge on Inspect, kept over a reload
  await t.goto(`#/inspect?sentence=${first.id}`);
  await t.expectText('[data-role=sentence] [data-role=verdicts]', /label error: York → I-ORG/);
  await t.expectText('[data-role=sentence] [data-role=verdicts]', /model error: Stock/);
  await t.page.reload();
  await t.page.waitForSelector('[data-page-ready="inspect"]');
  await t.expectText('[data-role=sentence] [data-role=verdicts]', /label error: York → I-ORG/);

  // back on the page after a reload: the decision is there; u undoes it
  await t.goto('#/issues');
  await t.page.keyboard.press('j');
  await t.expectText('[data-role=current-verdict]', /label error: York → I-ORG · .* · “the NYSE is one organisation”/);
  await t.page.keyboard.press('u');
  await t.page.waitForSelector('[data-role=current-verdict]', {state: 'detached'});
  v = await verdicts(t);
  t.assert(v.length === 1 && v[0].kind === 'model_error', `undone: ${JSON.stringify(v)}`);
  await t.page.keyboard.press('l');
  await t.page.keyboard.press('u');
  await t.page.waitForSelector('[data-role=current-verdict]', {state: 'detached'});
  t.assert((await verdicts(t)).length === 0, 'both undone');
}

/**
 * A verdict on words the data no longer has (the listing faked: the API
 * marks such a verdict stale, test_api_verdicts.sh): counted in a note over
 * the list, listed by the verdict filter "stale" (in the hash) with what was
 * decided on the sentence as it was, deleted from there.
 */
async function staleVerdicts(t) {
  const fake = {id: 9001, kind: 'label_error', state: 'stale', sentence: null, start: 1, end: 3,
    labels: ['B-LOC', 'I-LOC'], was: ['B-ORG', 'I-ORG'], who: 'ana', why: 'the city',
    created_at: '2026-12-01T10:00:00Z', updated_at: '2026-12-01T10:00:00Z', run: null,
    data: {path: '/data/eval.conll', split: null, hash: 'f00', source_line: 40, source_id: null,
      sentence_text: 'In New York , prices rose .', span_text: 'New York', n_words: 7}};
  let extra = [fake];
  const deleted = [];
  await t.page.route('**/verdicts', async (route) => {
    if (route.request().method() !== 'GET') return route.continue();
    const real = await (await route.fetch()).json();
    return route.fulfill({json: {verdicts: [...real.verdicts, ...extra],
      counts: {...real.counts, stale: real.counts.stale + extra.length}}});
  });
  await t.page.route('**/verdicts/9001', (route) => {
    deleted.push(route.request().method());
    extra = [];
    return route.fulfill({json: {id: 9001}});
  });
  await t.goto('#/issues?verdict=open');
  await t.expectText('[data-role=stale-note]', /^1 stale verdict\. The data changed under it: .* never applied/);
  await t.page.click('[data-role=stale-link]');
  await t.expectText('[data-role=summary]', /^1 stale verdict: given on words this version of the data no longer has/);
  t.assert(/verdict=stale/.test(t.page.url()), `the filter in the hash: ${t.page.url()}`);
  t.assert(await t.page.inputValue('select[data-role=verdict]') === 'stale', 'the filter shows stale');
  t.assert(await t.page.locator('[data-role=issue]').count() === 0, 'no ranked items under stale');
  await t.expectText('[data-role=stale-verdict]',
    /label error: New York → B-LOC I-LOC[\s\S]*ana[\s\S]*line 40, labels then B-ORG I-ORG; the data has no sentence at line 40 any more\. Why: “the city”/);
  t.assert(await t.page.locator('[data-role=stale-verdict] mark').allInnerTexts().then((m) => m.join(' ')) === 'New York',
    'its words marked in the sentence as it was');
  await t.shot('issues-stale');
  await pick(t, 'verdict', '');
  await t.expectText('[data-role=summary]', /^344 sentences, most suspect first/);
  await pick(t, 'verdict', 'stale');
  await t.page.click('[data-role=stale-delete]');
  await t.expectText('[data-role=summary]', /^No stale verdicts\.$/);
  t.assert(JSON.stringify(deleted) === '["DELETE"]', `one DELETE: ${deleted}`);
  t.assert(await t.page.locator('[data-role=stale-note]').count() === 0, 'no note once deleted');
  await t.page.unroute('**/verdicts');
  await t.page.unroute('**/verdicts/9001');
}

/** Probabilities of data the model was trained on: the page says so (the summary faked). */
async function overConfident(t) {
  await t.page.route('**/issues/summary', async (route) => {
    const real = await (await route.fetch()).json();
    await route.fulfill({json: {...real, over_confident: true,
      over_confident_reason: 'the model gets 99.95% of this split\'s words right: it was probably trained on it, ' +
        'so its probabilities are over-confident'}});
  });
  await t.goto('#/issues');
  await t.expectText('[data-role=over-confident]', /^Over-confident probabilities\. The model gets 99\.95% .* over-confident\. .* leans on the neighbours and the consistency/);
  await t.expectText('.iss-how', /^Combined score = 0\.05 × \(1 − self-confidence\) \+ 0\.4 × neighbours/);
  await t.page.unroute('**/issues/summary');
  await t.goto('#/issues');
  t.assert(await t.page.locator('[data-role=over-confident]').count() === 0, 'no warning for out-of-sample scores');
}

async function noScores(t) {
  const setup = await json(t, '/api/v1/setup');
  const job = await t.page.evaluate(async (body) => (await (await fetch('/api/v1/runs', {method: 'POST',
    headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)})).json()).job.id,
  {model: setup.model, data: setup.model.replace(/model$/, 'eval.conll'), sample: 20, seed: 42});
  let run = null;
  for (let i = 0; i < 600 && !run; i++) {
    const j = (await json(t, `/api/v1/jobs/${job}`));
    t.assert(!['failed', 'cancelled'].includes(j.state), `the run's job: ${JSON.stringify(j)}`);
    run = j.state === 'done' ? j.result.run_id : null;
    if (!run) await t.page.waitForTimeout(100);
  }
  t.assert(run && run !== t.runId, `a second run: ${run}`);
  await t.goto(`#/issues?run=${run}`);
  await t.expectText('[data-role=no-scores]', /has no label-issue scores yet[\s\S]*explainer issues \S+/);
  // The browser logs the summary's 404 ("no scores"), which the page answers: expected here.
  const expected = new RegExp(`404 .*/api/v1/runs/${run}/issues/summary`);
  t.assert(t.errors.length === 1 && expected.test(t.errors[0]), `only the summary's 404: ${t.errors}`);
  t.errors.length = 0;
}

export async function run(t) {
  const api = await json(t, 'issues?limit=25');
  t.assert(api.total === 344, `the demo run is scored: ${api.total}`);
  t.assert((await verdicts(t)).length === 0, 'no verdicts yet');
  await listAndEvidence(t, api);
  await filters(t);
  await decide(t, api);
  await overConfident(t);
  await staleVerdicts(t);
  await noScores(t);
}
