// navigation.spec.mjs - leaving a page and coming back starts it clean: each
// render keeps its state in its own closure, so what was typed on a page (a
// grid's header filter, probing texts) is gone when the sidebar brings the
// page back; a page that was left stops acting: Inspect's arrow keys do
// nothing on another page, and Find Duplicates' pending slider search does
// not rewrite the next page's URL. Pages are switched with the sidebar's
// links (hash changes inside one document, as a person does), not reloads.

/** Follow the sidebar link of page id and wait until it has rendered. */
async function nav(t, id) {
  await t.page.evaluate(() => document.querySelectorAll('[data-page-ready]')
    .forEach((e) => e.removeAttribute('data-page-ready')));
  await t.page.click(`#nav a[data-page="${id}"]`);
  await t.page.waitForSelector(`[data-page-ready="${id}"]`);
}

const hashOf = (t) => new URL(t.page.url()).hash;

async function gridFilter(t) {
  const status = '[data-role="word-grid"] .grid-status';
  const filter = '[data-role="word-grid"] .tabulator-header-filter input';
  await t.goto('#/loss');
  const all = await t.expectText(status, /^[\d,]+ rows$/);
  await t.page.locator(filter).pressSequentially('zzzz-no-such-word');
  await t.expectText(status, /^0 rows$/);
  await nav(t, 'metrics');
  await nav(t, 'loss');
  t.assert(await t.page.locator(filter).inputValue() === '', 'the header filter is empty again');
  await t.expectText(status, new RegExp(`^${all}$`));
}

async function probingTexts(t) {
  await t.goto('#/probing');
  await t.expectText('.probe-summary', /^2 texts/);
  const examples = await t.page.locator('textarea').inputValue();
  await t.page.fill('textarea', 'Alice visited Rome .');
  await t.page.click('button:has-text("Probe")');
  await t.expectText('.probe-summary', /^1 text,/);
  await nav(t, 'debug');
  await nav(t, 'probing');
  await t.expectText('.probe-summary', /^2 texts/);
  t.assert(await t.page.locator('textarea').inputValue() === examples, 'the example texts are back');
  t.assert(await t.page.locator('.probe-item').count() === 2, 'the examples are probed, not the typed text');
}

async function inspectKeys(t) {
  await t.goto('#/inspect?sentence=5');
  await t.expectText('[data-role="sentence"] h2', /^Sentence #5$/);
  await nav(t, 'metrics');
  const hash = hashOf(t);
  await t.page.keyboard.press('ArrowRight');
  await t.page.waitForTimeout(300);
  t.assert(hashOf(t) === hash, `the arrow key does nothing on Metrics: ${hash} -> ${hashOf(t)}`);
  await nav(t, 'inspect');
  await t.expectText('[data-role="sentence"] h2', /^Sentence #0$/);
  // One handler per render: one key press is one step, not one per visit.
  await t.page.keyboard.press('ArrowRight');
  await t.expectText('[data-role="sentence"] h2', /^Sentence #1$/);
  await t.page.waitForTimeout(300);
  await t.expectText('[data-role="sentence"] h2', /^Sentence #1$/);
  t.assert(/[?&]sentence=1(&|$)/.test(hashOf(t)), `sentence=1 in the hash: ${hashOf(t)}`);
}

async function duplicatesTimer(t) {
  await t.goto('#/duplicates');
  await t.expectText('.dup-summary', /Jaccard ≥ 0\.50/);
  // Dragging the slider searches 250 ms after the last move; leave before that.
  await t.page.$eval('input[type="range"]', (s) => {
    s.value = '0.4';
    s.dispatchEvent(new Event('input', {bubbles: true}));
  });
  await nav(t, 'debug');
  await t.page.waitForTimeout(600);
  t.assert(/^#\/debug\?run=\d+$/.test(hashOf(t)), `the left page does not touch the URL: ${hashOf(t)}`);
  t.assert(await t.page.locator('section[data-page="duplicates"]').count() === 0, 'Find Duplicates is gone');
}

export async function run(t) {
  await gridFilter(t);
  await probingTexts(t);
  await inspectKeys(t);
  await duplicatesTimer(t);
}
