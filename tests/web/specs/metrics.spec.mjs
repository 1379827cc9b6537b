// metrics.spec.mjs - the Metrics page on the demo run: both classification
// reports show the API's numbers (themselves checked against `explainer
// report --json` by tests/api/test_api_metrics.sh), the confusion heatmap is
// row-normalised by default and the toggles change its values, clicking a
// heatmap cell or a taxonomy cell lists those sentences inline; the
// reliability chart plots the calibration API's bins and its ECE, per type too.

async function heatValues(t) {
  return JSON.parse(await t.page.$eval('[data-role="heatmap"]', (e) => e.dataset.values));
}

async function waitHeatChange(t, before) {
  for (let i = 0; i < 100; i++) {
    const v = await heatValues(t);
    if (JSON.stringify(v) !== JSON.stringify(before)) return v;
    await t.page.waitForTimeout(50);
  }
  throw new Error('the heatmap values did not change');
}

/** Click the heatmap cell (gold row i, predicted column j) where Plotly draws it. */
async function clickCell(t, i, j) {
  const xy = await t.page.$eval('[data-role="heatmap"]', (gd, [row, col]) => {
    const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
    const box = gd.getBoundingClientRect();
    return [box.left + xa._offset + xa.l2p(col), box.top + ya._offset + ya.l2p(row)];
  }, [i, j]);
  await t.page.mouse.click(xy[0], xy[1]);
}

/** Scroll everything back to the top, so the full-page screenshot starts at the page head. */
async function scrollTop(t) {
  await t.page.evaluate(() => {
    window.scrollTo(0, 0);
    for (const e of document.querySelectorAll('*')) if (e.scrollTop) e.scrollTop = 0;
  });
}

