// probing.spec.mjs - the Probing page on the demo run: the prefilled examples
// are tagged on load; a typed text is probed and the demo model's entities
// (John B-PER, Berlin B-LOC, checked with `explainer predict`) show inline and
// in the token table, its sub-tokens with the tokenizer's continuation
// marks; each word's hover card and each sub-token's row show the 3 most
// likely labels with their probabilities, those of the API's answer; a high
// threshold flags low-probability predictions.
// The texts and the threshold are kept in the URL: a reload probes them again.

export async function run(t) {
  await t.goto('#/probing');
  await t.expectText('.probe-summary', /^2 texts, \d+ words/);
  t.assert(await t.page.locator('.probe-item').count() === 2, 'the two examples are probed on load');

  await t.page.fill('textarea', 'John lives in Berlin .\nPeter Blackburn');
  const [answer] = await Promise.all([t.page.waitForResponse((r) => /\/probe$/.test(r.url())),
    t.page.click('button:has-text("Probe")')]);
  const probed = (await answer.json()).items[0];
  await t.expectText('.probe-summary', /^2 texts, 7 words, 0 predictions below p = 0\.5/);
  const first = t.page.locator('.probe-item').first();
  // the 3 most likely labels: of every sub-token in its row, of a word in its hover card
  const tops = await first.locator('td[data-role="top"]').evaluateAll((cs) =>
    cs.map((c) => [...c.children].map((d) => d.innerText.split(/\s+/).join(' '))));
  const want = probed.tokens.map((x) => x.top.map((y) => `${y.label} ${y.p.toFixed(3)}`));
  t.assert(want.length === 5 && want.every((w) => w.length === 3) && JSON.stringify(tops) === JSON.stringify(want),
    `top 3 per sub-token: ${JSON.stringify(tops)} want ${JSON.stringify(want)}`);
  await first.locator('.sentence .w:text-is("Berlin")').hover();
  await t.expectText('[data-role="hovercard"]', /Berlin/);
  const cardTop = await t.page.locator('[data-role="hovercard"] .hc-bar-row').allInnerTexts();
  const berlin = probed.words[3];
  t.assert(berlin.top[0].label === 'B-LOC' && JSON.stringify(cardTop.map((x) => x.split(/\s+/).join(' '))) ===
    JSON.stringify(berlin.top.map((y) => `${y.label} ${y.p.toFixed(3)}`)), `Berlin's card: ${cardTop}`);
  await t.shot('probing-hover');
  t.assert(/John/.test(await first.locator('.ent[data-cls="PER"]').innerText()), 'John is a PER entity');
  t.assert(/Berlin/.test(await first.locator('.ent[data-cls="LOC"]').innerText()), 'Berlin is a LOC entity');
  const row = await first.locator('tr:has(td:text-is("Berlin"))').first().innerText();
  t.assert(/B-LOC\s+0\.99\d/.test(row), `Berlin row: ${row}`);
  t.assert(await first.locator('.ent-gold').count() === 0, 'no gold boxes: probing has no gold');
  await t.shot('probing');

  // sub-tokens as the tokenizer writes them, continuation marks included (test_api_model.sh: Si ##em ##ens)
  await t.page.fill('textarea', 'Siemens');
  await t.page.click('button:has-text("Probe")');
  await t.expectText('.probe-summary', /^1 text, 1 words/);
  const pieces = await t.page.locator('.probe-item .probe-token').allInnerTexts();
  t.assert(JSON.stringify(pieces) === JSON.stringify(['Si', '##em', '##ens']), `the tokenizer's strings: ${pieces}`);

  await t.page.fill('textarea', 'John lives in Berlin .\nPeter Blackburn');
  await t.page.fill('input[aria-label="Low-probability threshold"]', '0.9999');
  await t.page.click('button:has-text("Probe")');
  await t.expectText('.probe-summary', /[1-9]\d* predictions? below p = 0\.9999/);
  t.assert(await t.page.locator('tr.low').count() > 0, 'low-probability rows are flagged');

  // the URL holds what was probed: a reload (or the link) probes the same texts at the same threshold
  const url = new URL(t.page.url().replace('#/', '/'));
  t.assert(url.searchParams.get('text') === 'John lives in Berlin .\nPeter Blackburn', `text in the URL: ${url}`);
  t.assert(url.searchParams.get('threshold') === '0.9999', `threshold in the URL: ${url}`);
  await t.page.reload();
  await t.expectText('.probe-summary', /^2 texts, 7 words, [1-9]\d* predictions? below p = 0\.9999/);
  t.assert(await t.page.inputValue('textarea') === 'John lives in Berlin .\nPeter Blackburn', 'the texts are back');
}
