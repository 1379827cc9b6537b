// shell.spec.mjs - the app shell on the demo run: it loads without console
// errors, the sidebar lists the 17 pages in order, the run picker shows the
// demo run, the legend its classes, a missing page says so; the shared
// widgets (inline sentences, job progress + Cancel, a remote grid's paging,
// sorting, filters and column chooser, on faked endpoints); and the static
// file server (traversal refused, gzip, ETag -> 304, caching headers, page
// style sheets served, the lint config not packed); an API failure shows the
// server's message in the page.
import {gunzipSync} from 'node:zlib';

const PAGE_IDS = ['home', 'metrics', 'compare', 'buckets', 'misclassified', 'loss', 'samples', 'issues', 'random',
  'inspect', 'search', 'raw', 'probing', 'hidden', 'activations', 'duplicates', 'debug'];

// The shell alone: every page module but "home" is hidden from this build
// (pages.json faked), so the checks do not depend on the pages' own work.
async function onlyShell(t) {
  await t.page.route('**/app/pages.json', (route) => route.fulfill({json: {pages: ['home']}}));
}

async function sidebarAndPicker(t) {
  await onlyShell(t);
  await t.goto('#/metrics');
  const ids = await t.page.$$eval('#nav a', (as) => as.map((a) => a.dataset.page));
  t.assert(JSON.stringify(ids) === JSON.stringify(PAGE_IDS), `sidebar pages in order, got ${ids}`);
  const titles = await t.page.$$eval('#nav a', (as) => as.map((a) => a.innerText.trim()));
  t.assert(titles.includes('Loss by Token/Label') && titles.includes('Find Duplicates'),
    `sidebar titles, got ${titles}`);
  t.assert(await t.page.$$eval('#nav a svg', (s) => s.length) === 17, 'an icon per page');
  const active = await t.page.$eval('#nav a.active', (a) => a.dataset.page);
  t.assert(active === 'metrics', `active page metrics, got ${active}`);
  t.assert(await t.page.$eval('#nav a.active', (a) => a.getAttribute('aria-current')) === 'page',
    'aria-current on the active page');
  t.assert(await t.page.$$eval('#nav a.missing', (as) => as.length) === 16, 'pages not in the build are dimmed');
  await t.expectText('#run', new RegExp(`#${t.runId} · demo/model on eval\\.conll`));
  const selected = await t.page.$eval('#run', (s) => s.value);
  t.assert(Number(selected) === t.runId, `picker selects run ${t.runId}, got ${selected}`);
  t.assert(/[?&]run=\d+/.test(t.page.url()), `the hash carries run=, got ${t.page.url()}`);
  const legend = await t.page.$$eval('#legend .legend-name', (xs) => xs.map((x) => x.innerText.trim()));
  t.assert(JSON.stringify(legend) === JSON.stringify(['PER', 'ORG', 'LOC', 'MISC']),
    `legend PER ORG LOC MISC, got ${legend}`);
  const per = await t.page.$eval('#legend .swatch', (s) => getComputedStyle(s).backgroundColor);
  t.assert(per === 'rgb(228, 26, 28)', `PER is Set1 red, got ${per}`);
  await t.expectText('#run-info', /344 sentences/);
  await t.expectText('#page-title', /^Metrics$/);
  await t.expectText('#page-desc', /confusion matrix/);
  await t.expectText('[data-page-ready="metrics"]', /This page is not available in this build/);
  await t.shot('shell');
  // Links keep the run; following one re-renders the shell for that page.
  await t.page.click('#nav a[data-page="debug"]');
  await t.page.waitForSelector('[data-page-ready="debug"]');
  t.assert(new RegExp(`#/debug\\?run=${t.runId}$`).test(t.page.url()), `nav link keeps run=, got ${t.page.url()}`);
  await t.expectText('#page-title', /^Debug$/);
}

