// loss.spec.mjs - the Loss by Token/Label page on the demo run: the word grid
// shows the API's groups sorted by sum, "merge tokens" switches it to
// sub-tokens (other rows, other totals), the text filter goes to the server,
// and the label table shows every label with the mean-median hint and its
// highlighted labels.

/** The texts of the grid's rows; a row Tabulator is still building (no cells yet) reads as null,
 *  which no expected list matches, so waitRows tries again. */
async function gridRows(t) {
  await t.page.waitForSelector('[data-role="word-grid"] .tabulator-row');
  return t.page.$$eval('[data-role="word-grid"] .tabulator-row', (rs) =>
    rs.map((r) => r.querySelector('[tabulator-field="text"]')?.innerText ?? null));
}

async function waitRows(t, pred, what) {
  for (let i = 0; i < 100; i++) {
    const rows = await gridRows(t);
    if (pred(rows)) return rows;
    await t.page.waitForTimeout(50);
  }
  throw new Error(`grid: ${what}`);
}

/** Scroll everything back to the top, so the full-page screenshot starts at the page head. */
async function scrollTop(t) {
  await t.page.evaluate(() => {
    window.scrollTo(0, 0);
    for (const e of document.querySelectorAll('*')) if (e.scrollTop) e.scrollTop = 0;
  });
}

export async function run(t) {
  const api = (q) => t.get(`/api/v1/runs/${t.runId}/loss/${q}`).then((r) => JSON.parse(r.body.toString()));
  const words = await api('words?by=word&limit=25');
  const tokens = await api('words?by=token&limit=25');
  await t.goto('#/loss');
  const same = (rows, page) => JSON.stringify(rows) === JSON.stringify(page.items.map((g) => g.text));
  await waitRows(t, (r) => same(r, words), 'by word, sorted by sum');
  await t.expectText('[data-role="word-grid"] .grid-status', new RegExp(`^${words.total.toLocaleString('en-US')} rows`));
  const top = await t.page.locator('[data-role="word-grid"] .tabulator-row').first().innerText();
  t.assert(top.includes(words.items[0].sum.toFixed(3)) && top.includes(String(words.items[0].count)),
    `top row shows count and sum: ${top}`);

  const labels = await api('labels');
  const rows = await t.page.$$eval('[data-role="label-loss"] tbody tr', (rs) => rs.map((r) => [r.dataset.label, r.dataset.flagged]));
  t.assert(JSON.stringify(rows.map((r) => r[0])) === JSON.stringify(labels.items.map((l) => l.text)),
    'label table: every label by mean loss, descending');
  t.assert(rows.some((r) => r[1] === '1') && rows.some((r) => r[1] === '0'), 'some labels highlighted, not all');
  await t.expectText('[data-role="hint"]', /gap between the mean and the median/);
  await scrollTop(t);
  await t.shot('loss');

  await t.page.click('input[name="merge"]');
  await waitRows(t, (r) => same(r, tokens), 'by sub-token after merge tokens off');
  await t.expectText('[data-role="word-grid"] .grid-status', new RegExp(`^${tokens.total.toLocaleString('en-US')} rows`));
  t.assert(tokens.total !== words.total, 'sub-token groups differ from word groups');
  t.assert(/merge=0/.test(t.page.url()), 'merge=0 in the hash');
  await scrollTop(t);
  await t.shot('loss-subtokens');
  await t.page.click('input[name="merge"]');
  await waitRows(t, (r) => same(r, words), 'back to words');

  // the header filter is the server's q
  const word = words.items[0].text;
  const filtered = await api(`words?by=word&limit=25&q=${encodeURIComponent(word)}`);
  await t.page.locator('[data-role="word-grid"] .tabulator-header-filter input').pressSequentially(word);
  await waitRows(t, (r) => same(r, filtered), `filtered to "${word}"`);
}
