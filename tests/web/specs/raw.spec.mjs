// raw.spec.mjs - Raw data on the demo run: the sub-token and word grids are
// paged by the server (row counts of the run, the first rows of sentence 0,
// IGN on continuation sub-tokens), sort by loss, and each "Download CSV"
// gives the whole table as CSV with the right header (Playwright's download
// event, the file read back).
import {readFileSync} from 'node:fs';

async function json(t, path) {
  const r = await t.get(`/api/v1/runs/${t.runId}/${path}`);
  t.assert(r.status === 200, `${path}: HTTP ${r.status}`);
  return JSON.parse(r.body.toString());
}

const HEADERS = {
  tokens: 'sentence_id,idx,token_id,text,word_idx,start,end,is_first,gold,pred,prob_pred,loss,entropy',
  words: 'sentence_id,idx,text,gold,pred,prob_pred,prob_gold,loss,entropy,first_token',
};

async function download(t, table, n) {
  const card = `[data-role="${table}"]`;
  const [dl] = await Promise.all([t.page.waitForEvent('download'), t.page.click(`${card} [data-role="download"]`)]);
  t.assert(dl.suggestedFilename() === `run${t.runId}-${table}.csv`, `file name ${dl.suggestedFilename()}`);
  const text = readFileSync(await dl.path(), 'utf8');
  const lines = text.split('\r\n');
  t.assert(lines[0] === HEADERS[table], `${table}.csv header: ${lines[0]}`);
  t.assert(lines.length - 2 === n && lines[lines.length - 1] === '', `${table}.csv has ${n} rows, got ${lines.length - 2}`);
  t.assert(lines[1].startsWith('0,0,'), `first row is sentence 0, item 0: ${lines[1]}`);
}

export async function run(t) {
  const run = await json(t, '');
  const s0 = await json(t, 'sentences/0');
  await t.goto('#/raw');
  for (const [table, n] of [['tokens', run.n_tokens], ['words', run.n_words]]) {
    const card = `[data-role="${table}"]`;
    await t.expectText(`${card} .grid-status`, new RegExp(`^${n.toLocaleString('en-US')} rows$`));
    const texts = await t.page.locator(`${card} .tabulator-row .tabulator-cell[tabulator-field="text"]`).allInnerTexts();
    const exp = s0[table].map((x) => x.text).slice(0, 25);
    t.assert(JSON.stringify(texts.slice(0, exp.length)) === JSON.stringify(exp), `${table}: sentence 0 first: ${texts.slice(0, 5)}`);
  }
  const gold = await t.page.locator('[data-role="tokens"] .tabulator-row .tabulator-cell[tabulator-field="gold"]').allInnerTexts();
  t.assert(gold.slice(0, 25).every((g, i) => g === (s0.tokens[i].is_first ? s0.tokens[i].gold : 'IGN')),
    `IGN on continuation sub-tokens: ${gold.slice(0, 6)}`);
  await t.shot('raw');

  // sort the sub-tokens by loss
  const top = (await json(t, 'tokens?sort=loss&limit=1')).items[0];
  await t.page.click('[data-role="tokens"] .tabulator-col[tabulator-field="loss"] .tabulator-col-title');
  await t.expectText('[data-role="tokens"] .tabulator-row .tabulator-cell[tabulator-field="loss"]',
    new RegExp(`^${top.loss.toFixed(3)}$`));
  await t.expectText('[data-role="tokens"] .tabulator-row .tabulator-cell[tabulator-field="text"]',
    new RegExp(`^${top.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));

  await download(t, 'tokens', run.n_tokens);
  await download(t, 'words', run.n_words);
}
