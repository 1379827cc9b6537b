// export.spec.mjs - every list and grid exports what it shows, on the demo
// run: a server-paged grid (Loss by word, filtered and sorted by a click on
// a header) downloads its rows in its order, its first page the grid's; a
// grid of the page (Misclassified, filtered in a header and sorted) its
// filtered, sorted rows; a sentence list (Search) as JSON lines, the items
// it lists first; a sorted classification report its rows in the order
// shown.

/** Click selector and read the file it downloads. */
async function download(t, selector) {
  const [dl] = await Promise.all([t.page.waitForEvent('download'), t.page.click(selector)]);
  return {name: dl.suggestedFilename(), text: (await (await dl.createReadStream()).toArray()).join('')};
}

/** RFC 4180 rows of text (quoted fields, "" inside them). */
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') field += text[++i];
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), field = '';
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

async function gridTexts(t, host, field) {
  return t.page.$$eval(`${host} .tabulator-row [tabulator-field="${field}"]`, (cs) => cs.map((c) => c.innerText.trim()));
}

async function lossGrid(t) {
  const host = '[data-role="word-grid"]';
  await t.goto('#/loss');
  await t.page.waitForSelector(`${host} .tabulator-row`);
  await t.page.locator(`${host} .tabulator-header-filter input`).pressSequentially('er');
  await t.expectText(`${host} .grid-status`, /^\d+ rows$/);
  await t.page.click(`${host} .tabulator-col[tabulator-field="count"] .tabulator-col-title`);
  await t.page.waitForTimeout(300);
  await t.page.waitForFunction((h) => document.querySelector(`${h} .tabulator-row`), host);
  const shown = await gridTexts(t, host, 'text');
  const total = Number((await t.page.locator(`${host} .grid-status`).innerText()).replace(/\D/g, ''));
  const f = await download(t, `${host} [data-role="export-csv"]`);
  t.assert(f.name === `run${t.runId}-loss-words.csv`, `file name ${f.name}`);
  const rows = parseCsv(f.text);
  t.assert(rows[0].join() === 'text,count,mean,median,sum', `header ${rows[0]}`);
  t.assert(rows.length - 1 === total, `every row of the grid: ${rows.length - 1} of ${total}`);
  t.assert(JSON.stringify(rows.slice(1, 1 + shown.length).map((r) => r[0])) === JSON.stringify(shown),
    `the grid's page first, in its order: ${rows.slice(1, 4)} vs ${shown.slice(0, 3)}`);
  const counts = rows.slice(1).map((r) => Number(r[1]));
  const dir = Math.sign(counts[counts.length - 1] - counts[0]);
  t.assert(dir !== 0 && counts.every((c, i) => !i || Math.sign(c - counts[i - 1]) !== -dir),
    `sorted by count as the grid: ${counts.slice(0, 5)} ... ${counts.slice(-3)}`);
  t.assert(rows.slice(1).every((r) => r[0].toLowerCase().includes('er')), 'filtered as the grid');
}

async function localGrid(t) {
  await t.goto('#/misclassified');
  await t.page.waitForSelector('.tabulator-row');
  await t.page.locator('.tabulator-header-filter input').first().pressSequentially('ORG');
  await t.page.click('.tabulator-col[tabulator-field="count"] .tabulator-col-title');
  await t.page.waitForTimeout(300);
  const gold = await gridTexts(t, '', 'gold');
  const count = await gridTexts(t, '', 'count');
  const f = await download(t, '[data-role="export-jsonl"]');
  const rows = f.text.trim().split('\n').map((l) => JSON.parse(l));
  t.assert(rows.length >= gold.length && rows.every((r) => r.gold.includes('ORG')), `the filtered rows: ${rows.length}`);
  t.assert(JSON.stringify(rows.slice(0, gold.length).map((r) => [r.gold, String(r.count)])) ===
    JSON.stringify(gold.map((g, i) => [g, count[i]])), 'in the grid\'s order');
  t.assert(JSON.stringify(Object.keys(rows[0])) === JSON.stringify(['gold', 'pred', 'count', 'words']), `columns ${Object.keys(rows[0])}`);
}

async function sentenceList(t) {
  await t.goto('#/search?q=the&sort=errors');
  await t.page.waitForSelector('[data-role="results"] .smp-item');
  const shown = await t.page.$$eval('[data-role="results"] .smp-item', (xs) => xs.map((x) => Number(x.dataset.sid)));
  const total = Number((await t.page.locator('[data-role="results"] .sent-count').innerText()).match(/^([\d,]+)/)[1].replace(/,/g, ''));
  const f = await download(t, '[data-role="results"] [data-role="export-jsonl"]');
  const rows = f.text.trim().split('\n').map((l) => JSON.parse(l));
  t.assert(rows.length === total, `every sentence of the list: ${rows.length} of ${total}`);
  t.assert(JSON.stringify(rows.slice(0, shown.length).map((r) => r.id)) === JSON.stringify(shown), 'the listed ones first, in order');
}

async function report(t) {
  await t.goto('#/metrics');
  await t.page.click('[data-role="report-default"] th[data-key="recall"]');
  const shown = await t.page.$$eval('[data-role="report-default"] tbody tr', (rs) => rs.map((r) => r.dataset.cls));
  const f = await download(t, '[data-role="report-default"] [data-role="export-csv"]');
  const rows = parseCsv(f.text);
  t.assert(rows[0].join() === 'class,precision,recall,f1-score,support', `header ${rows[0]}`);
  t.assert(JSON.stringify(rows.slice(1).map((r) => r[0])) === JSON.stringify(shown), `the rows as shown: ${rows.map((r) => r[0])} vs ${shown}`);
}

export async function run(t) {
  await lossGrid(t);
  await localGrid(t);
  await sentenceList(t);
  await report(t);
  await t.shot('export');
}
