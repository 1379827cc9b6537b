// metrics.spec.mjs - the Metrics page on the demo run: both classification
// reports show the API's numbers (themselves checked against `explainer
// report --json` by tests/api/test_api_metrics.sh) and sort by a column, the
// support-vs-F1 chart's axes fit the data, its labels do not overlap and its
// legend is grey, the confusion heatmap is row-normalised by default and the
// toggles change its values; clicking a heatmap cell, a taxonomy cell or a
// report row opens those sentences in the panel beside the page, the words
// or entities counted highlighted and the first in view.
// The reliability chart plots the calibration API's bins and its ECE, per
// type too.

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

/** The first element of selector is inside the viewport (not clipped by its scroll box either). */
async function inView(t, selector) {
  const r = await t.page.$eval(selector, (e) => {
    const b = e.getBoundingClientRect();
    const box = e.closest('.drill')?.getBoundingClientRect() || {top: 0, bottom: innerHeight, left: 0, right: innerWidth};
    return {top: b.top, bottom: b.bottom, left: b.left, right: b.right, h: innerHeight, w: innerWidth,
      bt: box.top, bb: box.bottom};
  });
  t.assert(r.top >= 0 && r.bottom <= r.h && r.left >= 0 && r.right <= r.w && r.top >= r.bt && r.bottom <= r.bb,
    `${selector} is in view: ${JSON.stringify(r)}`);
}

/** The panel opened beside what was clicked: on its right, neither covering it. */
async function beside(t, selector) {
  const [a, d] = await t.page.evaluate((sel) => [document.querySelector(sel), document.querySelector('[data-role="drill"]')]
    .map((e) => e.getBoundingClientRect()).map((b) => ({left: b.left, right: b.right, top: b.top, bottom: b.bottom})), selector);
  t.assert(d.left >= a.right - 1, `the panel (${d.left}) is right of the clicked ${selector} (${a.right})`);
  t.assert(a.bottom > 0 && a.top < (await t.page.evaluate(() => innerHeight)), `the clicked ${selector} stays in view`);
}

