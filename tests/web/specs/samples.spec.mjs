// samples.spec.mjs - Samples by Loss on the demo run: the list is the API's
// (total loss >= 0.5, correct sentences skipped, largest loss first, the
// [rank | id] badges), the threshold and "skip correct examples" change the
// count, "load more" pages, the token table shows every word with coloured
// labels and loss bars, and the controls are kept in the hash.

async function sentences(t, query) {
  const r = await t.get(`/api/v1/runs/${t.runId}/sentences?sort=loss&order=desc&limit=1000&${query}`);
  t.assert(r.status === 200, `sentences ${query}: HTTP ${r.status}`);
  return JSON.parse(r.body.toString());
}

const count = (n) => new RegExp(`^${n.toLocaleString('en-US')} sentences? of 344 `);

export async function run(t) {
  const api = await sentences(t, 'min_loss=0.5&skip_correct=1&words=1');
  t.assert(api.total > 25, `the demo run has many lossy sentences (${api.total})`);
  await t.goto('#/samples');
  await t.expectText('[data-role="summary"]', count(api.total));
  const ids = await t.page.$$eval('.smp-item', (xs) => xs.map((x) => Number(x.dataset.sid)));
  t.assert(ids.length === 25, `first page of 25, got ${ids.length}`);
  t.assert(JSON.stringify(ids) === JSON.stringify(api.items.slice(0, 25).map((s) => s.id)),
    `the API's order, largest loss first: ${ids.slice(0, 5)} vs ${api.items.slice(0, 5).map((s) => s.id)}`);
  const badge = await t.page.locator('.smp-item .smp-badge').first().innerText();
  t.assert(badge.replace(/\s+/g, ' ').trim() === `1 #${api.items[0].id}`, `badge [rank | id], got ${badge}`);
  await t.expectText('.smp-item .smp-loss', new RegExp(api.items[0].loss.toFixed(3)));
  const top = api.items[0].words.filter((w) => w.gold !== w.pred).map((w) => w.text)[0];
  await t.expectText('.smp-item .sentence', new RegExp(top.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  t.assert(await t.page.locator('[data-role="token-table"]').count() === 0, 'no token table by default');

  // load more
  await t.page.click('[data-role="more"]');
  await t.expectText('[data-role="summary"]', /showing 50\.$/);
  t.assert(await t.page.locator('.smp-item').count() === 50, '50 sentences after load more');

  // the threshold changes the count
  const high = await sentences(t, 'min_loss=5&skip_correct=1');
  t.assert(high.total < api.total, 'a higher threshold keeps fewer sentences');
  await t.page.fill('[data-role="min-loss"]', '5');
  await t.page.press('[data-role="min-loss"]', 'Enter');
  await t.expectText('[data-role="summary"]', count(high.total));
  const last = Number(await t.page.locator('.smp-item').last().getAttribute('data-sid'));
  t.assert(high.items.slice(0, 25).some((s) => s.id === last), 'the list follows the threshold');
  t.assert(t.page.url().includes('min_loss=5'), `threshold in the hash: ${t.page.url()}`);

  // skip correct examples off: correct sentences above the threshold come back
  const all = await sentences(t, 'min_loss=0&skip_correct=0');
  const some = await sentences(t, 'min_loss=0&skip_correct=1');
  t.assert(all.total > some.total, 'the demo run has correct sentences');
  await t.page.fill('[data-role="min-loss"]', '0');
  await t.page.press('[data-role="min-loss"]', 'Enter');
  await t.expectText('[data-role="summary"]', count(some.total));
  await t.page.uncheck('[data-role="skip-correct"]');
  await t.expectText('[data-role="summary"]', count(all.total));
  t.assert(t.page.url().includes('skip=0'), `skip in the hash: ${t.page.url()}`);

  // token table, back on the default list
  await t.goto('#/samples?table=1');
  await t.expectText('[data-role="summary"]', count(api.total));
  const tables = await t.page.locator('[data-role="token-table"]').count();
  t.assert(tables === 25, `a token table per sentence, got ${tables}`);
  const first = api.items[0];
  const cols = await t.page.locator('.smp-item').first().locator('.tt-col:not(.tt-head)').count();
  t.assert(cols === first.words.length, `a column per word (${cols} vs ${first.words.length})`);
  const bars = await t.page.locator('.smp-item').first().locator('.tt-bar > div')
    .evaluateAll((xs) => xs.map((x) => parseFloat(x.style.width)));
  const argmax = first.words.reduce((b, w, i) => (w.loss > first.words[b].loss ? i : b), 0);
  t.assert(bars[argmax] === 100 && bars.every((b) => b <= 100), `the largest loss has the full bar: ${bars}`);
  // a B- label on its class colour, an I- label lighter
  const colours = await t.page.locator('.tt-lbl').evaluateAll((xs) => xs.map((x) =>
    [x.innerText, getComputedStyle(x).backgroundColor]));
  const b = colours.find(([l]) => l === 'B-PER');
  const i = colours.find(([l]) => l === 'I-PER');
  t.assert(b && b[1] === 'rgb(228, 26, 28)', `B-PER on Set1 red: ${b}`);
  t.assert(i && i[1] === 'rgba(228, 26, 28, 0.5)', `I-PER lighter: ${i}`);
  await t.shot('samples');
}
