// random.spec.mjs - Random Samples on the demo run: min(128, 344) sentences
// drawn by the server's seeded shuffle (the page shows exactly the API's draw
// for the seed in the hash), Resample draws other sentences under a new seed,
// the count input works, and a link with n and seed reproduces the draw.

function ids(t) {
  return t.page.$$eval('.smp-item', (xs) => xs.map((x) => Number(x.dataset.sid)));
}

async function draw(t, n, seed) {
  const r = await t.get(`/api/v1/runs/${t.runId}/sentences?sort=random&seed=${seed}&limit=${n}`);
  t.assert(r.status === 200, `random draw: HTTP ${r.status}`);
  return JSON.parse(r.body.toString()).items.map((s) => s.id);
}

export async function run(t) {
  await t.goto('#/random');
  await t.expectText('[data-role="summary"]', /^128 sentences drawn at random from 344: \d+ with at least one wrong word/);
  const seed = Number(new URL(t.page.url().replace('#/', '')).searchParams.get('seed'));
  t.assert(Number.isInteger(seed) && t.page.url().includes('n=128'), `n and seed in the hash: ${t.page.url()}`);
  await t.expectText('[data-role="seed"]', new RegExp(`seed ${seed}`));
  const first = await ids(t);
  t.assert(first.length === 128 && new Set(first).size === 128, `128 distinct sentences, got ${first.length}`);
  t.assert(JSON.stringify(first) === JSON.stringify(await draw(t, 128, seed)), 'the API\'s draw for that seed');
  t.assert(await t.page.locator('.smp-item .sentence').count() === 128, 'each rendered inline');
  const sorted = [...first].sort((a, b) => a - b);
  t.assert(JSON.stringify(sorted) !== JSON.stringify(first), 'not in dataset order');

  // Resample: a new seed, other sentences
  await t.page.click('[data-role="resample"]');
  await t.page.waitForFunction((s) => !location.hash.includes(`seed=${s}&`) && !location.hash.endsWith(`seed=${s}`), seed);
  await t.page.waitForFunction(() => !document.querySelector('[data-role="resample"]').disabled);
  const second = await ids(t);
  const seed2 = Number(new URL(t.page.url().replace('#/', '')).searchParams.get('seed'));
  t.assert(second.length === 128 && JSON.stringify(second) !== JSON.stringify(first), 'Resample changes the sentences');
  t.assert(JSON.stringify(second) === JSON.stringify(await draw(t, 128, seed2)), 'the draw of the new seed');

  // fewer sentences, and the link reproduces the draw
  await t.page.fill('[data-role="n"]', '7');
  await t.page.press('[data-role="n"]', 'Enter');
  await t.expectText('[data-role="summary"]', /^7 sentences drawn/);
  t.assert(JSON.stringify(await ids(t)) === JSON.stringify(second.slice(0, 7)), 'the same seed, its first 7');
  await t.goto('#/random?n=5&seed=42&table=1');
  await t.expectText('[data-role="summary"]', /^5 sentences drawn/);
  t.assert(JSON.stringify(await ids(t)) === JSON.stringify(await draw(t, 5, 42)), 'a linked draw');
  t.assert(await t.page.locator('[data-role="token-table"]').count() === 5, 'token tables on request');
  await t.goto('#/random?n=12&seed=7');
  await t.shot('random');
}
