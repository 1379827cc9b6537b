// report_html.mjs - opens the HTML file of `explainer report --html` from disk
// in headless Chromium with the network blocked (the context offline, every
// request but the file itself aborted and counted) and checks that it needs
// nothing else: no request leaves, no console or page error; that every
// section is there with the numbers of the report's JSON (scores with their
// intervals, a bucket chart per attribute with a bar per bucket and run,
// both reliability diagrams, the confusion matrix, the comparison when
// given); then takes a screenshot.
//
//   node tests/web/report_html.mjs REPORT.html REPORT.json SHOT.png
import {fileURLToPath, pathToFileURL} from 'node:url';
import {dirname, join, resolve} from 'node:path';
import {readFileSync} from 'node:fs';

const here = dirname(fileURLToPath(import.meta.url));
const {chromium} = await import(join(here, '../../web/node_modules/playwright-core/index.mjs'));
const [htmlPath, jsonPath, shot] = process.argv.slice(2);
const report = JSON.parse(readFileSync(jsonPath, 'utf8'));
const fileUrl = pathToFileURL(resolve(htmlPath)).href;

const browser = await chromium.launch({
  executablePath: process.env.XNR_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const failures = [];
const check = (cond, msg) => {
  if (!cond) failures.push(msg);
};
try {
  const context = await browser.newContext({viewport: {width: 1280, height: 900}, offline: true});
  const requests = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url === fileUrl) return route.continue();
    requests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    if (r.url() !== fileUrl) requests.push(r.url());
  });
  await page.goto(fileUrl, {waitUntil: 'load'});
  check(!requests.length, `requests beyond the file: ${requests.join(', ')}`);
  check(!errors.length, errors.join('; '));

  const ids = await page.$$eval('h2[id]', (hs) => hs.map((h) => h.id));
  const want = ['scores', 'buckets', 'calibration', 'confusion', 'errors', 'worst'];
  if (report.compare) want.push('compare');
  if (report.gate) want.push('gate');
  for (const id of want) check(ids.includes(id), `section #${id} missing (have ${ids})`);

  const rows = await page.$$eval('#scores + p + table tr', (trs) => trs.slice(1).map((tr) => tr.innerText));
  const names = Object.keys(report.seqeval_default);
  check(rows.length === names.length, `${rows.length} score rows, want ${names.length}`);
  names.forEach((n, i) => {
    const iv = report.intervals[n];
    const f1 = report.seqeval_default[n]['f1-score'].toFixed(4);
    const text = iv ? `${f1} [${iv.lo.toFixed(4)}, ${iv.hi.toFixed(4)}]` : f1;
    check(rows[i] && rows[i].startsWith(n) && rows[i].includes(text), `score row ${n}: "${rows[i]}" wants ${text}`);
  });

  const charts = await page.$$eval('#buckets ~ .charts', (cs) => cs.length ? [...cs[0].querySelectorAll('.chart')]
    .map((c) => [c.querySelector('h3').textContent, c.querySelectorAll('rect').length]) : []);
  const attrs = report.buckets.attributes;
  const nRuns = report.buckets.runs.length;
  check(charts.length === attrs.length, `${charts.length} bucket charts, want ${attrs.length}`);
  attrs.forEach((a, i) => check(charts[i] && charts[i][0] === a.name && charts[i][1] === a.buckets.length * nRuns,
    `chart ${a.name}: ${charts[i]} wants ${a.buckets.length * nRuns} bars`));
  const tip = await page.$eval('#buckets ~ .charts .chart rect title', (t) => t.textContent);
  const b0 = attrs[0].buckets[0];
  check(tip === `${b0.label}: F1 ${b0.runs[0].f1.toFixed(4)} [${b0.runs[0].lo.toFixed(4)}, ${b0.runs[0].hi.toFixed(4)}], ${b0.runs[0].cases} cases`,
    `first bar's title: ${tip}`);

  const diagrams = await page.$$eval('#calibration ~ .charts h3', (hs) => hs.map((h) => h.textContent));
  check(diagrams.length === 2 && diagrams[0].startsWith('words: ECE ' + report.calibration.word.all.ece.toFixed(4)),
    `reliability diagrams: ${diagrams}`);
  const cm = await page.$$eval('#confusion + p + table tr', (trs) => trs.length);
  check(cm === report.confusion.labels.length + 1, `confusion rows ${cm}`);
  if (report.compare) {
    const p = await page.$eval('#compare + p', (x) => x.textContent);
    check(p.includes(`micro F1 A ${report.compare.micro.a.f1.toFixed(4)}, B ${report.compare.micro.b.f1.toFixed(4)}`),
      `comparison: ${p}`);
  }
  await page.screenshot({path: shot, fullPage: true});
  await context.close();
} finally {
  await browser.close();
}
if (failures.length) {
  console.log('FAIL ' + failures.join('\n  '));
  process.exit(1);
}
console.log('PASS the report opens offline, with no request and no error; every section matches the JSON');
