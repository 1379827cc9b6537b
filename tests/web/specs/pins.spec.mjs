// pins.spec.mjs - keeping sentences on the demo run: a pin on a sentence of
// one list is stored in the database, shows on that sentence everywhere
// (another list, Inspect), counts in the header, whose link lists the run's
// pinned sentences (the Search page's pinned filter) and exports them with
// their notes and times; unpinning in Inspect takes it out again.

const pins = async (t) => JSON.parse((await t.get(`/api/v1/runs/${t.runId}/pins`)).body.toString()).items
  .map((p) => p.sentence_id);

async function waitFor(t, fn, what) {
  for (let i = 0; i < 100; i++) {
    const v = await fn();
    if (v) return v;
    await t.page.waitForTimeout(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function run(t) {
  t.assert((await pins(t)).length === 0, 'no pins yet');
  await t.goto('#/samples');
  const items = t.page.locator('.smp-item');
  const a = Number(await items.nth(0).getAttribute('data-sid'));
  const b = Number(await items.nth(2).getAttribute('data-sid'));
  await items.nth(0).locator('[data-role="pin"]').click();
  await items.nth(2).locator('[data-role="pin"]').click();
  await waitFor(t, async () => JSON.stringify(await pins(t)) === JSON.stringify([a, b].sort((x, y) => x - y)), 'two pins stored');
  t.assert(await items.nth(0).locator('[data-role="pin"]').getAttribute('aria-pressed') === 'true', 'the pin shows pressed');
  await t.expectText('#pins-link', /^📌 2$/);

  // the same sentence elsewhere shows its pin
  await t.goto(`#/inspect?sentence=${a}`);
  await t.page.waitForSelector('[data-role="sentence"] [data-role="pin"][aria-pressed="true"]');
  await t.expectText('#pins-link', /^📌 2$/);

  // the header's link lists them
  await t.page.click('#pins-link');
  await t.page.waitForSelector('[data-page-ready="search"]');
  t.assert(/[?&]pinned=1/.test(t.page.url()), `the pinned list: ${t.page.url()}`);
  await t.expectText('[data-role="results"] .sent-count', /^2 sentences pinned/);
  const listed = await t.page.$$eval('[data-role="results"] .smp-item', (xs) => xs.map((x) => Number(x.dataset.sid)).sort((x, y) => x - y));
  t.assert(JSON.stringify(listed) === JSON.stringify([a, b].sort((x, y) => x - y)), `the pinned sentences: ${listed}`);
  t.assert(await t.page.$eval('input[name="pinned"]', (c) => c.checked), 'the pinned filter is on');
  await t.shot('pins');

  // exported with their notes and times
  const [dl] = await Promise.all([t.page.waitForEvent('download'),
    t.page.click('[data-role="results"] [data-role="export-csv"]')]);
  const csv = (await (await dl.createReadStream()).toArray()).join('');
  const lines = csv.trim().split('\r\n');
  t.assert(lines[0] === 'id,doc_id,text,loss,n_word_errors,n_entity_errors,note,pinned_at', `header: ${lines[0]}`);
  t.assert(lines.length === 3 && lines.slice(1).every((l) => /,,\d{4}-\d\d-\d\dT[\d:]+Z$/.test(l)), `rows: ${lines.slice(1)}`);

  // unpinned in Inspect
  await t.goto(`#/inspect?sentence=${b}`);
  await t.page.click('[data-role="sentence"] [data-role="pin"][aria-pressed="true"]');
  await waitFor(t, async () => JSON.stringify(await pins(t)) === JSON.stringify([a]), 'one pin left');
  await t.expectText('#pins-link', /^📌 1$/);
  // other specs expect none
  t.assert((await t.page.evaluate(async (u) => (await fetch(u, {method: 'DELETE'})).status,
    `/api/v1/runs/${t.runId}/pins/${a}`)) === 200, 'cleaned up');
}
