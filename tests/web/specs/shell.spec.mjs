// shell.spec.mjs - the app shell on the demo run: it loads without console
// errors, the sidebar lists the 13 pages in order, the run picker shows the
// demo run, the legend its classes, a missing page says so, the inline
// sentence rendering, and the static file server (traversal refused, gzip,
// ETag -> 304, caching headers).
import {gunzipSync} from 'node:zlib';

const PAGE_IDS = ['home', 'metrics', 'misclassified', 'loss', 'samples', 'random', 'inspect',
  'raw', 'probing', 'hidden', 'activations', 'duplicates', 'debug'];

async function sidebarAndPicker(t) {
  await t.goto('#/home');
  const ids = await t.page.$$eval('#nav a', (as) => as.map((a) => a.dataset.page));
  t.assert(JSON.stringify(ids) === JSON.stringify(PAGE_IDS), `sidebar pages in order, got ${ids}`);
  const titles = await t.page.$$eval('#nav a', (as) => as.map((a) => a.innerText.trim()));
  t.assert(titles.includes('Loss by Token/Label') && titles.includes('Find Duplicates'),
    `sidebar titles, got ${titles}`);
  t.assert(await t.page.$$eval('#nav a svg', (s) => s.length) === 13, 'an icon per page');
  const active = await t.page.$eval('#nav a.active', (a) => a.dataset.page);
  t.assert(active === 'home', `active page home, got ${active}`);
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
  await t.expectText('#page-title', /^Home \/ Setup$/);
  await t.shot('shell');
}

async function missingPages(t) {
  const sec = await t.goto('#/nosuchpage');
  await t.expectText('[data-page-ready="nosuchpage"]', /not available in this build/);
  t.assert(await sec.count() === 1, 'the page section is marked ready');
  const avail = JSON.parse((await t.get('/app/pages.json')).body.toString()).pages;
  t.assert(Array.isArray(avail), 'pages.json lists pages');
  const missing = PAGE_IDS.filter((id) => !avail.includes(id));
  if (missing.length) {
    await t.goto(`#/${missing[0]}`);
    await t.expectText(`[data-page-ready="${missing[0]}"]`, /not available in this build/);
  }
  await t.goto('#/home?run=999999');
  await t.expectText('#banner', /no run #999999/);
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
      {text: 'Acme', gold: 'B-ORG', pred: 'B-PER', prob_pred: 0.6, loss: 1.2},
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
      title: ents[1].querySelector('.w').title,
      plain: node.querySelectorAll('.ent .w').length,
    };
  });
  t.assert(r.n === 3, `3 entity boxes (continuation shares its box), got ${r.n}`);
  t.assert(r.first === 'ent-icon P Samir Haddadin', `icon on the first token, got ${JSON.stringify(r.first)}`);
  t.assert(r.firstColor === 'rgb(228, 26, 28)', `text in the predicted class colour, got ${r.firstColor}`);
  t.assert(JSON.stringify(r.wrongBoxes) === JSON.stringify([['ORG', 'rgb(77, 175, 74)'], ['LOC', 'rgb(153, 153, 153)']]),
    `gold boxes after wrong words, got ${JSON.stringify(r.wrongBoxes)}`);
  t.assert(/gold: B-ORG/.test(r.title) && /prediction: B-PER/.test(r.title) && /0\.600/.test(r.title) &&
    /loss: 1\.200/.test(r.title), `hover text, got ${JSON.stringify(r.title)}`);
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
  const vendor = await t.get('/vendor/tabulator.min.css', {'Accept-Encoding': 'gzip'});
  t.assert(vendor.status === 200 && /text\/css/.test(vendor.headers['content-type']), 'vendor CSS');
  t.assert(/max-age=\d{5,}/.test(vendor.headers['cache-control']) || process.env.XNR_ASSETS_DIR,
    `vendor files are cached long, got ${vendor.headers['cache-control']}`);
  for (const v of ['/vendor/plotly.min.js', '/vendor/tabulator_esm.min.js']) {
    const r = await t.get(v, {'Accept-Encoding': 'gzip'});
    t.assert(r.status === 200 && r.body.length > 50000, `${v}: served`);
  }
}

export async function run(t) {
  await sidebarAndPicker(t);
  await missingPages(t);
  await inlineRendering(t);
  await staticFiles(t);
}
