// verdicts.spec.mjs - a reviewer's verdicts as badges next to their
// sentences (lib/verdicts.js): two verdicts recorded through the API show on
// Inspect, on Samples by Loss and on Misclassified, each page reading the
// run's verdicts once however many sentences it shows; a sentence without a
// verdict has no badge; a deleted verdict is gone on the next visit.

async function json(t, path) {
  const r = await t.get(`/api/v1/runs/${t.runId}/${path}`);
  t.assert(r.status === 200, `${path}: HTTP ${r.status}`);
  return JSON.parse(r.body.toString());
}

/** A change from the page itself (same origin, JSON), as the app makes it. */
function send(t, method, path, body) {
  return t.page.evaluate(async ([m, p, b]) => {
    const r = await fetch(p, {method: m, headers: {'Content-Type': 'application/json'},
      body: b ? JSON.stringify(b) : undefined});
    return {status: r.status, body: await r.json()};
  }, [method, `/api/v1/runs/${t.runId}/${path}`, body]);
}

export async function run(t) {
  const top = (await json(t, 'sentences?sort=loss&order=desc&min_loss=0.5&skip_correct=1&words=1&limit=1')).items[0];
  const wrong = top.words.find((w) => w.gold !== w.pred);
  await t.goto('#/inspect?sentence=0');
  const a = await send(t, 'POST', 'verdicts', {sentence: top.id, start: wrong.idx, kind: 'label_error',
    labels: [wrong.pred], who: 'ann', why: 'checked the source'});
  t.assert(a.status === 201, `POST: ${JSON.stringify(a)}`);
  const b = await send(t, 'POST', 'verdicts', {sentence: top.id, start: 0, kind: 'skip', who: 'bo'});
  t.assert(b.status === 201, `POST: ${JSON.stringify(b)}`);

  const reads = [];
  t.page.on('request', (r) => {
    if (/\/api\/v1\/runs\/\d+\/verdicts(\?|$)/.test(r.url())) reads.push(r.url());
  });
  const badge = `[data-role=sentence] [data-role=verdicts]`;
  await t.goto(`#/inspect?sentence=${top.id}`);
  await t.expectText(badge, new RegExp(`label error: ${wrong.text} → ${wrong.pred}`));
  await t.expectText(badge, new RegExp(`skip: ${top.words[0].text}`));
  const title = await t.page.locator(`${badge} .vd-label_error`).getAttribute('title');
  t.assert(/by ann, .* UTC/.test(title) && /why: checked the source/.test(title), `who, when and why: ${title}`);
  await t.page.keyboard.press('ArrowRight');
  await t.expectText('[data-role=sentence] h2', new RegExp(`^Sentence #${top.id + 1}$`));
  t.assert(await t.page.locator(`${badge} .vd-badge`).count() === 0, 'no badge on a sentence without a verdict');

  reads.length = 0;
  await t.goto('#/samples');
  const item = `.smp-item[data-sid="${top.id}"] [data-role=verdicts]`;
  await t.expectText(item, /label error: /);
  t.assert(await t.page.locator(`${item} .vd-badge`).count() === 2, 'both verdicts on Samples by Loss');
  t.assert(await t.page.locator('.smp-item [data-role=verdicts]').count() === 25, 'a badge host per sentence');
  t.assert(await t.page.locator('.smp-item [data-role=verdicts]:not([hidden])').count() === 1,
    'only the sentence with verdicts shows one');
  t.assert(reads.length === 1, `the verdicts read once for 25 sentences: ${reads}`);
  await t.shot('verdict-badges');

  await t.goto(`#/misclassified?gold=${wrong.gold}&pred=${wrong.pred}`);
  await t.expectText(`.smp-item[data-sid="${top.id}"] [data-role=verdicts]`, /label error/);

  t.assert((await send(t, 'DELETE', `verdicts/${a.body.id}`)).status === 200, 'DELETE');
  t.assert((await send(t, 'DELETE', `verdicts/${b.body.id}`)).status === 200, 'DELETE');
  const read = t.page.waitForResponse((r) => /\/verdicts$/.test(r.url()));
  await t.goto(`#/inspect?sentence=${top.id}`);
  t.assert((await (await read).json()).verdicts.length === 0, 'the page reads no verdicts');
  t.assert(await t.page.locator(`${badge} .vd-badge`).count() === 0, 'deleted: no badge');
}
