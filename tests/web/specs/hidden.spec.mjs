// hidden.spec.mjs - the Hidden States page on the demo run: a PCA of 2,000
// sampled words is drawn twice (gold, prediction) on load, from the one
// request the page's prefetch sent; new UMAP
// parameters re-render both plots with other coordinates, the progress
// label following the bar; a box selection in one plot is shown in both and
// lists the selected words' sentences inline, those words highlighted;
// "errors only" keeps the points whose labels disagree.

async function xs(t, sel) {
  return t.page.$eval(sel, (gd) => gd.data.map((tr) => tr.x.slice(0, 20)).flat());
}

export async function run(t) {
  const posts = [];
  const count = (req) => {
    if (req.method() === 'POST' && /\/projection$/.test(req.url())) posts.push(req.postData());
  };
  t.page.on('request', count);
  await t.goto('#/hidden');
  await t.expectText('.projection-info', /^2,000 words · explained variance \d+\.\d% \+ \d+\.\d%/);
  await t.page.waitForSelector('.plot-gold .main-svg');
  await t.page.waitForSelector('.plot-pred .main-svg');
  t.page.off('request', count);
  // the page's prefetch (sent while app.js loads the run) is the projection drawn, not one more
  t.assert(posts.length === 1, `one projection request on load: ${JSON.stringify(posts)}`);
  t.assert(!(await t.page.$('.plot-warm')), 'the off-screen warm-up chart is gone');
  const names = await t.page.$eval('.plot-pred', (gd) => gd.data.map((tr) => tr.name));
  t.assert(names.includes('O') && names.includes('B-PER') && names.includes('gold ≠ prediction'),
    `traces by label and the disagreements: ${names}`);
  const before = await xs(t, '.plot-gold');

  await t.page.selectOption('select[name="method"]', 'umap');
  await t.page.fill('input[name="n"]', '600');
  await t.page.fill('input[name="n_neighbors"]', '8');
  await t.page.fill('input[name="min_dist"]', '0.3');
  await t.page.selectOption('select[name="metric"]', 'manhattan');
  await t.page.evaluate(() => {
    window.__progress = [];
    new MutationObserver(() => {
      const bar = document.querySelector('.job .progress-fill');
      const label = document.querySelector('.job .progress-label');
      if (bar && label) window.__progress.push([parseFloat(bar.style.width) || 0, label.textContent]);
    }).observe(document.body, {childList: true, subtree: true, attributes: true, characterData: true});
  });
  await t.page.click('button:has-text("Compute")');
  await t.expectText('.projection-info', /^600 words · 8 neighbours, min_dist 0\.3, manhattan, seed 42/);
  const seen = await t.page.evaluate(() => window.__progress);
  // a fast machine may finish the job between two polls: two states seen are enough
  t.assert(seen.length >= 2 && seen.every(([w, label], i) => (!i || w >= seen[i - 1][0]) &&
    (!/\d+%/.test(label) || Number(/(\d+)%/.exec(label)[1]) === Math.round(w))),
  `the bar only grows and its label says its width: ${JSON.stringify(seen.slice(0, 12))}`);
  const after = await xs(t, '.plot-gold');
  t.assert(JSON.stringify(after) !== JSON.stringify(before), 'the plot was drawn again with the UMAP layout');
  const total = await t.page.$eval('.plot-pred', (gd) => gd.data.filter((tr) => tr.name !== 'gold ≠ prediction')
    .reduce((s, tr) => s + tr.x.length, 0));
  t.assert(total === 600, `600 points in the prediction plot (${total})`);
  t.assert(/method=umap/.test(t.page.url()) && /n_neighbors=8/.test(t.page.url()), 'the parameters are in the URL');

  // A box selection over the middle of the gold plot lists sentences.
  await t.page.$eval('.plot-gold', (gd) => window.Plotly.relayout(gd, {dragmode: 'select'}));
  const box = await t.page.$eval('.plot-gold .nsewdrag', (e) => {
    const r = e.getBoundingClientRect();
    return [r.left, r.top, r.width, r.height];
  });
  await t.page.mouse.move(box[0] + box[2] * 0.2, box[1] + box[3] * 0.2);
  await t.page.mouse.down();
  await t.page.mouse.move(box[0] + box[2] * 0.5, box[1] + box[3] * 0.5, {steps: 5});
  await t.page.mouse.move(box[0] + box[2] * 0.8, box[1] + box[3] * 0.8, {steps: 5});
  await t.page.mouse.up();
  await t.expectText('.selection h3', /^\d+ selected words? in \d+ sentences?/);
  await t.page.waitForSelector('.selection .smp-item .sentence');
  t.assert(await t.page.locator('.selection .smp-item').count() > 0, 'selected sentences are listed');
  const picked = (sel) => t.page.$eval(sel, (gd) => gd.data.flatMap((tr) =>
    (tr.selectedpoints || []).map((j) => tr.customdata[j])).sort((a, b) => a - b));
  const left = await picked('.plot-gold');
  const right = await picked('.plot-pred');
  t.assert(left.length > 0 && JSON.stringify([...new Set(left)]) === JSON.stringify([...new Set(right)]),
    `the selection is mirrored: ${left.length} and ${right.length} points`);
  const marked = await t.page.$$eval('.selection .w-hit', (ws) => ws.length);
  t.assert(marked > 0, 'the selected words are highlighted');
  await t.shot('hidden');

  await t.page.check('input[name="errors"]');
  await t.page.waitForFunction(() => document.querySelector('.plot-gold').layout.title.text.includes('errors only'));
  const agree = await t.page.$eval('.plot-gold', (gd) => gd.data.filter((tr) => tr.name !== 'gold ≠ prediction')
    .reduce((n, tr) => n + tr.x.length, 0));
  const disagree = await t.page.$eval('.plot-gold', (gd) => (gd.data.find((tr) => tr.name === 'gold ≠ prediction') || {x: []}).x.length);
  t.assert(agree === disagree && agree > 0 && agree < 600, `errors only: ${agree} points, all disagreements (${disagree})`);
  t.assert(/[?&]errors=1/.test(t.page.url()), 'errors only in the URL');
  await t.shot('hidden-errors');
}
