// legend.spec.mjs - the key to the inline encoding of sentences, in the
// header of every page that renders them: it opens on a click, draws each
// sign (prediction box, gold chip, dashed predicted-O box, highlight) with
// the same styles as the page's own sentences, in the run's first class.

const PAGES = ['samples', 'random', 'inspect', 'search', 'misclassified', 'issues', 'probing', 'hidden', 'compare'];

/** The computed styles of the key's signs and of the same signs in the page's sentences. */
async function signs(t) {
  return t.page.evaluate(() => {
    const style = (e) => (e ? {border: getComputedStyle(e).borderTopStyle, bg: getComputedStyle(e).backgroundColor} : null);
    const key = document.querySelector('[data-role="encoding-key"]');
    const page = document.querySelector('#content');
    return {
      key: {
        box: style(key.querySelector('.ent:not(.ent-none)')),
        none: style(key.querySelector('.ent-none')),
        gold: style(key.querySelector('.ent-gold')),
        hit: style(key.querySelector('.w-hit')),
      },
      page: {box: style(page.querySelector('.sentence .ent:not(.ent-none)')),
        none: style(page.querySelector('.sentence .ent-none'))},
    };
  });
}

export async function run(t) {
  const classes = JSON.parse((await t.get(`/api/v1/runs/${t.runId}/settings`)).body.toString()).classes;
  for (const id of PAGES) {
    await t.goto(`#/${id}`);
    const key = t.page.locator('[data-role="encoding-key"]');
    t.assert(await key.count() === 1, `${id}: one key`);
    t.assert(!(await key.locator('.legend-key-body').isVisible()), `${id}: closed until asked`);
  }

  await t.goto('#/samples');
  await t.page.waitForSelector('.smp-item .sentence .ent-none');
  // its icon is drawn (an SVG), not a glyph that headless Chromium's fonts lack (an empty box)
  const icon = await t.page.locator('[data-role="encoding-key"] summary svg.key-icon').boundingBox();
  t.assert(icon && icon.width >= 10 && icon.height >= 10, `the key's icon is drawn: ${JSON.stringify(icon)}`);
  t.assert(!/[\u2460-\u24ff]/.test(await t.page.locator('[data-role="encoding-key"] summary').innerText()),
    'no enclosed-alphanumeric glyph in the key');
  await t.page.click('[data-role="encoding-key"] summary');
  const body = t.page.locator('[data-role="encoding-key"] .legend-key-body');
  t.assert(await body.isVisible(), 'the key opens');
  const text = await body.innerText();
  for (const re of [/box: the model.s prediction/, /chip after a word: the gold label/, /dashed box: predicted O/,
    /highlighted: why the sentence is in the list/])
    t.assert(re.test(text), `the key says ${re}: ${text}`);
  t.assert(text.includes(`(${classes[0].name} here)`), `drawn in the first class ${classes[0].name}`);
  const s = await signs(t);
  t.assert(s.key.none.border === 'dashed' && s.key.box.border === 'solid', `box solid, predicted O dashed: ${JSON.stringify(s.key)}`);
  t.assert(s.page.none && s.page.box && s.page.none.border === s.key.none.border && s.page.box.border === s.key.box.border,
    `the page's sentences drawn as the key says: ${JSON.stringify(s)}`);
  t.assert(s.key.hit.bg !== 'rgba(0, 0, 0, 0)', `the highlight is coloured: ${s.key.hit.bg}`);
  await t.shot('legend-key');
  await t.page.click('[data-role="encoding-key"] summary');
  t.assert(!(await body.isVisible()), 'a second click closes it');
}
