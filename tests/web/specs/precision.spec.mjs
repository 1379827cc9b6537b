// precision.spec.mjs - a run's precision in the header (issue #13): a run made
// with --precision bf16/int8 shows it as a chip on every page, with the reason
// in its title, and its options on Debug say so; an fp32 run (the default,
// test_web.sh's demo run) shows no chip. test_web_precision.sh runs it on an
// int8 run.

export async function run(t) {
  const detail = JSON.parse((await t.get(`/api/v1/runs/${t.runId}`)).body.toString());
  const precision = detail.options && detail.options.precision;
  for (const page of ['metrics', 'inspect', 'loss']) {
    await t.goto(page);
    await t.expectText('#run-info', /sentences/);
    const chip = t.page.locator('#run-info [data-role=precision]');
    if (!precision) {
      t.assert(await chip.count() === 0, `${page}: a precision chip on an fp32 run`);
      continue;
    }
    t.assert(await chip.innerText() === precision, `${page}: the chip says ${precision}`);
    t.assert(/not exact/.test(await chip.getAttribute('title')), `${page}: the chip's title says why`);
  }
  if (!precision) return;
  await t.goto('debug');
  await t.expectText('table[data-role=options] tr[data-key="precision"]', new RegExp(precision));
  await t.shot('precision');
}
