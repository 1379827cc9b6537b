// parity.mjs - ExplaiNER's C tokenizer (through tokdump) against Hugging Face
// tokenizers on real sentences plus generated hard cases, for WordPiece,
// byte-level BPE and Unigram tokenizers, in word mode (is_split_into_words)
// and raw text mode. Ids, byte offsets and word ids must be identical (offsets
// compared in characters, the reference's unit; see reference.mjs). One unit
// per tokenizer x mode; the last stdout line is "N passed, N failed"; exit
// status 1 on any mismatch.
//
// The material: the repository's (demo/eval.conll's sentences, the demo model's
// WordPiece, BPE and Unigram trained on the demo text), or with --shared DIR
// CoNLL-2003's (test sentences, conll03-bert-mini's WordPiece, trainers on train).
//
//   node parity.mjs --tokdump BIN [--source DIR] [--shared DIR] [--out DIR]
//                   [--only NAME[:MODE],..] [--show N] [--extra N]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import tk from 'tokenizers';
import { readConll, extraTextLines, extraWordLines } from './corpus.mjs';
import { bytesToChars, referenceText, referenceWords } from './reference.mjs';
import { buildSlowFolders } from './slow.mjs';
import { buildTokenizers } from './train.mjs';

function parseArgs(argv) {
  const opt = {
    tokdump: process.env.TOKDUMP,
    source: join(dirname(fileURLToPath(import.meta.url)), '..', '..'),
    shared: null,
    out: process.env.XNR_BINARY_DIR && join(process.env.XNR_BINARY_DIR, 'tokparity'),
    only: null,
    show: 3,
    extra: 400,
  };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in opt) || argv[i + 1] === undefined) throw new Error(`parity.mjs: bad argument ${argv[i]}`);
    opt[key] = ['show', 'extra'].includes(key) ? Number(argv[i + 1]) : argv[i + 1];
  }
  for (const k of ['tokdump', 'out'])
    if (!opt[k]) throw new Error(`parity.mjs: --${k} is required (or its environment variable)`);
  opt.only = opt.only ? opt.only.split(',') : null;
  return opt;
}

function runTokdump(bin, tokPath, mode, inputPath) {
  const r = spawnSync(bin, [tokPath, `--${mode}`, inputPath], { maxBuffer: 1 << 30, encoding: 'utf8' });
  if (r.error) return { error: `cannot run ${bin}: ${r.error.message}` };
  if (r.status !== 0) {
    const how = r.signal ? `was killed by ${r.signal}` : `exited ${r.status}`;
    return { error: `tokdump ${how}: ${r.stderr.trim().split('\n').slice(0, 12).join('\n')}` };
  }
  return { lines: r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)) };
}

