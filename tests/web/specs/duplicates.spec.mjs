// duplicates.spec.mjs - the Find Duplicates page. On the run of the fixture
// tests/fixtures/dups/planted.conll (demo/eval.conll and eight planted
// near-duplicates, tests/gen/gen_dups_fixture.py), with the page's defaults:
// the eight planted pairs are the first eight clusters, the three with the
// same text and other gold labels first, badged, their disagreeing words
// marked; no dateline is listed until "Show trivial lines" is ticked. Against
// the fixture's "train" run: the three sentences it leaks, the one with other
// labels first, each cluster holding a sentence of both runs. On the demo run:
// the vector search, a sentence-transformers folder as the encoder, and a
// readable error for a folder that is not there.

// Sentence ids of the planted pairs: same text with other labels, then the copy and the near-duplicates.
const CONFLICTS = [[25, 344], [98, 345], [230, 346]];
const NEAR = [[2, 348], [47, 349], [118, 350], [162, 351], [204, 347]];
const LEAKED = [[76, 4], [185, 14], [251, 9]]; // (planted run id, train run id)
const DATE_AT_END = /\d{4}-\d\d-\d\d\s*$/;

async function runId(t, file) {
  const runs = JSON.parse((await t.get('/api/v1/runs')).body.toString()).items;
  const r = runs.find((x) => (x.data_path || '').endsWith(file));
  t.assert(r, `a run of ${file} (tests/web/test_web.sh makes one)`);
  return r.id;
}

/** Each listed cluster: its sentence ids (sorted), conflict flag, runs and sentence texts. */
async function clusters(t) {
  return t.page.locator('.dup-cluster').evaluateAll((cards) => cards.map((c) => ({
    ids: [...c.querySelectorAll('.dup-variant')].flatMap((v) => v.dataset.ids.split(' ').map(Number))
      .sort((a, b) => a - b),
    runs: [...c.querySelectorAll('.dup-variant')].map((v) => Number(v.dataset.run)),
    conflict: c.dataset.conflict === '1',
    badge: c.querySelector('.dup-badge-conflict')?.innerText || '',
    texts: [...c.querySelectorAll('.dup-sentence')].map((s) =>
      [...s.querySelectorAll('.w')].map((w) => w.innerText).join(' ')),
    marked: [...c.querySelectorAll('.dup-diff')].map((w) => w.innerText),
  })));
}

const key = (ids) => ids.slice().sort((a, b) => a - b).join(',');
const keys = (list) => list.slice().sort().join(' | ');

async function planted(t) {
  const run = await runId(t, 'planted.conll');
  await t.goto(`#/duplicates?run=${run}`);
  await t.expectText('.dup-summary', /^9 clusters · 8 pairs at Jaccard ≥ 0\.50 · 3 pairs with the same text/);
  const cs = await clusters(t);
  const first = cs.slice(0, 8).map((c) => key(c.ids));
  t.assert(cs.slice(0, 3).every((c) => c.conflict && /same text, different labels/.test(c.badge)),
    `the first three clusters are conflicts: ${JSON.stringify(cs.slice(0, 3))}`);
  t.assert(keys(first.slice(0, 3)) === keys(CONFLICTS.map(key)), `conflicts first: ${first.slice(0, 3)}`);
  t.assert(keys(first.slice(3)) === keys(NEAR.map(key)), `then the planted pairs: ${first.slice(3)}`);
  t.assert(cs.slice(3).every((c) => !c.conflict), 'no other conflict');
  const lev = cs.find((c) => key(c.ids) === '98,345');
  t.assert(lev.marked.length === 2 && lev.marked.every((w) => w === 'Leverkusen'),
    `the disagreeing word is marked in both sentences: ${lev.marked}`);
  t.assert(cs.every((c) => c.texts.every((s) => !DATE_AT_END.test(s))), 'no dateline by default');
  await t.shot('duplicates');

  await t.page.check('input[name=trivial]');
  await t.expectText('.dup-summary', /^12 clusters/);
  const all = await clusters(t);
  t.assert(all.some((c) => c.texts.every((s) => DATE_AT_END.test(s))), 'datelines with the toggle');
  t.assert(/trivial=1/.test(t.page.url()), 'the toggle is in the URL');
  await t.page.uncheck('input[name=trivial]');
  await t.expectText('.dup-summary', /^9 clusters/);

  const train = await runId(t, 'dups/train.conll');
  await t.page.selectOption('select[name=reference]', String(train));
  await t.expectText('.dup-summary', new RegExp(`^3 clusters · 3 pairs .* against 15 of run #${train}`));
  const leaks = await clusters(t);
  t.assert(leaks[0].conflict && key(leaks[0].ids) === key(LEAKED[2]), `the relabelled leak first: ${leaks[0].ids}`);
  t.assert(keys(leaks.map((c) => key(c.ids))) === keys(LEAKED.map(key)), `the leaked sentences: ${JSON.stringify(leaks)}`);
  t.assert(leaks.every((c) => key(c.runs) === key([run, train])), 'each cluster holds a sentence of both runs');
  t.assert(new RegExp(`reference=${train}`).test(t.page.url()), 'the reference run is in the URL');
  await t.shot('duplicates-leakage');
}

async function vectors(t) {
  await t.goto('#/duplicates?mode=vectors');
  await t.expectText('.dup-summary', /clusters? · [\d,]+ pairs? at cosine ≥ 0\.95 .* 344 sentences/);
  t.assert(await t.page.locator('.dup-cluster').count() > 0, 'vector pairs on the demo run');
  // The demo model folder as the encoder (its mean-pooled last hidden states).
  const model = JSON.parse((await t.get('/api/v1/setup')).body.toString()).model;
  await t.page.fill('input[name=encoder]', model);
  await t.page.press('input[name=encoder]', 'Enter');
  // The encoder runs the model over every sentence: longer than expectText's wait under ASan.
  await t.page.waitForFunction(() => /vectors of .*model/
    .test(document.querySelector('.dup-summary')?.innerText || ''), null, {timeout: 60000});
  t.assert(/encoder=/.test(t.page.url()), 'the encoder is in the URL');
  await t.page.fill('input[name=encoder]', '/nonexistent/model');
  await t.page.press('input[name=encoder]', 'Enter');
  await t.expectText('.error-box', /no such file or folder, or not one this server may read/);
  // The browser logs the 400 itself; that one was asked for.
  t.assert(t.errors.every((e) => /status of 400/.test(e)), `only the asked-for 400 was logged, got ${t.errors}`);
  t.errors.length = 0;
}

export async function run(t) {
  await planted(t);
  await vectors(t);
}
