// duplicates.spec.mjs - the Find Duplicates page on the demo run: pairs at
// cosine >= 0.95 on load, most similar first, each with both sentences and
// their ids; moving the threshold slider down lists more pairs; a
// sentence-transformers folder as the encoder gives its own pairs, and a
// folder that is not there a readable error.

async function sims(t) {
  return (await t.page.locator('.dup-pair td:first-child').allInnerTexts()).map(Number);
}

export async function run(t) {
  await t.goto('#/duplicates');
  const s1 = await t.expectText('.dup-summary', /^[\d,]+ pairs? of 344 sentences at cosine ≥ 0\.950/);
  const total1 = Number(s1.match(/^([\d,]+)/)[1].replace(/,/g, ''));
  const v1 = await sims(t);
  t.assert(total1 > 0 && v1.length === Math.min(total1, 50), `${total1} pairs, ${v1.length} rows`);
  t.assert(v1.every((v, i) => v >= 0.95 && (i === 0 || v <= v1[i - 1])), 'most similar first, all >= 0.95');
  const first = await t.page.locator('.dup-pair').first().innerText();
  t.assert(/#\d+[\s\S]*#\d+/.test(first), `both ids shown: ${first}`);
  await t.shot('duplicates');

  const slider = t.page.locator('input[type="range"]');
  await slider.focus();
  for (let i = 0; i < 10; i++) await t.page.keyboard.press('ArrowLeft');
  await t.expectText('.dup-summary', /cosine ≥ 0\.900/);
  const s2 = await t.page.locator('.dup-summary').innerText();
  const total2 = Number(s2.match(/^([\d,]+)/)[1].replace(/,/g, ''));
  t.assert(total2 > total1, `a lower threshold finds more pairs (${total1} -> ${total2})`);
  t.assert((await sims(t)).every((v) => v >= 0.9), 'all rows >= 0.9');
  t.assert(/threshold=0\.9/.test(t.page.url()), 'the threshold is in the URL');

  // The demo model folder as the encoder (bare or not, its mean-pooled last hidden states).
  const model = JSON.parse((await t.get('/api/v1/setup')).body.toString()).model;
  await t.page.fill('input[name=encoder]', model);
  await t.page.press('input[name=encoder]', 'Enter');
  // The encoder runs the model over every sentence: longer than expectText's 10 s under ASan.
  await t.page.waitForFunction(() => /mean-pooled last hidden states of .*model/
    .test(document.querySelector('.dup-summary')?.innerText || ''), null, {timeout: 60000});
  t.assert(/encoder=/.test(t.page.url()), 'the encoder is in the URL');
  await t.page.fill('input[name=encoder]', '/nonexistent/model');
  await t.page.press('input[name=encoder]', 'Enter');
  await t.expectText('.error-box', /no such file or folder, or not one this server may read/);
  // The browser logs the 400 itself; that one was asked for.
  t.assert(t.errors.every((e) => /status of 400/.test(e)), `only the asked-for 400 was logged, got ${t.errors}`);
  t.errors.length = 0;
}
