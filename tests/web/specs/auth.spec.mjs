// auth.spec.mjs - who may use the server, in a real browser (issue #14): a
// page opened without the token says how to get the address with it; the
// printed address sets an HttpOnly SameSite=Strict cookie, drops the token
// from the address and the app works; a wrong token is refused; a page
// whose name resolves to 127.0.0.1 (DNS rebinding) is refused even with the
// token; a cross-site page's text/plain POST starts no run.

export async function run(t) {
  const port = new URL(t.url).port;

  // no cookie yet: the page says what to do, the API says 401
  let resp = await t.page.goto(`${t.url}/`);
  t.assert(resp.status() === 401, `/ without the token: 401, got ${resp.status()}`);
  await t.expectText('h1', /needs its access token/);
  await t.expectText('pre', new RegExp(`http://127\\.0\\.0\\.1:${port}/\\?token=`));
  resp = await t.page.goto(`${t.url}/api/v1/runs`);
  t.assert(resp.status() === 401, `/api/v1/runs without the token: 401, got ${resp.status()}`);
  resp = await t.page.goto(`${t.url}/?token=${'0'.repeat(64)}`);
  t.assert(resp.status() === 401, `a wrong token: 401, got ${resp.status()}`);
  t.assert(!(await t.context.cookies()).length, 'no cookie for a wrong token');

  // the printed address: cookie, redirect without the token, the app works
  resp = await t.page.goto(`${t.url}/?token=${t.token}#/debug?run=${t.runId}`);
  t.assert(resp.status() === 200, `the printed address: 200 after its redirect, got ${resp.status()}`);
  t.assert(!t.page.url().includes('token='), `the token leaves the address bar: ${t.page.url()}`);
  await t.page.waitForSelector('[data-page-ready="debug"]');
  await t.expectText('table[data-role=run] tr[data-key="sentences"]', /344/);
  const cookies = await t.context.cookies();
  const c = cookies.find((x) => x.name === `xnr_token_${port}`);
  t.assert(c && c.value === t.token && c.httpOnly && c.sameSite === 'Strict' && c.path === '/',
    `the token's cookie, HttpOnly and SameSite=Strict: ${JSON.stringify(cookies)}`);
  t.assert(!(await t.page.evaluate(() => document.cookie)).includes(t.token),
    'scripts cannot read the token');
  // the page's own POST (same origin, JSON) still works
  const probe = await t.page.evaluate(async () => (await fetch('/api/v1/runs/1/probe', {method: 'POST',
    headers: {'Content-Type': 'application/json'}, body: '{"texts": ["Paris ."]}'})).status);
  t.assert(probe === 200, `the app's own JSON POST: 200, got ${probe}`);

  // DNS rebinding: same address, another name; refused even with the token
  resp = await t.page.goto(`http://rebind.test:${port}/?token=${t.token}`);
  t.assert(resp.status() === 421, `a rebound name: 421, got ${resp.status()}`);

  // a cross-site page posts a "simple" request: no run starts
  const before = JSON.parse((await t.get('/api/v1/jobs')).body.toString()).jobs.length;
  await t.page.route('http://attacker.test/', (route) => route.fulfill({contentType: 'text/html',
    body: '<!doctype html><title>x</title>'}));
  await t.page.goto('http://attacker.test/');
  await t.page.evaluate(async (target) => {
    await fetch(target, {method: 'POST', mode: 'no-cors', credentials: 'include',
      headers: {'Content-Type': 'text/plain'}, body: '{"limit": 3}'}).catch(() => {});
  }, `${t.url}/api/v1/runs`);
  const after = JSON.parse((await t.get('/api/v1/jobs')).body.toString()).jobs.length;
  t.assert(after === before, `a cross-site POST started no job (${before} -> ${after})`);
  // the refusals above are console errors by design
  t.errors.length = 0;
}
