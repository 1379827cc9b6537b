// inspect.spec.mjs - Inspect on the demo run: one sentence (its sub-token
// table with the API's token ids and "IGN" on continuation sub-tokens, the
// inline rendering with a word's hover card and its top 3 labels, each
// sub-token's top 3, the entity spans gold against predicted), prev/next
// buttons and arrow keys, a link to a sentence, an id the run does not have
// said so (not sentence 0), "Probe this sentence" probing its text; then
// the whole dataset grid: server-side sort by loss, errors only, text
// filter, sub-tokens, and a click on a row opens that sentence.

async function json(t, path) {
  const r = await t.get(`/api/v1/runs/${t.runId}/${path}`);
  t.assert(r.status === 200, `${path}: HTTP ${r.status}`);
  return JSON.parse(r.body.toString());
}

async function rowCount(t) {
  const s = await t.expectText('.grid-status', /^[\d,]+ rows$/);
  return Number(s.replace(/\D/g, ''));
}

async function oneSentence(t) {
  const s0 = await json(t, 'sentences/0');
  await t.goto('#/inspect');
  await t.expectText('[data-role="sentence"] h2', /^Sentence #0$/);
  const table = t.page.locator('[data-role="subtoken-table"]');
  const cols = table.locator('.tt-col:not(.tt-head)');
  t.assert(await cols.count() === s0.tokens.length, `a column per sub-token (${s0.tokens.length})`);
  const tokenIds = await cols.evaluateAll((cs) => cs.map((c) => Number(c.children[0].innerText)));
  t.assert(JSON.stringify(tokenIds) === JSON.stringify(s0.tokens.map((x) => x.token_id)), 'the token ids');
  const gold = await cols.evaluateAll((cs) => cs.map((c) => c.children[3].innerText));
  t.assert(JSON.stringify(gold) === JSON.stringify(s0.tokens.map((x) => (x.is_first ? x.gold : 'IGN'))),
    `gold labels with IGN on continuation sub-tokens: ${gold.slice(0, 8)}`);
  const heads = await table.locator('.tt-head').innerText();
  t.assert(/token id\s+word id\s+token\s+gold\s+pred\s+p\(pred\)\s+top 3\s+loss/.test(heads), `row names: ${heads}`);
  // each sub-token's three most likely labels, as the API has them from the stored distribution
  const tops = await cols.evaluateAll((cs) => cs.map((c) => c.children[6].innerText.split('\n').map((l) => l.trim()).filter(Boolean)));
  const want = s0.tokens.map((x) => x.top.map((y) => `${y.label} ${y.p.toFixed(2)}`));
  t.assert(want.every((w) => w.length === 3) && JSON.stringify(tops) === JSON.stringify(want),
    `top 3 per sub-token: ${JSON.stringify(tops.slice(0, 2))} want ${JSON.stringify(want.slice(0, 2))}`);
  // hovering a word: its card with the word's three most likely labels
  await t.page.hover('[data-role="sentence"] .sentence .w >> nth=0');
  await t.expectText('[data-role="hovercard"]', new RegExp(s0.words[0].text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  const cardTop = await t.page.locator('[data-role="hovercard"] .hc-bar-row').allInnerTexts();
  t.assert(JSON.stringify(cardTop.map((x) => x.split(/\s+/).join(' '))) ===
    JSON.stringify(s0.words[0].top.map((y) => `${y.label} ${y.p.toFixed(3)}`)), `the card's top labels: ${cardTop}`);
  await t.expectText('[data-role="sentence"] .sentence', new RegExp(s0.words[0].text));
  const spans = await t.page.locator('[data-role="spans"] tbody tr').count();
  t.assert(spans >= Math.max(s0.entities.gold.length, s0.entities.pred.length), `entity spans listed (${spans})`);
  t.assert(await t.page.locator('[data-role="prev"]').isDisabled(), 'no previous sentence of #0');

  await t.page.click('[data-role="next"]');
  await t.expectText('[data-role="sentence"] h2', /^Sentence #1$/);
  t.assert(/[?&]sentence=1(&|$)/.test(t.page.url()), `sentence in the hash: ${t.page.url()}`);
  await t.page.click('[data-role="next"]');
  await t.expectText('[data-role="sentence"] h2', /^Sentence #2$/);
  await t.page.click('[data-role="prev"]');
  await t.expectText('[data-role="sentence"] h2', /^Sentence #1$/);
  await t.page.keyboard.press('ArrowRight');
  await t.expectText('[data-role="sentence"] h2', /^Sentence #2$/);
  await t.page.fill('[data-role="sentence-id"]', '343');
  await t.page.press('[data-role="sentence-id"]', 'Enter');
  await t.expectText('[data-role="sentence"] h2', /^Sentence #343$/);
  t.assert(await t.page.locator('[data-role="next"]').isDisabled(), 'no next sentence after the last');

  // a link from another page, on the sentence with the largest loss
  const top = (await json(t, 'sentences?sort=loss&limit=1')).items[0];
  const s = await json(t, `sentences/${top.id}`);
  await t.goto(`#/inspect?sentence=${top.id}`);
  await t.expectText('[data-role="sentence"] h2', new RegExp(`^Sentence #${top.id}$`));
  const verdicts = await t.page.locator('[data-role="spans"] .ins-verdict').allInnerTexts();
  const correct = s.entities.gold.filter((g) => s.entities.pred.some((p) =>
    p.start === g.start && p.end === g.end && p.type === g.type)).length;
  t.assert(verdicts.filter((v) => v === 'correct').length === correct, `correct spans ${correct}: ${verdicts}`);
  t.assert(verdicts.some((v) => v !== 'correct'), 'the lossiest sentence has wrong spans');
  await t.shot('inspect');

  // "Probe this sentence": Probing opens with its words as the text, tagged by the run's model
  const text = s.words.map((w) => w.text).join(' ');
  await t.page.click('[data-role="probe"]');
  await t.expectText('.probe-summary', new RegExp(`^1 text, ${s.words.length} words`));
  t.assert(await t.page.inputValue('textarea') === text, 'the sentence is the text probed');
  const preds = await t.page.locator('.probe-item .sentence .w').count();
  t.assert(preds === s.words.length, `a word each (${preds})`);
}

async function wholeDataset(t) {
  await t.page.click('[data-role="view-grid"]');
  await t.page.waitForSelector('[data-role="grid"] .tabulator-row');
  const words = await json(t, 'words?limit=1');
  t.assert(await rowCount(t) === words.total, `every word (${words.total})`);
  t.assert(t.page.url().includes('view=grid'), `view in the hash: ${t.page.url()}`);

  // sort by loss (descending first)
  const byLoss = (await json(t, 'words?sort=loss&limit=3')).items;
  await t.page.click('.tabulator-col[tabulator-field="loss"] .tabulator-col-title');
  await t.expectText('[data-role="grid"] .tabulator-row .tabulator-cell[tabulator-field="loss"]',
    new RegExp(`^${byLoss[0].loss.toFixed(3)}$`));
  const texts = await t.page.locator('[data-role="grid"] .tabulator-row .tabulator-cell[tabulator-field="text"]').allInnerTexts();
  t.assert(JSON.stringify(texts.slice(0, 3)) === JSON.stringify(byLoss.map((w) => w.text)),
    `largest losses first: ${texts.slice(0, 3)} vs ${byLoss.map((w) => w.text)}`);
  await t.shot('inspect-grid');

  // errors only
  const errors = await json(t, 'words?errors=1&limit=1');
  await t.page.check('[data-role="errors-only"]');
  await t.page.waitForFunction((n) => document.querySelector('.grid-status').innerText === `${n.toLocaleString('en-US')} rows`, errors.total);
  t.assert(t.page.url().includes('errors=1'), 'errors in the hash');
  // text filter (server side, with errors still on)
  const word = byLoss[0].text;
  const filtered = await json(t, `words?errors=1&q=${encodeURIComponent(word)}&limit=1`);
  await t.page.fill('.tabulator-col[tabulator-field="text"] input', word);
  await t.page.press('.tabulator-col[tabulator-field="text"] input', 'Enter');
  await t.page.waitForFunction((n) => document.querySelector('.grid-status').innerText === `${n} rows`, filtered.total);

  // sub-tokens
  await t.page.check('[data-role="table-tokens"]');
  const tokens = await json(t, 'tokens?errors=1&limit=1');
  await t.page.waitForFunction((n) => document.querySelector('.grid-status').innerText === `${n.toLocaleString('en-US')} rows`, tokens.total);
  t.assert(t.page.url().includes('table=tokens'), 'table in the hash');

  // a click opens the sentence of the row
  const sid = await t.page.locator('[data-role="grid"] .tabulator-row .tabulator-cell[tabulator-field="sentence_id"]').first().innerText();
  await t.page.locator('[data-role="grid"] .tabulator-row').first().click();
  await t.expectText('[data-role="sentence"] h2', new RegExp(`^Sentence #${sid}$`));
  t.assert(!t.page.url().includes('view=grid'), 'back to the sentence view');
}

/** #/inspect?sentence= with an id past the end, negative or not a number: a message, no sentence 0. */
async function missingSentence(t) {
  const n = (await json(t, 'sentences?limit=1')).total;
  for (const bad of [String(n), '100000', '-1', 'abc']) {
    await t.goto(`#/inspect?sentence=${bad}`);
    await t.expectText('[data-role="no-sentence"]',
      new RegExp(`^There is no sentence ${bad} in this run: its sentences are numbered 0\u2013${n - 1}\\.$`));
    t.assert(await t.page.locator('[data-role="sentence"]').count() === 0, `${bad}: no sentence shown`);
    t.assert(await t.page.locator('[data-role="sentence-id"]').inputValue() === '', `${bad}: no id in the box`);
  }
  await t.shot('inspect-no-sentence');
  await t.page.click('[data-role="next"]');
  await t.expectText('[data-role="sentence"] h2', /^Sentence #0$/);
}

export async function run(t) {
  await oneSentence(t);
  await missingSentence(t);
  await wholeDataset(t);
}
