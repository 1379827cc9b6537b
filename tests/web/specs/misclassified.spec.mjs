// misclassified.spec.mjs - the Misclassified page on the demo run: the
// (gold, predicted) table shows the API's counts, the most frequent pair is
// picked by default, clicking another row lists its sentences right below
// (inline rendering, every one holding that confusion, its confused words
// highlighted), "load more" pages, and the pick is in the hash so a reload
// keeps it.

/** Scroll everything back to the top, so the full-page screenshot starts at the page head. */
async function scrollTop(t) {
  await t.page.evaluate(() => {
    window.scrollTo(0, 0);
    for (const e of document.querySelectorAll('*')) if (e.scrollTop) e.scrollTop = 0;
  });
}

export async function run(t) {
  const pairs = JSON.parse((await t.get(`/api/v1/runs/${t.runId}/confusions`)).body.toString()).items;
  t.assert(pairs.length > 1, 'the demo run has several confusions');
  await t.goto('#/misclassified');
  const first = await t.page.locator('.tabulator-row').first().innerText();
  t.assert(first.includes(pairs[0].gold) && first.includes(pairs[0].pred) && first.includes(String(pairs[0].count)),
    `first row is the most frequent pair ${pairs[0].gold}/${pairs[0].pred} ${pairs[0].count}: ${first}`);
  t.assert(first.includes(pairs[0].words[0].text), 'its most frequent word is shown');
  await t.expectText('[data-role="pair-sentences"] h2', new RegExp(`${pairs[0].gold}\\s*predicted as\\s*${pairs[0].pred}`));

  // pick the second pair
  const p = pairs[1];
  await t.page.locator('.tabulator-row').nth(1).click();
  await t.expectText('[data-role="pair-sentences"] h2', new RegExp(`${p.gold}\\s*predicted as\\s*${p.pred}`));
  const q = `gold=${encodeURIComponent(p.gold)}&pred=${encodeURIComponent(p.pred)}`;
  const api = JSON.parse((await t.get(`/api/v1/runs/${t.runId}/sentences?${q}&limit=1000`)).body.toString());
  await t.expectText('[data-role="pair-sentences"] .sent-count', new RegExp(`^${api.total} sentences?`));
  const shown = await t.page.$$eval('[data-role="pair-sentences"] .smp-item', (xs) => xs.map((x) => Number(x.dataset.sid)));
  t.assert(shown.length === Math.min(20, api.total), `first page listed (${shown.length})`);
  t.assert(JSON.stringify(shown) === JSON.stringify(api.items.slice(0, shown.length).map((s) => s.id)),
    'the sentences of that confusion, largest loss first');
  t.assert(await t.page.$$eval('[data-role="pair-sentences"] .ent-gold', (w) => w.length) >= shown.length,
    'every sentence shows a wrong word inline');
  const hits = await t.page.$$eval('[data-role="pair-sentences"] .smp-item', (xs) => xs.map((x) =>
    [...x.querySelectorAll('.w-hit')].map((w) => w.getAttribute('aria-label') || '')));
  t.assert(hits.every((h) => h.length > 0 && h.every((l) => l.includes(`gold ${p.gold}`) && l.includes(`predicted ${p.pred}`))),
    `each sentence highlights its ${p.gold}/${p.pred} words: ${JSON.stringify(hits.slice(0, 3))}`);
  if (api.total > 20) {
    await t.page.click('[data-role="pair-sentences"] [data-role="more"]');
    await t.expectText('[data-role="pair-sentences"] .sent-count', new RegExp(`showing ${Math.min(40, api.total)}\\.`));
  }
  t.assert(t.page.url().includes(q), `pair in the hash: ${t.page.url()}`);
  await scrollTop(t);
  await t.shot('misclassified');

  // the link keeps the pick
  await t.goto(`#/misclassified?${q}`);
  await t.expectText('[data-role="pair-sentences"] h2', new RegExp(`${p.gold}\\s*predicted as\\s*${p.pred}`));
}
