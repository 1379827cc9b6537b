// compare.spec.mjs - the Compare page. With one run in the database it says
// that it needs two. With more (test_web.sh: the demo run against a fixture
// split sharing two sentences, paired by text; test_web_compare.sh: the demo
// model, newest, as A and the model derived from it as B, paired by index) it shows
// GET /api/v1/compare's numbers: every type's F1 of both with intervals, B - A
// and p, McNemar, the fixed / regressed / both-wrong sentences with both
// predictions inline, the entity decisions; picking a type filters the lists
// and lands in the hash.

async function compareApi(t, a, b, type) {
  const q = `a=${a}&b=${b}&top=50${type ? '&type=' + type : ''}`;
  return JSON.parse((await t.get(`/api/v1/compare?${q}`)).body.toString());
}

export async function run(t) {
  const runs = JSON.parse((await t.get('/api/v1/runs')).body.toString()).items;
  if (runs.length < 2) {
    await t.goto('#/compare');
    await t.expectText('[data-role="one-run"]', /needs two runs/);
    return;
  }
  const b = runs.filter((r) => r.id !== t.runId).pop().id;
  const c = await compareApi(t, t.runId, b);
  await t.goto('#/compare');
  t.assert(t.page.url().includes(`b=${b}`), `B defaults to the newest other run: ${t.page.url()}`);
  t.assert(await t.page.$eval('[data-role="run-b"]', (s) => Number(s.value)) === b, 'B is picked');
  await t.expectText('[data-role="pairing"]', new RegExp(`^${c.pairing.pairs} sentences paired by ${c.pairing.by}`));
  await t.expectText('[data-role="pairing"]', new RegExp(`${c.bootstrap.resamples} resamples, seed ${c.bootstrap.seed}`));

  const rows = await t.page.$$eval('[data-role="scores"] tbody tr', (trs) => trs.map((tr) => tr.innerText));
  t.assert(rows.length === c.types.length + 2, `a row per type and two averages: ${rows.length}`);
  const f4 = (x) => x.toFixed(4);
  c.types.forEach((ty, i) => {
    for (const v of [ty.a.f1, ty.a.lo, ty.a.hi, ty.b.f1, ty.b.lo, ty.b.hi])
      t.assert(rows[i].includes(f4(v)), `${ty.type}: ${f4(v)} in "${rows[i]}"`);
    t.assert(rows[i].includes(Math.abs(ty.diff.f1).toFixed(4)), `${ty.type}: the difference`);
  });
  t.assert(rows[c.types.length].startsWith('micro avg') && rows[c.types.length].includes(f4(c.micro.b.f1)),
    `micro row: ${rows[c.types.length]}`);
  await t.expectText('[data-role="mcnemar"]', new RegExp(
    `McNemar on ${c.mcnemar.decisions.toLocaleString('en-US')} entity decisions: A alone right ${c.mcnemar.a_only_right}, B alone right ${c.mcnemar.b_only_right}`));

  for (const kind of ['fixed', 'regressed', 'both_wrong']) {
    const sel = `[data-role="sentences-${kind}"]`;
    await t.expectText(`${sel} h2`, new RegExp(`${c.sentences[kind].total}$`));
    const shown = await t.page.$$eval(`${sel} .c-item`, (li) => li.map((x) => Number(x.dataset.a)));
    const want = c.sentences[kind].items.slice(0, 5).map((s) => s.a_id);
    t.assert(JSON.stringify(shown) === JSON.stringify(want), `${kind}: ${shown} listed, want ${want}`);
    if (shown.length)
      t.assert(await t.page.$$eval(`${sel} .c-item:first-child .sentence`, (s) => s.length) === 2,
        `${kind}: both predictions inline`);
  }
  const fixed = c.sentences.fixed.items[0];
  if (fixed) {
    // The fixed sentence shows a wrong word under A (a gold box) and none under B.
    const boxes = await t.page.$$eval('[data-role="sentences-fixed"] .c-item:first-child .c-line',
      (lines) => lines.map((l) => l.querySelectorAll('.ent-gold').length));
    t.assert(boxes[0] > 0 && boxes[1] === 0, `A wrong, B right inline: gold boxes ${boxes}`);
  }
  const ents = await t.page.$$eval('[data-role="entities"] tbody tr', (trs) => trs.length);
  t.assert(ents === Math.min(20, c.entities.fixed.items.length + c.entities.regressed.items.length),
    `entity rows ${ents}: the first 20`);
  await t.expectText('[data-role="run-a"]', new RegExp(`^A\\s*#${t.runId} `));
  await t.shot('compare');

  // a type filter: lists of that type only, in the hash
  const type = c.types[0].type;
  const ct = await compareApi(t, t.runId, b, type);
  await t.page.selectOption('[data-role="type"]', type);
  await t.expectText('[data-role="sentences-both_wrong"] h2', new RegExp(`${ct.sentences.both_wrong.total}$`));
  t.assert(t.page.url().includes(`type=${type}`), `type in the hash: ${t.page.url()}`);
  const types = await t.page.$$eval('[data-role="entities"] tbody tr td:nth-child(4)', (tds) => tds.map((x) => x.innerText));
  t.assert(types.every((x) => x.includes(type)), `every entity row is ${type}: ${types}`);
  await t.goto(`#/compare?b=${b}&type=${type}`);
  t.assert(await t.page.$eval('[data-role="type"]', (s) => s.value) === type, 'a link keeps the filter');
}
