// debug.spec.mjs - the Debug page on the demo run: server versions, the
// run's provenance, options and timings, the model's config.json (the demo
// model's hidden_size 256) and its tokenizer summary (WordPiece, 9000).

export async function run(t) {
  await t.goto('#/debug');
  await t.expectText('table[data-role=server] tr[data-key="GEMM backend"]', /onednn|openblas/);
  await t.expectText('table[data-role=server] tr[data-key="SQLite"]', /3\.\d+/);
  await t.expectText('table[data-role=run] tr[data-key="sentences"]', /344/);
  await t.expectText('table[data-role=run] tr[data-key="architecture"]', /BertForTokenClassification/);
  await t.expectText('table[data-role=config] tr[data-key="hidden_size"]', /^hidden_size\s+256$/);
  await t.expectText('table[data-role=config] tr[data-key="labels"]', /9/);
  await t.expectText('table[data-role=tokenizer] tr[data-key="model"]', /WordPiece/);
  await t.expectText('table[data-role=tokenizer] tr[data-key="vocabulary"]', /9,000/);
  await t.expectText('table[data-role=timings] tr[data-key="per sentence"]', /\d+\.\d\d ms/);
  await t.expectText('table[data-role=options] tr[data-key="limit"]', /0/);
  await t.page.click('details summary');
  const cfg = JSON.parse(await t.page.$eval('pre[data-role=config-json]', (p) => p.textContent));
  t.assert(cfg.hidden_size === 256 && cfg.id2label['1'] === 'B-PER', 'config.json shown whole');
  await t.shot('debug');
}
