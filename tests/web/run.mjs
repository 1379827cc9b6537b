// run.mjs - runs the browser specs (tests/web/specs/*.spec.mjs) against a
// running `explainer serve` in headless Chromium (Debian /usr/bin/chromium,
// npm playwright-core from web/node_modules).
//
//   node tests/web/run.mjs http://127.0.0.1:PORT/?token=TOKEN [spec-name ...]
//
// The address is the one `explainer serve` prints. Each spec's browser context
// starts with the token's cookie, as after a first visit of that address (the
// auth spec makes that visit itself); t.get sends the token as a bearer header.
// Each spec exports `async function run(t)`; t = {page, context, url, token,
// runId, goto(hash), shot(name), shotPath(name), assert(cond, msg),
// expectText(selector, regex), get(path, headers)}. A console error or page error fails the spec (t.errors
// may be emptied by a spec that expects some). Screenshots go to
// $XNR_BINARY_DIR/web-screenshots (or ./web-screenshots). Exit 1 if any spec fails.
// XNR_WEB_WAIT_MS (30 s) bounds each wait for a page or a text, XNR_WEB_SPEC_TIMEOUT_MS
// (90 s) a whole spec.
import {readdirSync, mkdirSync} from 'node:fs';
import {request} from 'node:http';
import {fileURLToPath} from 'node:url';
import {dirname, join} from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const {chromium} = await import(join(here, '../../web/node_modules/playwright-core/index.mjs'));

const printed = process.argv[2] ? new URL(process.argv[2]) : null;
if (!printed) {
  console.error('usage: node run.mjs URL_WITH_TOKEN [spec ...]');
  process.exit(2);
}
const base = printed.origin;
const token = printed.searchParams.get('token') || '';
const only = process.argv.slice(3);
const shotDir = join(process.env.XNR_BINARY_DIR || '.', 'web-screenshots');
mkdirSync(shotDir, {recursive: true});
const SPEC_TIMEOUT_MS = Number(process.env.XNR_WEB_SPEC_TIMEOUT_MS || 90000);
const WAIT_MS = Number(process.env.XNR_WEB_WAIT_MS || 30000);

/** GET path as written (no URL normalisation, no automatic decompression), with the token. */
function get(path, headers = {}) {
  const u = new URL(base);
  const all = token ? {Authorization: `Bearer ${token}`, ...headers} : headers;
  return new Promise((resolve, reject) => {
    const req = request({host: u.hostname, port: u.port, path, method: 'GET', headers: all}, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks)}));
    });
    req.on('error', reject);
    req.setTimeout(10000, () => req.destroy(new Error(`GET ${path}: timed out`)));
    req.end();
  });
}

async function newestRunId() {
  const r = await get('/api/v1/runs');
  const items = JSON.parse(r.body.toString()).items || [];
  return items.length ? items[items.length - 1].id : null;
}

function pageIdOf(hash) {
  return (hash.replace(/^#?\/?/, '').split('?')[0]) || 'home';
}

function makeT(page, context, runId, errors) {
  const t = {
    page, context, url: base, token, runId, get,
    assert(cond, msg) {
      if (!cond) throw new Error(`assertion failed: ${msg}`);
    },
    /** Navigate to hash ("#/metrics?x=1" or "metrics"; run= added if absent) and wait for the render. */
    async goto(hash) {
      let h = hash.startsWith('#') ? hash : '#/' + hash.replace(/^\//, '');
      if (runId && !/[?&]run=/.test(h)) h += (h.includes('?') ? '&' : '?') + 'run=' + runId;
      const id = pageIdOf(h);
      const target = `${base}/${h}`;
      if (page.url().startsWith(base)) {
        await page.evaluate(() => document.querySelectorAll('[data-page-ready]')
          .forEach((e) => e.removeAttribute('data-page-ready')));
        if (page.url() === target) await page.reload();
        else await page.goto(target);
      } else {
        await page.goto(target);
      }
      await page.waitForSelector(`[data-page-ready="${id}"]`, {timeout: WAIT_MS});
      return page.locator(`[data-page-ready="${id}"]`);
    },
    /** Full-page screenshot from the top (sticky bars drawn where they belong). */
    async shot(name) {
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({path: join(shotDir, `${name}.png`), fullPage: true});
    },
    /** Where shot(name) writes: for a screenshot of another page or context. */
    shotPath: (name) => join(shotDir, `${name}.png`),
    /** Wait until selector's text matches re (up to WAIT_MS, as long as for a page to render:
     *  the text may wait on a job); returns the text. */
    async expectText(selector, re) {
      const deadline = Date.now() + WAIT_MS;
      let text = null;
      for (;;) {
        const loc = page.locator(selector).first();
        if (await loc.count()) text = await loc.innerText();
        if (text !== null && re.test(text)) return text;
        if (Date.now() > deadline)
          throw new Error(`${selector}: text ${text === null ? '(no such element)' :
            JSON.stringify(text.slice(0, 300))} does not match ${re}`);
        await page.waitForTimeout(100);
      }
    },
    errors,
  };
  return t;
}

async function runSpec(browser, file, runId) {
  const context = await browser.newContext({viewport: {width: 1440, height: 900}});
  if (token && file !== 'auth.spec.mjs')
    await context.addCookies([{name: `xnr_token_${new URL(base).port}`, value: token, url: base,
      httpOnly: true, sameSite: 'Strict'}]);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console error: ${m.text()} (${m.location().url || '?'})`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.setDefaultTimeout(WAIT_MS);
  const t = makeT(page, context, runId, errors);
  let timer;
  try {
    const spec = await import(join(here, 'specs', file));
    await Promise.race([
      spec.run(t),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${SPEC_TIMEOUT_MS / 1000} s`)), SPEC_TIMEOUT_MS);
      }),
    ]);
    if (errors.length) throw new Error(errors.join('\n  '));
  } catch (e) {
    await page.screenshot({path: join(shotDir, `FAILED-${file.replace(/\.spec\.mjs$/, '')}.png`), fullPage: true})
      .catch(() => {});
    throw e;
  } finally {
    clearTimeout(timer);
    await context.close();
  }
}

const files = readdirSync(join(here, 'specs')).filter((f) => f.endsWith('.spec.mjs')).sort()
  .filter((f) => !only.length || only.includes(f.replace(/\.spec\.mjs$/, '')));
if (!files.length) {
  console.error('no specs to run');
  process.exit(1);
}
const browser = await chromium.launch({
  executablePath: process.env.XNR_CHROMIUM || '/usr/bin/chromium',
  // rebind.test resolves to this machine, as a name rebound by an attacker's DNS
  // would (the auth spec).
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
    '--host-resolver-rules=MAP rebind.test 127.0.0.1'],
});
const runId = await newestRunId();
let pass = 0;
let fail = 0;
for (const f of files) {
  const name = f.replace(/\.spec\.mjs$/, '');
  const t0 = Date.now();
  try {
    await runSpec(browser, f, runId);
    pass++;
    console.log(`PASS ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    fail++;
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
  }
}
await browser.close();
console.log(`${pass} passed, ${fail} failed (screenshots in ${shotDir})`);
process.exit(fail ? 1 : 0);
