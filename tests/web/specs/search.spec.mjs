// search.spec.mjs - the Search page on the demo run: "/" puts the cursor in
// the header's search box and Enter searches; the results are the API's,
// paged, with the matched words highlighted; the filters (entity types,
// errors, a taxonomy kind, a loss range) and the text modes (a phrase, an
// entity string, a regular expression) narrow them, all of it in the URL so
// a reload finds the same; a regular expression PCRE2 refuses says why in
// the page; a result opens Inspect on that sentence with the word
// highlighted and in view.

const api = (t, q) => t.get(`/api/v1/runs/${t.runId}/sentences?${q}`).then((r) => JSON.parse(r.body.toString()));

async function ids(t) {
  return t.page.$$eval('[data-role="results"] .smp-item', (xs) => xs.map((x) => Number(x.dataset.sid)));
}

/** The texts of the highlighted words, per listed sentence. */
async function hits(t) {
  return t.page.$$eval('[data-role="results"] .smp-item', (xs) => xs.map((x) =>
    [...x.querySelectorAll('.w-hit')].map((w) => w.innerText.trim())));
}

async function waitIds(t, want, what) {
  for (let i = 0; i < 100; i++) {
    const got = await ids(t);
    if (JSON.stringify(got) === JSON.stringify(want)) return got;
    await t.page.waitForTimeout(50);
  }
  throw new Error(`${what}: listed ${JSON.stringify(await ids(t))}, want ${JSON.stringify(want)}`);
}

export async function run(t) {
  // "/" from another page, then Enter
  await t.goto('#/metrics');
  await t.page.keyboard.press('/');
  t.assert(await t.page.evaluate(() => document.activeElement.id) === 'search', '"/" focuses the search box');
  await t.page.keyboard.type('jordan');
  await t.page.keyboard.press('Enter');
  await t.page.waitForSelector('[data-page-ready="search"]');
  t.assert(/#\/search\?run=\d+&q=jordan/.test(t.page.url()), `the query is in the URL: ${t.page.url()}`);
  const words = await api(t, 'q=jordan&limit=20');
  await t.expectText('[data-role="results"] .sent-count', new RegExp(`^${words.total} sentences match`));
  await waitIds(t, words.items.map((s) => s.id), 'a word');
  const h = await hits(t);
  t.assert(h.every((x) => x.length && x.every((w) => w.toLowerCase() === 'jordan')), `"jordan" highlighted: ${JSON.stringify(h)}`);
  t.assert(await t.page.$eval('#search', (i) => i.value) === 'jordan', 'the box keeps the query');
  await t.shot('search');

  // filters: a gold entity type and errors only, from the form
  await t.page.selectOption('select[name="gold_type"]', 'PER');
  await t.page.check('input[name="errors"]');
  const per = await api(t, 'q=jordan&gold_type=PER&skip_correct=1&limit=20');
  await waitIds(t, per.items.map((s) => s.id), 'gold type PER, errors only');
  t.assert(/gold_type=PER/.test(t.page.url()) && /skip_correct=1/.test(t.page.url()), `filters in the URL: ${t.page.url()}`);

  // a phrase, ordered by id; then a reload finds the same
  await t.page.selectOption('select[name="gold_type"]', '');
  await t.page.uncheck('input[name="errors"]');
  await t.page.fill('[data-role="q"]', '"jordan river"');
  await t.page.selectOption('select[name="sort"]', 'id');
  const phrase = await api(t, 'q=%22jordan+river%22&sort=id&order=asc&limit=20');
  await waitIds(t, phrase.items.map((s) => s.id), 'a phrase');
  t.assert((await hits(t)).every((x) => x.join(' ').toLowerCase().includes('jordan river')), 'the phrase highlighted');
  await t.goto(new URL(t.page.url()).hash);
  await waitIds(t, phrase.items.map((s) => s.id), 'the same after a reload');
  t.assert(await t.page.$eval('[data-role="q"]', (i) => i.value) === '"jordan river"', 'the form after a reload');

  // an entity string; a taxonomy kind and a loss range
  await t.page.fill('[data-role="q"]', 'Jordan');
  await t.page.selectOption('select[name="mode"]', 'entity');
  const ent = await api(t, 'q=Jordan&mode=entity&sort=id&order=asc&limit=20');
  await waitIds(t, ent.items.map((s) => s.id), 'an entity string');
  await t.page.fill('[data-role="q"]', '');
  await t.page.selectOption('select[name="error_kind"]', 'missed');
  await t.page.fill('input[name="min_loss"]', '1');
  await t.page.fill('input[name="max_loss"]', '30');
  await t.page.press('input[name="max_loss"]', 'Enter');
  const missed = await api(t, 'error_kind=missed&min_loss=1&max_loss=30&sort=id&order=asc&limit=20');
  await waitIds(t, missed.items.map((s) => s.id), 'missed entities, loss 1 to 30');
  t.assert(missed.total > 0 && (await hits(t)).every((x) => x.length), 'the missed entities highlighted');
  await t.shot('search-filters');

  // a regular expression: refused with PCRE2's reason, then one that matches
  await t.page.selectOption('select[name="error_kind"]', '');
  await t.page.fill('input[name="min_loss"]', '');
  await t.page.fill('input[name="max_loss"]', '');
  await t.page.selectOption('select[name="mode"]', 'regex');
  await t.page.fill('[data-role="q"]', '(unclosed');
  await t.page.press('[data-role="q"]', 'Enter');
  await t.expectText('[data-role="results"] .error-box', /missing closing parenthesis/);
  const i = t.errors.findIndex((e) => /status of 400/.test(e));
  t.assert(i >= 0, 'the refused pattern was a 400');
  t.errors.splice(i, 1);
  await t.page.fill('[data-role="q"]', '\\d{4}-\\d{2}-\\d{2}$');
  await t.page.press('[data-role="q"]', 'Enter');
  const dates = await api(t, `q=${encodeURIComponent('\\d{4}-\\d{2}-\\d{2}$')}&mode=regex&sort=id&order=asc&limit=20`);
  await waitIds(t, dates.items.map((s) => s.id), 'a regular expression');
  t.assert((await hits(t)).every((x) => /^\d{4}-\d{2}-\d{2}$/.test(x[x.length - 1])), 'the dates highlighted');

  // a result opens Inspect, the matched word highlighted and in view
  const first = dates.items[0];
  await t.page.click(`[data-role="results"] .smp-item[data-sid="${first.id}"] .smp-badge`);
  await t.page.waitForSelector('[data-page-ready="inspect"]');
  await t.expectText('[data-role="sentence"] h2', new RegExp(`^Sentence #${first.id}$`));
  t.assert(/[?&]mark=\d+-\d+/.test(t.page.url()), `the marks go along: ${t.page.url()}`);
  const hit = await t.page.$eval('[data-role="sentence"] .w-hit', (w) => {
    const b = w.getBoundingClientRect();
    return {text: w.innerText, inView: b.top >= 0 && b.bottom <= innerHeight};
  });
  t.assert(/^\d{4}-\d{2}-\d{2}$/.test(hit.text) && hit.inView, `the date is highlighted in Inspect: ${JSON.stringify(hit)}`);
  t.assert(await t.page.locator('[data-role="subtoken-table"] .tt-hit').count() > 0, 'and its sub-tokens');
  await t.shot('search-inspect');
}
