// buckets.spec.mjs - the Buckets page: a chart per attribute of GET
// /api/v1/runs/{id}/buckets with a bar and an interval whisker per bucket and
// run; the bars' tooltips carry the API's F1 and interval; a click on a bucket
// lists its cases (errors first) with links to the sentence. With a second
// run in the database (test_web_compare.sh) picking B overlays its bars, with
// A's edges, and lands in the hash.

async function bucketsApi(t, b) {
  const q = `samples=50${b ? '&compare=' + b : ''}`;
  return JSON.parse((await t.get(`/api/v1/runs/${t.runId}/buckets?${q}`)).body.toString());
}

async function checkCharts(t, data) {
  const nRuns = data.runs.length;
  const cards = await t.page.$$eval('.bk-card', (cs) => cs.map((c) => c.dataset.attr));
  t.assert(JSON.stringify(cards) === JSON.stringify(data.attributes.map((a) => a.name)),
    `a chart per attribute: ${cards}`);
  for (const a of data.attributes) {
    const sel = `.bk-card[data-attr="${a.name}"]`;
    const bars = await t.page.$$eval(`${sel} .bk-bar title`, (ts) => ts.map((x) => x.textContent));
    t.assert(bars.length === a.buckets.length * nRuns, `${a.name}: ${bars.length} bars`);
    const whiskers = await t.page.$$eval(`${sel} .bk-whisker`, (w) => w.length);
    t.assert(whiskers === bars.length, `${a.name}: a whisker per bar`);
    a.buckets.forEach((b, k) => b.runs.forEach((r, i) => {
      const want = `F1 ${r.f1.toFixed(4)} [${r.lo.toFixed(4)}, ${r.hi.toFixed(4)}], ${r.cases} cases`;
      t.assert(bars[k * nRuns + i].endsWith(want), `${a.name} bucket ${k} run ${i}: "${bars[k * nRuns + i]}" wants ${want}`);
    }));
  }
}

export async function run(t) {
  const data = await bucketsApi(t);
  await t.goto('#/buckets');
  await t.expectText('[data-role="about"]', new RegExp(`^${data.runs[0].cases.toLocaleString('en-US')} cases`));
  await checkCharts(t, data);

  // A click on the first span-length bucket lists its cases, errors first.
  const a = data.attributes[0];
  await t.page.click(`.bk-card[data-attr="${a.name}"] .bk-bucket[data-bucket="0"]`);
  await t.expectText(`.bk-card[data-attr="${a.name}"] [data-role="cases"] h3`, new RegExp(`^${a.name} `));
  const rows = await t.page.$$eval(`.bk-card[data-attr="${a.name}"] [data-role="cases"] tbody tr`,
    (trs) => trs.map((tr) => [tr.querySelector('a').getAttribute('href'), tr.cells[1].innerText]));
  const s = a.buckets[0].runs[0].samples;
  t.assert(rows.length === s.length, `${rows.length} cases listed, want ${s.length}`);
  if (s.length)
    t.assert(rows[0][0].endsWith(`sentence=${s[0].sentence}`) && rows[0][1] === s[0].text,
      `the first case: ${rows[0]} want ${s[0].sentence} ${s[0].text}`);
  await t.shot('buckets');

  const runs = JSON.parse((await t.get('/api/v1/runs')).body.toString()).items;
  if (runs.length < 2) return;
  const b = runs.filter((r) => r.id !== t.runId).pop().id;
  await t.page.selectOption('[data-role="run-b"]', String(b));
  const two = await bucketsApi(t, b);
  await t.expectText('[data-role="about"]', new RegExp(`${two.runs[1].cases.toLocaleString('en-US')} in B`));
  t.assert(t.page.url().includes(`b=${b}`), `B in the hash: ${t.page.url()}`);
  await checkCharts(t, two);
  await t.shot('buckets-compare');
}