// tokdump's byte offsets in the reference's character units (got.bytes keeps
// the originals for display); returns how many fall inside a character.
function toChars(got, mode, input) {
  if (got.error !== undefined) return 0;
  got.bytes = got.offsets;
  got.offsets = [];
  let midChar = 0;
  got.bytes.forEach((o, i) => {
    const w = got.word_ids[i];
    const s = mode === 'text' ? input : w === null ? null : input[w];
    if (s === null || s === undefined) {
      got.offsets.push(o);
      return;
    }
    const r = bytesToChars(s, [o]);
    midChar += r.midChar;
    got.offsets.push(r.chars[0]);
  });
  return midChar;
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function describeToken(tok, enc, i) {
  if (!enc || i >= (enc.ids?.length ?? 0)) return '-';
  const id = enc.ids[i];
  const w = enc.word_ids[i];
  const bytes = enc.bytes && !same(enc.bytes[i], enc.offsets[i]) ? ` bytes[${enc.bytes[i]}]` : '';
  return `${id} ${JSON.stringify(tok.idToToken(id))} [${enc.offsets[i]}]${bytes} w${w === null ? '-' : w}`;
}

// JSON string with invisible characters (separators, controls, format
// characters, other than the plain space) spelled as \u escapes.
function visible(input) {
  return JSON.stringify(input).replace(/[\p{Z}\p{C}]/gu, (c) =>
    c === ' ' ? c : `\\u${c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}

// A few lines showing one mismatch: the input, which field differs, and the
// tokens around the first difference, expected next to got.
function showMismatch(tok, label, input, exp, got) {
  const out = [`  ${label}: input ${visible(input)}`];
  if (got.error !== undefined) {
    out.push(`    C tokenizer error: ${got.error}`);
    return out.join('\n');
  }
  const fields = ['ids', 'offsets', 'word_ids'].filter((f) => !same(exp[f], got[f]));
  const n = Math.max(exp.ids.length, got.ids.length);
  let first = 0;
  const tokenAt = (e, i) => [e.ids[i], e.offsets[i], e.word_ids[i]];
  while (first < n && same(tokenAt(exp, first), tokenAt(got, first))) first++;
  out.push(`    differs in ${fields.join(', ')}; ${exp.ids.length} tokens expected, ${got.ids.length} got; first difference at token ${first}`);
  for (let i = Math.max(0, first - 2); i < Math.min(n, first + 4); i++)
    out.push(`    ${String(i).padStart(4)}  expected ${describeToken(tok, exp, i).padEnd(36)} got ${describeToken(tok, got, i)}`);
  return out.join('\n');
}

// Unigram's Viterbi sums floating-point scores; two segmentations of a word
// made of the same pieces in another order ("1" "11" vs "11" "1") have
// mathematically equal scores and only rounding picks one, differently in C
// and in the reference. Such an encoding is an equal-score tie, not a
// mismatch: same word ids, and per word the same multiset of token ids.
function equalScoreTie(e, g) {
  if (g.error !== undefined || !same(e.word_ids, g.word_ids) || e.ids.length !== g.ids.length) return false;
  const perWord = (enc) => {
    const m = new Map();
    enc.ids.forEach((id, i) => {
      const w = enc.word_ids[i];
      if (!m.has(w)) m.set(w, []);
      m.get(w).push(id);
    });
    for (const v of m.values()) v.sort((a, b) => a - b);
    return m;
  };
  const a = perWord(e), b = perWord(g);
  for (const [w, ids] of a) if (!same(ids, b.get(w))) return false;
  return true;
}

// Compare one tokenizer in one mode; returns true when every line is identical.
async function compareUnit(opt, t, mode, inputs) {
  const unit = `${t.name} ${mode}`;
  const tok = tk.Tokenizer.fromFile(t.ref ?? t.path);
  const expected = mode === 'words' ? await referenceWords(tok, inputs.items) : await referenceText(tok, inputs.items);
  const got = runTokdump(opt.tokdump, t.path, mode, inputs.path);
  if (got.error) {
    console.log(`${unit}: 0/${inputs.items.length} identical: ${got.error}`);
    return false;
  }
  if (got.lines.length !== expected.length) {
    console.log(`${unit}: tokdump wrote ${got.lines.length} lines for ${expected.length} inputs`);
    return false;
  }
  const bad = [];
  let midChar = 0;
  expected.forEach((e, i) => {
    midChar += toChars(got.lines[i], mode, inputs.items[i]);
    const g = got.lines[i];
    if (g.error !== undefined || !same(e, { ids: g.ids, offsets: g.offsets, word_ids: g.word_ids })) bad.push(i);
  });
  const ties = /^(unigram|slow-xlmr|slow-deberta)/.test(t.name) ? bad.filter((i) => equalScoreTie(expected[i], got.lines[i])) : [];
  for (const i of ties) bad.splice(bad.indexOf(i), 1);
  const nReal = inputs.nReal;
  const badReal = bad.filter((i) => i < nReal).length;
  console.log(
    `${unit}: ${expected.length - bad.length}/${expected.length} identical` +
      ` (${inputs.name} ${nReal - badReal}/${nReal}, generated ${expected.length - nReal - (bad.length - badReal)}/${expected.length - nReal})`,
  );
  if (midChar) console.log(`  note: ${midChar} C byte offsets fall inside a UTF-8 character (compared after the crate's byte->char rule)`);
  if (ties.length)
    console.log(`  note: ${ties.length} equal-score Unigram ties (same pieces per word, other order; rounding decides), e.g. ${visible(inputs.items[ties[0]])}`);
  for (const i of bad.slice(0, opt.show)) {
    const label = i < nReal ? `${inputs.name} sentence ${i}` : `generated line ${i - nReal}`;
    console.log(showMismatch(tok, label, inputs.items[i], expected[i], got.lines[i]));
  }
  const spmOk = t.spm ? compareSpm(opt, t, mode, inputs, got.lines, new Set(bad)) : true;
  return bad.length === 0 && spmOk;
}

// Two id lists that differ only by the order of pieces inside spans: every
// maximal run where they differ holds the same multiset on both sides.
function reorderedTie(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; ) {
    if (a[i] === b[i]) {
      i++;
      continue;
    }
    let j = i;
    const x = [], y = [];
    do {
      x.push(a[j]);
      y.push(b[j]);
      j++;
    } while (j < a.length && !same([...x].sort(), [...y].sort()));
    if (!same(x.sort(), y.sort())) return false;
    i = j;
  }
  return true;
}

// The ids of a converted .model against sentencepiece's own (spm_reference.py).
// Lines holding an added token's text are left out: the converted tokenizer
// matches "<mask>" there as one token, sentencepiece reads it as text. Every
// real sentence must match. A generated line may differ where transformers'
// converted tokenizer itself differs from sentencepiece (its Strip removes
// Unicode whitespace such as U+2028 at the ends that sentencepiece keeps; a
// literal "▁" in the input), but only when C equals the converted tokenizer
// there (bindingBad: the lines the unit above found different).
function compareSpm(opt, t, mode, inputs, got, bindingBad) {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'spm_reference.py');
  const r = spawnSync('/usr/bin/python3', [script, t.spm.model, t.spm.layout, mode, inputs.path], { maxBuffer: 1 << 30, encoding: 'utf8' });
  const unit = `${t.name} ${mode} vs sentencepiece`;
  if (r.status !== 0) {
    console.log(`${unit}: spm_reference.py failed (python3-sentencepiece installed? scripts/setup.sh --test): ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
    return false;
  }
  const expected = r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
  const added = JSON.parse(readFileSync(t.ref, 'utf8')).added_tokens.map((a) => a.content);
  const text = (i) => (mode === 'words' ? inputs.items[i].join(' ') : inputs.items[i]);
  let n = 0;
  let ties = 0;
  let converter = 0;
  const bad = [];
  expected.forEach((e, i) => {
    if (added.some((a) => text(i).includes(a))) return;
    n++;
    if (got[i].error === undefined && same(e, got[i].ids)) return;
    if (got[i].error === undefined && reorderedTie(e, got[i].ids)) ties++;
    else if (i >= inputs.nReal && !bindingBad.has(i)) converter++;
    else bad.push(i);
  });
  const nReal = Math.min(inputs.nReal, expected.length);
  const badReal = bad.filter((i) => i < inputs.nReal).length;
  console.log(`${unit}: ${n - bad.length - converter}/${n} identical ids (${inputs.name} ${nReal - badReal}/${nReal}; ${expected.length - n} lines with added-token text left out)`);
  if (converter) console.log(`  note: ${converter} generated lines where sentencepiece differs from transformers' converted tokenizer, which C equals there`);
  if (ties) console.log(`  note: ${ties} equal-score Unigram ties (the same pieces in another order inside a span, e.g. "0" "00" / "00" "0")`);
  for (const i of bad.slice(0, opt.show))
    console.log(`  input ${visible(text(i))}\n    sentencepiece ${JSON.stringify(expected[i])}\n    C             ${JSON.stringify(got[i].ids ?? got[i].error)}`);
  return bad.length === 0;
}

function writeInputs(opt, name, sentences) {
  const wordItems = [...sentences, ...extraWordLines(sentences, opt.extra)];
  const textItems = [...sentences.map((s) => s.join(' ')), ...extraTextLines(sentences, opt.extra)];
  for (const l of textItems) if (l.includes('\n')) throw new Error('parity.mjs: generated text line holds a newline');
  for (const s of wordItems)
    for (const w of s) if (w === '' || /[ \n]/.test(w)) throw new Error(`parity.mjs: bad word ${JSON.stringify(w)}`);
  const words = { path: join(opt.out, 'inputs.words.txt'), items: wordItems, name, nReal: sentences.length };
  const text = { path: join(opt.out, 'inputs.text.txt'), items: textItems, name, nReal: sentences.length };
  writeFileSync(words.path, wordItems.map((s) => s.join(' ')).join('\n') + '\n');
  writeFileSync(text.path, textItems.join('\n') + '\n');
  return { words, text };
}

// The sentences compared, the trainers' text, the WordPiece tokenizer.json and
// the BPE merges kept (fewer on the small demo text, so that words still split).
function material(opt) {
  if (opt.shared) {
    const conll = join(opt.shared, 'data', 'conll2003');
    return {
      name: 'CoNLL-2003 test',
      test: readConll(join(conll, 'test.txt')),
      train: readConll(join(conll, 'train.txt')),
      wordpiece: join(opt.shared, 'models', 'conll03-bert-mini', 'tokenizer.json'),
      bpeMerges: 6000,
    };
  }
  const demo = join(opt.source, 'demo');
  const test = readConll(join(demo, 'eval.conll'));
  const examples = readFileSync(join(demo, 'examples.txt'), 'utf8')
    .split('\n')
    .map((l) => l.split(' ').filter((w) => w !== ''))
    .filter((s) => s.length);
  return {
    name: 'demo/eval.conll',
    test,
    train: [...test, ...examples],
    wordpiece: join(demo, 'model', 'tokenizer.json'),
    bpeMerges: 2000,
  };
}

async function main() {
  const opt = parseArgs(process.argv);
  mkdirSync(opt.out, { recursive: true });
  const m = material(opt);
  const t0 = Date.now();
  const tokenizers = buildTokenizers(m.train, m.wordpiece, opt.out, m.bpeMerges);
  tokenizers.push(...buildSlowFolders(opt.source, opt.out, tokenizers.find((t) => t.name === 'bpe').path));
  console.log(`trained tokenizers in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${m.test.length} ${m.name} sentences`);
  const inputs = writeInputs(opt, m.name, m.test);
  let passed = 0;
  let failed = 0;
  for (const t of tokenizers) {
    for (const mode of ['words', 'text']) {
      if (opt.only && !opt.only.includes(t.name) && !opt.only.includes(`${t.name}:${mode}`)) continue;
      if (await compareUnit(opt, t, mode, inputs[mode])) passed++;
      else failed++;
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed || !passed ? 1 : 0;
}

main().catch((e) => {
  console.log(`parity.mjs: ${e.stack || e}`);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
});