export async function run(t) {
  const m = JSON.parse((await t.get(`/api/v1/runs/${t.runId}/metrics`)).body.toString());
  await t.goto('#/metrics');
  const micro = m.seqeval_default['micro avg'];
  await t.expectText('[data-role="report-default"] tr.avg-first',
    new RegExp(`micro avg\\s+${micro.precision.toFixed(3)}\\s+${micro.recall.toFixed(3)}\\s+` +
      `${micro['f1-score'].toFixed(3)}\\s+${micro.support.toLocaleString('en-US')}`));
  const strictMicro = m.seqeval_strict['micro avg'];
  await t.expectText('[data-role="report-strict"] tr.avg-first',
    new RegExp(`micro avg[\\s\\S]*${strictMicro['f1-score'].toFixed(3)}`));
  const per = m.seqeval_default.PER;
  await t.expectText('[data-role="report-default"] tbody tr:has-text("PER")',
    new RegExp(`PER\\s+${per.precision.toFixed(3)}\\s+${per.recall.toFixed(3)}[\\s\\S]*\\s${per.support}$`));
  t.assert(micro.support > 100, `the demo run has entities (${micro.support})`);
  await t.page.waitForSelector('[data-role="scatter"] .scatterlayer .point');

  // calibration: both levels' bins plotted, with the API's ECE; the type picker redraws
  const cal = JSON.parse((await t.get(`/api/v1/runs/${t.runId}/calibration`)).body.toString());
  await t.page.waitForSelector('[data-role="reliability"] .scatterlayer .point');
  const ece = () => t.page.$eval('[data-role="reliability"]', (e) => JSON.parse(e.dataset.ece));
  const all = await ece();
  t.assert(all.word === cal.word.all.ece && all.entity === cal.entity.all.ece, 'the chart shows the API\'s ECE');
  const nPoints = await t.page.$$eval('[data-role="reliability"] .scatterlayer .trace:nth-child(3) .point', (p) => p.length);
  t.assert(nPoints === cal.entity.all.bins.count.filter((n) => n > 0).length, `a point per non-empty entity bin (${nPoints})`);
  await t.page.selectOption('[data-role="calibration"] select', 'PER');
  for (let i = 0; i < 100 && (await ece()).entity !== cal.entity.types.PER.ece; i++) await t.page.waitForTimeout(50);
  t.assert((await ece()).entity === cal.entity.types.PER.ece, 'PER picked: the PER entities\' ECE');
  await t.page.selectOption('[data-role="calibration"] select', 'all');

  // normalize (default on): each gold row sums to 1
  const norm = await heatValues(t);
  const labels = m.confusion.labels;
  t.assert(norm.length === labels.length, 'a heatmap row per label');
  norm.forEach((row, i) => {
    const s = row.reduce((a, b) => a + b, 0);
    const gold = m.confusion.counts[i].reduce((a, b) => a + b, 0);
    t.assert(gold === 0 || Math.abs(s - 1) < 2e-3, `row ${labels[i]} sums to 1 (${s})`);
  });
  await t.page.click('input[name="normalize"]');
  const counts = await waitHeatChange(t, norm);
  t.assert(JSON.stringify(counts) === JSON.stringify(m.confusion.counts), 'normalize off shows the counts');
  t.assert(/normalize=0/.test(t.page.url()), 'normalize=0 in the hash');
  await t.page.click('input[name="zero_diagonal"]');
  const zeroed = await waitHeatChange(t, counts);
  t.assert(zeroed.every((row, i) => row[i] === 0), 'zero diagonal zeroes the diagonal');
  t.assert(zeroed[0][1] === counts[0][1], 'off-diagonal counts stay');
  await t.page.click('input[name="zero_diagonal"]');
  await t.page.click('input[name="normalize"]');
  await waitHeatChange(t, zeroed);

  // click the heatmap cell of the most frequent confusion
  let best = [0, 1];
  m.confusion.counts.forEach((row, i) => row.forEach((c, j) => {
    if (i !== j && c > m.confusion.counts[best[0]][best[1]]) best = [i, j];
  }));
  await clickCell(t, best[0], best[1]);
  const gold = labels[best[0]], pred = labels[best[1]];
  await t.expectText('[data-role="examples"] h2', new RegExp(`gold\\s*${gold}\\s*predicted as\\s*${pred}`));
  await t.expectText('[data-role="examples"] .sent-count', /^\d[\d,]* sentences? hold such a word/);
  const n = await t.page.$$eval('[data-role="examples"] .sentence', (s) => s.length);
  t.assert(n > 0, 'sentences listed for the clicked cell');
  const wrong = await t.page.$$eval('[data-role="examples"] .sentence .ent-gold', (s) => s.length);
  t.assert(wrong >= n, `every listed sentence shows a wrong word (${wrong} for ${n})`);
  t.assert(new RegExp(`gold=${encodeURIComponent(gold)}&pred=${encodeURIComponent(pred)}`).test(t.page.url()), 'the cell is in the hash');
  await scrollTop(t);
  await t.shot('metrics');

  // a taxonomy cell: missed entities of the class with most misses
  const types = Object.keys(m.entity_errors).filter((k) => m.entity_errors[k].missed > 0);
  t.assert(types.length > 0, 'the demo run misses some entities');
  const type = types.sort((a, b) => m.entity_errors[b].missed - m.entity_errors[a].missed)[0];
  await t.page.click(`td.m-cell[data-type="${type}"][data-kind="missed"]`);
  await t.expectText('[data-role="examples"] h2', new RegExp(`missed\\s[\\s\\S]*${type}\\s+entities`));
  const ex = JSON.parse((await t.get(`/api/v1/runs/${t.runId}/metrics/examples?type=${type}&kind=missed`)).body.toString());
  await t.expectText('[data-role="examples"] .sent-count', new RegExp(`^${ex.total} sentences?`));
  t.assert(await t.page.$$eval('[data-role="examples"] .sentence', (s) => s.length) === Math.min(20, ex.total),
    'the first page of those sentences');
  await scrollTop(t);
  await t.shot('metrics-taxonomy');
}