async function missingPages(t) {
  const sec = await t.goto('#/nosuchpage');
  await t.expectText('[data-page-ready="nosuchpage"]', /not available in this build/);
  await t.expectText('#page-title', /^Unknown page$/);
  t.assert(await sec.count() === 1, 'the page section is marked ready');
  const avail = JSON.parse((await t.get('/app/pages.json')).body.toString()).pages;
  t.assert(Array.isArray(avail) && avail.every((p) => PAGE_IDS.includes(p)),
    `pages.json lists page ids, got ${avail}`);
  await t.goto('#/debug?run=999999');
  await t.expectText('#banner', /no run #999999/);
  await t.page.click('#banner .banner-close');
  t.assert(await t.page.$eval('#banner', (b) => b.hidden), 'the banner can be dismissed');
}

async function inlineRendering(t) {
  await t.goto('#/nosuchpage');
  const r = await t.page.evaluate(async () => {
    const m = await import('/app/lib/inline.js');
    const render = m.makeRenderSentence([
      {name: 'PER', color: '#e41a1c', icon: 'P'}, {name: 'ORG', color: '#4daf4a', icon: ''}]);
    const words = [
      {text: 'Yesterday', gold: 'O', pred: 'O', prob_pred: 0.99, loss: 0.01},
      {text: 'Samir', gold: 'B-PER', pred: 'B-PER', prob_pred: 0.97, loss: 0.03},
      {text: 'Haddadin', gold: 'I-PER', pred: 'I-PER', prob_pred: 0.95, loss: 0.05},
      {text: 'met', gold: 'O', pred: 'O', prob_pred: 0.99, loss: 0.01},
      {text: 'Acme', gold: 'B-ORG', pred: 'B-PER', prob_pred: 0.6, loss: 1.2,
        top: [{label: 'B-PER', p: 0.6}, {label: 'B-ORG', p: 0.3}, {label: 'O', p: 0.05}]},
      {text: 'Paris', gold: 'B-LOC', pred: 'O', prob_pred: 0.7, loss: 2.5},
    ];
    const node = render(words);
    document.querySelector('#page-host').append(node);
    const ents = [...node.querySelectorAll('.ent')];
    return {
      n: ents.length,
      first: [ents[0].firstChild.className, ents[0].firstChild.textContent,
        ...[...ents[0].querySelectorAll('.w')].map((w) => w.textContent)].join(' '),
      firstColor: getComputedStyle(ents[0].querySelector('.w')).color,
      wrongBoxes: [...node.querySelectorAll('.ent-gold')].map((b) => [b.innerText.trim(), getComputedStyle(b).backgroundColor]),
      title: ents[1].querySelector('.w').hasAttribute('title'),
      tip: ents[1].querySelector('.w').id = 'tip-word',
      plain: node.querySelectorAll('.ent .w').length,
    };
  });
  t.assert(r.n === 3, `3 entity boxes (continuation shares its box), got ${r.n}`);
  t.assert(r.first === 'ent-icon P Samir Haddadin', `icon on the first token, got ${JSON.stringify(r.first)}`);
  t.assert(r.firstColor === 'rgb(228, 26, 28)', `text in the predicted class colour, got ${r.firstColor}`);
  t.assert(JSON.stringify(r.wrongBoxes) === JSON.stringify([['ORG', 'rgb(77, 175, 74)'], ['LOC', 'rgb(153, 153, 153)']]),
    `gold boxes after wrong words, got ${JSON.stringify(r.wrongBoxes)}`);
  // the styled hover card, not the browser's tooltip: gold, prediction, p, loss and the top labels
  t.assert(r.title === false, 'no native title tooltip on a word');
  await t.page.hover('#tip-word');
  const card = await t.expectText('[data-role="hovercard"]', /Acme/);
  t.assert(/gold\s*B-ORG/.test(card) && /prediction\s*B-PER/.test(card) && /0\.600/.test(card) && /loss\s*1\.200/.test(card),
    `hover card, got ${JSON.stringify(card)}`);
  const top = await t.page.locator('[data-role="hovercard"] [data-role="top-labels"] .hc-bar-row').allInnerTexts();
  t.assert(JSON.stringify(top.map((x) => x.split(/\s+/).join(' '))) === JSON.stringify(['B-PER 0.600', 'B-ORG 0.300', 'O 0.050']),
    `the three most likely labels, got ${JSON.stringify(top)}`);
  const box = await t.page.$eval('[data-role="hovercard"]', (c) => {
    const b = c.getBoundingClientRect();
    const w = document.querySelector('#tip-word').getBoundingClientRect();
    return {near: Math.abs(b.top - w.bottom) < 12 || Math.abs(w.top - b.bottom) < 12, inside: b.right <= innerWidth};
  });
  t.assert(box.near && box.inside, `the card sits by the word, in the window: ${JSON.stringify(box)}`);
  await t.page.keyboard.press('Escape');
  t.assert(await t.page.$eval('[data-role="hovercard"]', (c) => c.hidden), 'Esc hides the card');
}

async function staticFiles(t) {
  for (const path of ['/app/../../etc/passwd', '/app/%2e%2e/x', '/app/%2e%2e/%2e%2e/etc/passwd',
    '/vendor/../app/app.js', '/app/..%2f..%2fetc/passwd', '/app//etc/passwd']) {
    const r = await t.get(path);
    t.assert(r.status >= 400 && r.status < 500, `${path}: want 4xx, got ${r.status}`);
    t.assert(!/root:/.test(r.body.toString()), `${path}: leaked a file`);
  }
  for (const path of ['/app/.hidden.js', '/app/node_modules/playwright-core/package.json',
    '/app/assets.cmake', '/app/package.json.bak', '/vendor/nothing.js', '/app/pages/nosuchpage.js']) {
    const r = await t.get(path);
    t.assert(r.status === 404, `${path}: want 404, got ${r.status}`);
  }
  const index = await t.get('/');
  t.assert(index.status === 200 && /text\/html/.test(index.headers['content-type']), '/ is index.html');
  t.assert(index.headers['cache-control'] === 'no-cache', `index.html revalidates, got ${index.headers['cache-control']}`);
  const raw = await t.get('/app/app.js');
  t.assert(raw.status === 200 && !raw.headers['content-encoding'], 'app.js raw without Accept-Encoding');
  t.assert(/text\/javascript/.test(raw.headers['content-type']), `app.js MIME, got ${raw.headers['content-type']}`);
  const gz = await t.get('/app/app.js', {'Accept-Encoding': 'gzip, deflate, br'});
  if (gz.headers['content-encoding'] === 'gzip') {
    t.assert(gunzipSync(gz.body).equals(raw.body), 'gzip body inflates to the file');
    t.assert(gz.body.length < raw.body.length, 'gzip is smaller');
  } else {
    t.assert(process.env.XNR_ASSETS_DIR, 'packed assets are sent gzipped when asked');
  }
  const etag = gz.headers.etag;
  t.assert(/^"[0-9a-f]{8,}(-gz)?"$/.test(etag || ''), `ETag, got ${etag}`);
  const again = await t.get('/app/app.js', {'Accept-Encoding': 'gzip', 'If-None-Match': etag});
  t.assert(again.status === 304 && again.body.length === 0, `If-None-Match -> 304, got ${again.status}`);
  const other = await t.get('/app/app.js', {'If-None-Match': '"0000"'});
  t.assert(other.status === 200, `a different ETag -> 200, got ${other.status}`);
  const sheet = await t.get('/app/pages/metrics.css');
  t.assert(sheet.status === 200 && /text\/css/.test(sheet.headers['content-type']), 'a page style sheet is CSS');
  if (!process.env.XNR_ASSETS_DIR)
    t.assert((await t.get('/app/eslint.config.js')).status === 404, 'the lint config is not packed');
  const vendor = await t.get('/vendor/tabulator.min.css', {'Accept-Encoding': 'gzip'});
  t.assert(vendor.status === 200 && /text\/css/.test(vendor.headers['content-type']), 'vendor CSS');
  t.assert(/max-age=\d{5,}/.test(vendor.headers['cache-control']) || process.env.XNR_ASSETS_DIR,
    `vendor files are cached long, got ${vendor.headers['cache-control']}`);
  for (const v of ['/vendor/plotly.min.js', '/vendor/tabulator_esm.min.js']) {
    const r = await t.get(v, {'Accept-Encoding': 'gzip'});
    t.assert(r.status === 200 && r.body.length > 50000, `${v}: served`);
  }
}

/** A fake job API: id 777 finishes after three polls; id 778 runs until cancelled. */
async function fakeJobs(t) {
  const seen = {polls: 0, deleted: false};
  const job = (id, state, progress, result = null) => ({id, kind: 'test', state, progress,
    stage: 'testing', error: null, result, elapsed_s: 0.5});
  await t.page.route('**/api/v1/jobs/*', (route) => {
    const req = route.request();
    const id = Number(req.url().split('/').pop());
    if (req.method() === 'DELETE') {
      seen.deleted = true;
      return route.fulfill({json: job(id, 'cancelled', 0.5)});
    }
    seen.polls++;
    if (id === 777)
      return route.fulfill({json: seen.polls < 3 ? job(id, 'running', seen.polls / 3) : job(id, 'done', 1, {answer: 42})});
    return route.fulfill({json: job(id, seen.deleted ? 'cancelled' : 'running', 0.5)});
  });
  return seen;
}

async function jobs(t) {
  await t.goto('#/nosuchpage');
  const seen = await fakeJobs(t);
  const done = await t.page.evaluate(async () => {
    const {waitJob} = await import('/app/lib/jobs.js');
    const host = document.querySelector('#page-host');
    const widths = [];
    const result = await waitJob(Promise.resolve({job: {id: 777, state: 'queued', progress: 0}}), {
      el: host, onProgress: () => widths.push(host.querySelector('.job .progress-fill').style.width),
    });
    return {result, widths, left: host.querySelectorAll('.job').length};
  });
  t.assert(done.result && done.result.answer === 42, `job result, got ${JSON.stringify(done.result)}`);
  t.assert(JSON.stringify(done.widths) === JSON.stringify(['0%', '33%', '67%', '100%']),
    `progress bar follows the job, got ${done.widths}`);
  t.assert(done.left === 0, 'the progress box goes away at the end');
  t.assert(seen.polls === 3, `polled 3 times, got ${seen.polls}`);
  await t.page.evaluate(() => {
    window.cancelled = import('/app/lib/jobs.js').then(({waitJob}) =>
      waitJob(Promise.resolve({job: {id: 778, state: 'running', progress: 0.1}}),
        {el: document.querySelector('#page-host')}))
      .then(() => 'finished', (e) => e.name);
  });
  await t.expectText('#page-host .job .progress-label', /testing · 50%/);
  await t.shot('shell-job');
  await t.page.click('#page-host .job button');
  const cancelled = await t.page.evaluate(() => window.cancelled);
  t.assert(cancelled === 'JobCancelled' && seen.deleted, `Cancel sends DELETE and ends the wait, got ${cancelled}`);
  await t.page.unroute('**/api/v1/jobs/*');
}

/** A remote grid against a fake table endpoint: paging, sorting, filters, column chooser. */
async function grids(t) {
  await t.goto('#/nosuchpage');
  const asked = [];
  await t.page.route('**/api/v1/fake/rows*', (route) => {
    const q = new URL(route.request().url()).searchParams;
    asked.push(Object.fromEntries(q));
    const offset = Number(q.get('offset'));
    const items = Array.from({length: Math.min(Number(q.get('limit')), 120 - offset)},
      (_, i) => ({id: offset + i, text: `word${offset + i}`, loss: (offset + i) / 10, other: 'x'}));
    route.fulfill({json: {total: 120, limit: Number(q.get('limit')), offset, items}});
  });
  await t.page.evaluate(async () => {
    const {grid} = await import('/app/lib/grid.js');
    const host = document.createElement('div');
    host.id = 'fake-grid';
    document.querySelector('#page-host').append(host);
    window.fakeGrid = grid(host, {
      url: '/api/v1/fake/rows', params: {kind: 'w'},
      columns: [
        {title: 'Text', field: 'text', sortKey: 'text', headerFilter: 'input', filterKey: 'q'},
        {title: 'Loss', field: 'loss', format: 'num', sortKey: 'loss'},
        {title: 'Other', field: 'other'},
      ],
    });
  });
  const row0 = '#fake-grid .tabulator-row:first-child [tabulator-field="text"]';
  await t.expectText(row0, /^word0$/);
  await t.expectText('#fake-grid .grid-status', /^120 rows$/);
  t.assert(asked[0].limit === '50' && asked[0].offset === '0' && asked[0].kind === 'w' && !asked[0].sort,
    `first page query, got ${JSON.stringify(asked[0])}`);
  await t.page.click('#fake-grid .tabulator-page[data-page="next"]');
  await t.expectText(row0, /^word50$/);
  t.assert(asked.at(-1).offset === '50', `next page offset, got ${JSON.stringify(asked.at(-1))}`);
  await t.page.click('#fake-grid .tabulator-col[tabulator-field="loss"] .tabulator-col-title');
  await t.page.waitForTimeout(300);
  const sorted = asked.at(-1);
  t.assert(sorted.sort === 'loss' && /^(asc|desc)$/.test(sorted.order),
    `header click sorts on the server, got ${JSON.stringify(sorted)}`);
  const n = asked.length;
  await t.page.click('#fake-grid .tabulator-col[tabulator-field="other"] .tabulator-col-title');
  await t.page.waitForTimeout(300);
  t.assert(asked.length === n, 'a column without a sort key does not sort');
  // Typed as a person does: Tabulator's header filters listen to key events.
  await t.page.locator('#fake-grid .tabulator-col[tabulator-field="text"] input').pressSequentially('word7');
  await t.page.waitForTimeout(1200);
  t.assert(asked.at(-1).q === 'word7', `header filter goes to the server, got ${JSON.stringify(asked.at(-1))}`);
  await t.page.click('#fake-grid .col-chooser button');
  await t.page.locator('#fake-grid .col-menu label', {hasText: 'Other'}).locator('input').uncheck();
  const visible = await t.page.$$eval('#fake-grid .tabulator-col[tabulator-field]',
    (cs) => cs.filter((c) => c.offsetParent !== null).map((c) => c.getAttribute('tabulator-field')));
  t.assert(!visible.includes('other') && visible.includes('text'), `column chooser hides, got ${visible}`);
  await t.page.click('#page-title');
  t.assert(await t.page.$eval('#fake-grid .col-menu', (m) => m.hidden), 'the chooser closes on an outside click');
  await t.shot('shell-grid');
  await t.page.unroute('**/api/v1/fake/rows*');
}

/** An API failure while loading the run: the server's message in the page, still marked ready. */
async function apiError(t) {
  await t.page.route(`**/api/v1/runs/${t.runId}`, (route) => route.fulfill({status: 500,
    json: {error: {status: 500, code: 'internal_error', message: 'run database: disk I/O error (test)'}}}));
  await t.page.evaluate(() => document.querySelectorAll('[data-page-ready]')
    .forEach((e) => e.removeAttribute('data-page-ready')));
  await t.page.reload();
  await t.page.waitForSelector('[data-page-ready]');
  await t.expectText('[data-page-ready] .error-box', /The server said \(HTTP 500\): run database: disk I\/O error \(test\)/);
  await t.shot('shell-error');
  // The browser logs the 500 itself; that one was asked for.
  const expected = (e) => /status of 500/.test(e);
  t.assert(t.errors.every(expected), `only the faked 500 was logged, got ${t.errors}`);
  t.errors.length = 0;
  await t.page.unroute(`**/api/v1/runs/${t.runId}`);
}

export async function run(t) {
  await sidebarAndPicker(t);
  await missingPages(t);
  await inlineRendering(t);
  await jobs(t);
  await grids(t);
  await staticFiles(t);
  await apiError(t);
}
