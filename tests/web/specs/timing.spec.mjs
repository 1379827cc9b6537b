// timing.spec.mjs - cold time-to-content of every page (issue #10 item 4):
// each page opened in a fresh browser context (no HTTP cache, so the shell,
// its modules and the Plotly bundle all come over the wire) and timed from the
// navigation's start to "content ready": the page's render has settled
// (data-page-ready), no skeleton or aria-busy is left in it and every chart
// has drawn its SVG. The numbers are printed against the goals (Metrics
// 1.5 s, every other page 1 s on the demo run) and asserted against a limit
// of 1.25 times the goal on a quiet machine (a page over it has lost its
// goal, not met it by noise: Hidden States' 1.44 s of WebGL plots fails
// it), scaled up by the load per core (os.loadavg()[0] / cores, from 1 up;
// the two cores of a build machine beside 5 other builds at a load of 12
// give 6x), so a loaded machine does not fail the suite; a page that never
// gets ready within the ceiling (10 s, or a sanitizer build's longer
// XNR_WEB_WAIT_MS) fails it too. Also
// shoots the loading state of Metrics, Hidden States and a grid, with their
// chart library or first rows held back, and checks that without the chart
// library Metrics' chart cards show the error instead.

import {cpus, loadavg} from 'node:os';

const CEILING_MS = Math.max(10000, Number(process.env.XNR_WEB_WAIT_MS || 0));
const GOAL_MS = {metrics: 1500};
const TOLERANCE = 1.25; // the limit on a quiet machine, times the goal
const HOLD_MS = 2500; // how long a held-back response waits while the loading state is shot

/** performance.now() (ms since the navigation's start) when the page's content is ready. */
function readyAt(page) {
  return page.waitForFunction(() => {
    const s = document.querySelector('#page-host > section.page');
    if (!s || !s.dataset.pageReady || s.querySelector('.skeleton, [aria-busy="true"]')) return false;
    for (const p of s.querySelectorAll('.plot')) if (!p.querySelector('.main-svg')) return false;
    return performance.now();
  }, null, {polling: 'raf', timeout: CEILING_MS}).then((h) => h.jsonValue());
}

/** A fresh context with the token's cookie (as run.mjs gives each spec), so nothing is cached. */
async function coldPage(t) {
  const context = await t.context.browser().newContext({viewport: {width: 1440, height: 900}});
  if (t.token) {
    await context.addCookies([{name: `xnr_token_${new URL(t.url).port}`, value: t.token, url: t.url,
      httpOnly: true, sameSite: 'Strict'}]);
  }
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console error: ${m.text()}`);
  });
  return {context, page, errors};
}

async function timePage(t, id) {
  const {context, page, errors} = await coldPage(t);
  try {
    await page.goto(`${t.url}/#/${id}?run=${t.runId}`);
    const ms = await readyAt(page).catch((e) => {
      throw new Error(`${id}: no content within ${CEILING_MS / 1000} s (${e.message.split('\n')[0]})`);
    });
    t.assert(!errors.length, `${id}: ${errors.join('; ')}`);
    return ms;
  } finally {
    await context.close();
  }
}

/** Screenshot page id while the responses matching url are held back, then check it still gets ready. */
async function shootLoading(t, id, url, waitFor, name) {
  const {context, page} = await coldPage(t);
  try {
    await page.route(url, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
      await route.continue().catch(() => {});
    });
    await page.goto(`${t.url}/#/${id}?run=${t.runId}`);
    await page.waitForSelector(waitFor, {timeout: CEILING_MS});
    await page.screenshot({path: t.shotPath(name), fullPage: true});
    await readyAt(page);
  } finally {
    await context.close();
  }
}

/** Without its chart library Metrics still renders: each chart card holds the error, not a skeleton. */
async function errorState(t) {
  const {context, page} = await coldPage(t);
  try {
    await page.route('**/vendor/plotly.min.js', (route) => route.abort());
    await page.goto(`${t.url}/#/metrics?run=${t.runId}`);
    await page.waitForSelector('[data-page-ready="metrics"]', {timeout: CEILING_MS});
    const boxes = await page.$$eval('.m-plot .error-box', (els) => els.map((e) => e.textContent));
    t.assert(boxes.length === 3 && boxes.every((b) => /chart library/.test(b)),
      `each chart card shows the library's failure: ${JSON.stringify(boxes)}`);
    t.assert(!(await page.$('.skeleton, [aria-busy="true"]')), 'no skeleton is left after a failure');
    t.assert(await page.$('[data-role="taxonomy"] .m-cell'), 'the tables are there all the same');
    await page.screenshot({path: t.shotPath('metrics-error'), fullPage: true});
  } finally {
    await context.close();
  }
}

export async function run(t) {
  const ids = JSON.parse((await t.get('/app/pages.json')).body.toString()).pages;
  const order = ['metrics', 'hidden', ...ids.filter((id) => id !== 'metrics' && id !== 'hidden')];
  const rows = [];
  const load = () => loadavg()[0] / cpus().length;
  const loadBefore = load();
  for (const id of order) rows.push([id, await timePage(t, id)]);
  // the higher of the load per core before and after: a load that rose during the run slowed it
  const scale = Math.max(1, loadBefore, load());
  console.log(`  cold time-to-content (ceiling ${CEILING_MS / 1000} s; goal: Metrics 1.5 s, others 1 s; ` +
    `limit ${TOLERANCE} x goal x ${scale.toFixed(1)}, the load per core):`);
  for (const [id, ms] of rows) {
    const goal = GOAL_MS[id] || 1000;
    console.log(`    ${id.padEnd(14)} ${(ms / 1000).toFixed(2).padStart(6)} s${ms > goal ? '  (over the goal)' : ''}`);
  }
  const over = rows.filter(([id, ms]) => ms > TOLERANCE * (GOAL_MS[id] || 1000) * scale);
  t.assert(!over.length, `over the limit: ${over.map(([id, ms]) => `${id} ${(ms / 1000).toFixed(2)} s`).join(', ')}`);

  await shootLoading(t, 'metrics', '**/vendor/plotly.min.js', '[data-role="heatmap"] .skeleton-chart',
    'metrics-loading');
  await shootLoading(t, 'hidden', '**/projection', '.plot-gold .skeleton-chart', 'hidden-loading');
  await shootLoading(t, 'raw', '**/api/v1/runs/*/tokens?*', '.skeleton-lines', 'raw-loading');
  await errorState(t);
}
