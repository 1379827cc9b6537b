// drill.spec.mjs - every row a way in, on the demo run: a row of Loss by
// word (and by sub-token) and of the loss by label, a pair of Find
// Duplicates (on the planted fixture's run), a row of Inspect's word grid each list their sentences beside
// what was clicked, the word of the row highlighted in every sentence and
// the first one in view; the panel leaves the clicked row visible.

async function rect(t, selector) {
  return t.page.$eval(selector, (e) => {
    const b = e.getBoundingClientRect();
    return {left: b.left, right: b.right, top: b.top, bottom: b.bottom, h: innerHeight};
  });
}

/** The panel is on the right of anchor, the anchor and the first highlighted word in view. */
async function besideAndInView(t, anchor) {
  const a = await rect(t, anchor);
  const d = await rect(t, '[data-role="drill"]');
  const w = await rect(t, '[data-role="drill"] .w-hit');
  t.assert(d.left >= a.right - 1, `the panel is beside the clicked row: ${JSON.stringify([a, d])}`);
  t.assert(a.top >= 0 && a.bottom <= a.h, `the clicked row stays in view: ${JSON.stringify(a)}`);
  t.assert(w.top >= 0 && w.bottom <= w.h, `the first highlighted word is in view: ${JSON.stringify(w)}`);
}

async function drillHits(t) {
  return t.page.$$eval('[data-role="drill"] .smp-item', (xs) => xs.map((x) =>
    [...x.querySelectorAll('.w-hit')].map((w) => ({text: w.innerText.trim(), label: w.getAttribute('aria-label')}))));
}

async function lossRows(t) {
  const row = '[data-role="word-grid"] .tabulator-row';
  await t.goto('#/loss');
  await t.page.waitForSelector(row);
  const word = await t.page.locator(`${row} [tabulator-field="text"]`).nth(2).innerText();
  await t.page.locator(row).nth(2).click();
  await t.expectText('[data-role="drill"] h2', new RegExp(`Sentences with the word\\s*${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const api = JSON.parse((await t.get(`/api/v1/runs/${t.runId}/sentences?word=${encodeURIComponent(word)}&limit=1`)).body.toString());
  await t.expectText('[data-role="drill"] .sent-count', new RegExp(`^${api.total} sentences? hold it`));
  const hits = await drillHits(t);
  t.assert(hits.length && hits.every((h) => h.length && h.every((x) => x.text === word)), `"${word}" highlighted: ${JSON.stringify(hits.slice(0, 2))}`);
  await besideAndInView(t, `${row}:nth-child(3)`);
  await t.shot('drill-loss-word');

  // the loss by gold label
  const label = await t.page.$eval('[data-role="label-loss"] tbody tr', (r) => r.dataset.label);
  await t.page.click('[data-role="label-loss"] tbody tr');
  await t.expectText('[data-role="drill"] h2', new RegExp(`labelled\\s*${label}`));
  await t.expectText('[data-role="drill"] .sent-count', /^\d[\d,]* sentences? hold one/);
  const lh = await drillHits(t);
  t.assert(lh.length && lh.every((h) => h.length && h.every((x) => x.label.includes(`gold ${label}`))), `words of ${label} highlighted`);
  await besideAndInView(t, '[data-role="label-loss"] tbody tr');
  await t.shot('drill-loss-label');
}

async function duplicatePair(t) {
  // The fixture's planted run (tests/web/test_web.sh): its cluster of sentences 98 and 345 has the
  // same text, Leverkusen labelled differently.
  const runs = JSON.parse((await t.get('/api/v1/runs')).body.toString()).items;
  const run = runs.find((x) => (x.data_path || '').endsWith('planted.conll'));
  t.assert(run, 'a run of planted.conll');
  await t.goto(`#/duplicates?run=${run.id}`);
  const card = t.page.locator('.dup-cluster', {has: t.page.locator('.dup-variant[data-ids="345"]')});
  await card.locator('.dup-sentence').first().click();
  await t.expectText('[data-role="drill"] h2', /^Pair of similarity/);
  // the title is drawn at once, the sentences when their page comes back: wait for its count
  await t.expectText('[data-role="drill"] .sent-count', /^2 sentences in the selection/);
  const listed = await t.page.$$eval('[data-role="drill"] .smp-item', (xs) => xs.map((x) => Number(x.dataset.sid)));
  t.assert(JSON.stringify(listed) === JSON.stringify([98, 345]), `both sentences: ${listed}`);
  const hits = await drillHits(t);
  t.assert(hits.length === 2 && hits.every((h) => h.length === 1 && h[0].text === 'Leverkusen'),
    `the word whose labels differ is highlighted in both: ${JSON.stringify(hits)}`);
  await t.shot('drill-duplicates');
}

async function inspectGrid(t) {
  await t.goto('#/inspect?view=grid');
  const row = '[data-role="grid"] .tabulator-row';
  await t.page.waitForSelector(row);
  await t.expectText('[data-role="grid"] .grid-status', /^[\d,]+ rows$/);
  const [sid, idx, text] = await t.page.$eval(row, (r) => ['sentence_id', 'idx', 'text']
    .map((f) => r.querySelector(`[tabulator-field="${f}"]`).innerText));
  await t.page.locator(`${row} [tabulator-field="text"]`).first().click();
  await t.expectText('[data-role="sentence"] h2', new RegExp(`^Sentence #${sid}$`));
  const hit = await t.page.$eval('[data-role="sentence"] .w-hit', (w) => [w.dataset.i, w.innerText.trim()]);
  t.assert(hit[0] === idx && hit[1] === text, `word ${idx} "${text}" highlighted: ${hit}`);
}

export async function run(t) {
  await lossRows(t);
  await duplicatePair(t);
  await inspectGrid(t);
}