/** The support-vs-F1 chart: x fitted to the data, labels apart and in the plot, a grey legend. */
async function supportChart(t, m) {
  const info = await t.page.$eval('[data-role="scatter"]', (gd) => {
    const xa = gd._fullLayout.xaxis;
    const box = (e) => {
      const b = e.getBoundingClientRect();
      return [b.left, b.top, b.right, b.bottom];
    };
    return {
      range: xa.range,
      labels: [...gd.querySelectorAll('.scatterlayer .textpoint text')].map(box),
      points: [...gd.querySelectorAll('.scatterlayer .point')].map(box),
      plot: box(gd.querySelector('.nsewdrag')),
      legend: [...gd.querySelectorAll('.legend .legendpoints path')].map((p) => getComputedStyle(p).fill),
    };
  });
  const sup = Object.entries(m.seqeval_default).filter(([k, v]) => !/avg/.test(k) && v.support > 0).map(([, v]) => v.support);
  const [lo, hi] = [Math.min(...sup), Math.max(...sup)];
  t.assert(info.range[0] > 0.5 * lo && info.range[0] <= lo && info.range[1] >= hi && info.range[1] < hi + (hi - lo) + 10,
    `the support axis fits ${lo}..${hi}: ${info.range}`);
  t.assert(info.labels.length === sup.length, `a label per class: ${info.labels.length}`);
  const overlap = (a, b) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
  info.labels.forEach((a, i) => info.labels.forEach((b, j) => {
    if (i < j) t.assert(!overlap(a, b), `labels ${i} and ${j} overlap: ${a} ${b}`);
  }));
  // A label sits next to its own point: it covers no point of either mode.
  info.labels.forEach((a, i) => info.points.forEach((p, j) =>
    t.assert(!overlap(a, p), `label ${i} covers point ${j}: ${a} ${p}`)));
  info.labels.forEach((a) => t.assert(a[0] >= info.plot[0] - 40 && a[2] <= info.plot[2] + 40 && a[1] >= info.plot[1] - 20,
    `label ${a} inside the plot ${info.plot}`));
  t.assert(info.legend.length >= 2 && info.legend.every((f) => f === 'rgb(107, 114, 128)' || f === 'none'),
    `the legend's marks are grey: ${info.legend}`);
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
  await supportChart(t, m);

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

  // click the heatmap cell of the most frequent confusion: the panel lists its sentences
  let best = [0, 1];
  m.confusion.counts.forEach((row, i) => row.forEach((c, j) => {
    if (i !== j && c > m.confusion.counts[best[0]][best[1]]) best = [i, j];
  }));
  await clickCell(t, best[0], best[1]);
  const gold = labels[best[0]], pred = labels[best[1]];
  await t.expectText('[data-role="drill"] h2', new RegExp(`gold\\s*${gold}\\s*predicted as\\s*${pred}`));
  await t.expectText('[data-role="drill"] .sent-count', /^\d[\d,]* sentences? hold such a word/);
  const n = await t.page.$$eval('[data-role="drill"] .sentence', (s) => s.length);
  t.assert(n > 0, 'sentences listed for the clicked cell');
  const hits = await t.page.$$eval('[data-role="drill"] .smp-item', (xs) => xs.map((x) =>
    [...x.querySelectorAll('.w-hit')].map((w) => w.getAttribute('aria-label'))));
  t.assert(hits.every((h) => h.length && h.every((l) => l.includes(`gold ${gold}`) && l.includes(`predicted ${pred}`))),
    `every listed sentence highlights its ${gold}/${pred} words: ${JSON.stringify(hits.slice(0, 2))}`);
  t.assert(new RegExp(`gold=${encodeURIComponent(gold)}&pred=${encodeURIComponent(pred)}`).test(t.page.url()), 'the cell is in the hash');
  await inView(t, '[data-role="drill"] .w-hit');
  await beside(t, '[data-role="heatmap"]');
  await scrollTop(t);
  await t.shot('metrics');

  // a taxonomy cell: missed entities of the class with most misses, those entities highlighted
  const types = Object.keys(m.entity_errors).filter((k) => m.entity_errors[k].missed > 0);
  t.assert(types.length > 0, 'the demo run misses some entities');
  const type = types.sort((a, b) => m.entity_errors[b].missed - m.entity_errors[a].missed)[0];
  await t.page.click(`td.m-cell[data-type="${type}"][data-kind="missed"]`);
  await t.expectText('[data-role="drill"] h2', new RegExp(`missed\\s[\\s\\S]*${type}\\s+entities`));
  const ex = JSON.parse((await t.get(`/api/v1/runs/${t.runId}/metrics/examples?type=${type}&kind=missed`)).body.toString());
  await t.expectText('[data-role="drill"] .sent-count', new RegExp(`^${ex.total} sentences?`));
  const listed = await t.page.$$eval('[data-role="drill"] .smp-item', (xs) => xs.map((x) => Number(x.dataset.sid)));
  t.assert(listed.length === Math.min(20, ex.total) && listed.every((id) => ex.ids.includes(id)),
    `the first page of those sentences: ${listed}`);
  const goldOf = await t.page.$$eval('[data-role="drill"] .smp-item', (xs) => xs.map((x) =>
    [...x.querySelectorAll('.w-hit')].map((w) => w.getAttribute('aria-label'))));
  t.assert(goldOf.every((h) => h.length && h.every((l) => new RegExp(`gold [BI]-${type}`).test(l))),
    `the missed ${type} entities are highlighted: ${JSON.stringify(goldOf.slice(0, 2))}`);
  await inView(t, '[data-role="drill"] .w-hit');
  t.assert(await t.page.$eval(`td.m-cell[data-type="${type}"][data-kind="missed"]`, (td) => td.classList.contains('drill-origin')),
    'the clicked cell is marked as the origin');
  await beside(t, `td.m-cell[data-type="${type}"][data-kind="missed"]`);
  await scrollTop(t);
  await t.shot('metrics-taxonomy');
  await t.page.keyboard.press('Escape');
  t.assert(await t.page.locator('[data-role="drill"]').count() === 0, 'Esc closes the panel');

  // the report sorts by a column, and a row lists its class's entity errors
  const f1s = async () => t.page.$$eval('[data-role="report-default"] tbody tr:not(.avg)', (rs) =>
    rs.map((r) => [r.dataset.cls, Number(r.children[3].innerText)]));
  await t.page.click('[data-role="report-default"] th[data-key="f1-score"]');
  const desc = await f1s();
  t.assert(desc.every((x, i) => !i || desc[i - 1][1] >= x[1]), `sorted by F1, descending: ${desc}`);
  await t.page.click('[data-role="report-default"] th[data-key="f1-score"]');
  const asc = await f1s();
  t.assert(JSON.stringify(asc.map((x) => x[0])) === JSON.stringify([...desc].reverse().map((x) => x[0])) ||
    asc.every((x, i) => !i || asc[i - 1][1] <= x[1]), `and ascending: ${asc}`);
  await t.page.click('[data-role="report-default"] th[data-key="support"]');
  const sup = await t.page.$$eval('[data-role="report-default"] tbody tr:not(.avg)', (rs) =>
    rs.map((r) => Number(r.children[4].innerText.replace(/,/g, ''))));
  t.assert(sup.every((x, i) => !i || sup[i - 1] >= x), `sorted by support: ${sup}`);
  const cls = asc[0][0];
  await t.page.click(`[data-role="report-default"] tbody tr[data-cls="${cls}"]`);
  await t.expectText('[data-role="drill"] h2', new RegExp(`wrong \\(any kind but correct\\)[\\s\\S]*${cls}`));
  const errs = JSON.parse((await t.get(`/api/v1/runs/${t.runId}/sentences?error_kind=errors&error_type=${cls}&limit=1`)).body.toString());
  await t.expectText('[data-role="drill"] .sent-count', new RegExp(`^${errs.total} sentences?`));
  await inView(t, '[data-role="drill"] .w-hit');
  await scrollTop(t);
  await t.shot('metrics-report-row');
}
