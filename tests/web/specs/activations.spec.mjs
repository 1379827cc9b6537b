// activations.spec.mjs - the Activations page on the demo run: the prefilled
// text is factorised on load (8 factors over its tokens, layers 0-3 of the
// demo model's 4); clicking a factor highlights the tokens by that factor;
// a smaller k and a layer range factorise again.

export async function run(t) {
  await t.goto('#/activations');
  await t.expectText('.act-info', /^\d+ tokens · layers 0–3 of 4 \(4096 neurons\) · k = 8/);
  t.assert(await t.page.locator('.factor').count() === 8, '8 factors');
  t.assert(await t.page.locator('.factor svg.sparkline polyline').count() === 8, 'a sparkline per factor');
  const tokens = await t.page.locator('.act-token').allInnerTexts();
  t.assert(tokens.includes('Berlin') && tokens.includes('Paris'), `tokens: ${tokens}`);
  const strengths = () => t.page.$$eval('.act-token', (es) => es.map((e) => e.dataset.strength).join(','));
  const s1 = await strengths();
  t.assert(s1.split(',').some((v) => Number(v) === 1), 'the strongest token of factor 1 has strength 1');

  await t.page.locator('.factor').nth(2).click();
  await t.expectText('.act-result h3', /^Tokens by factor 3$/);
  t.assert(await strengths() !== s1, 'factor 3 highlights other tokens');
  t.assert(await t.page.locator('.factor.selected').count() === 1, 'one factor is selected');
  await t.shot('activations');

  await t.page.fill('input[name="k"]', '4');
  await t.page.selectOption('select[name="from_layer"]', '2');
  await t.page.click('button:has-text("Factorise")');
  await t.expectText('.act-info', /layers 2–3 of 4 \(2048 neurons\) · k = 4/);
  t.assert(await t.page.locator('.factor').count() === 4, '4 factors');
}
