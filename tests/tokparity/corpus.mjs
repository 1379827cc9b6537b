// corpus.mjs - inputs for the tokenizer parity check: CoNLL-2003 sentences
// (first column, sentences split by blank lines, -DOCSTART- skipped) and a
// few hundred generated lines that exercise normalizers, pre-tokenizers and
// added tokens (accents, CJK, emoji, odd whitespace, control characters).
// The CoNLL data is research-licensed: read it at test time, never commit it.
import { readFileSync } from 'node:fs';

// Sentences of a CoNLL file as arrays of words.
export function readConll(path) {
  const sentences = [];
  let cur = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const word = line.trim().split(' ')[0];
    if (word === '') {
      if (cur.length) sentences.push(cur);
      cur = [];
    } else if (word !== '-DOCSTART-') {
      cur.push(word);
    }
  }
  if (cur.length) sentences.push(cur);
  return sentences;
}

// Pieces with no whitespace inside: usable as pre-split words too.
const WORDS = [
  'café', 'naïve', 'Zürich', 'São', 'Ångström', 'façade', 'Dvořák', 'Łódź', 'Straße', 'İstanbul',
  'ΣΙΣΥΦΟΣ', 'Ελλάδα', 'Москва', 'résumé', 'e\u0301te\u0301', 'n\u0303', 'A\u030a',
  '日本語', '東京', '中文字', '北京大学', '𠀀𠀁', '한국어', 'カタカナ', 'ひらがな', '丁目',
  '😀', '👍🏽', '👨‍👩‍👧', '🇩🇪', '❤️', '😀😀😀', 'a😀b', '∑∞≠',
  'Ｈｅｌｌｏ', 'ﬁnance', '①②', 'x²', 'Ⅻ', '…', '½', 'ｶﾀｶﾅ', 'ℌ', '㎏',
  'don\'t', 'it’s', '«quoted»', '“smart”', '—dash—', 'U.S.', '1,234.56', 'e-mail',
  'http://example.com/a?b=c', '#hashtag', '@user', '$5', '100%', '(x)', '[y]', '{z}',
  'العربية', 'עברית', 'हिन्दी', 'ไทย', 'ọ̀', 'Dž', 'ǅ',
  'soft\u00adhyphen', 'zero\u200bwidth', 'joiner\u200djoined', 'bom\ufefftext', 'rep\ufffdchar',
  'ctl\u0001\u0007x', 'esc\u001b[0m', 'del\u007f', 'nel\u0085x', 'nul\u0000x',
  '[MASK]', '[CLS]', '<mask>', '<s>', '</s>', '<unk>', '[UNK]', 'x[MASK]y', 'a<mask>b',
  'Supercalifragilisticexpialidocious', 'a'.repeat(101), 'Ab'.repeat(60), 'Ü'.repeat(50),
  '▁', '▁▁x', 'Ġ', 'ĠHello', '##', '##ing', '\u2581lead',
];

// Whitespace runs: only for raw text (tokdump splits words on single spaces).
const SPACES = [
  ' ', '  ', '\t', ' \t ', '\u00a0', '\u3000', '\u2009', '\u2028', '\r', '\u000b', '\u000c',
  '\u1680', '\u200b', '   ',
];

// Whole lines for raw text, beyond CoNLL-shaped sentences.
const LINES = [
  '', ' ', '   ', '\t', 'a', '.', '😀', '日本', 'Hello [MASK] world', 'Hello <mask> world',
  'Hello  <mask>  world', '<s> x </s>', '[CLS] [SEP]', ' leading space', 'trailing space ',
  '  both  ', 'x\ty\rz', 'ＡＢＣ　ＤＥＦ', 'I said: "hi!"', 'well...', '?!?!', 'a - b -- c',
  'Ï İ ı ß ẞ', 'ǈ ǉ ǋ', 'ﬀ ﬃ ﬄ', '٣٤٥ ۱۲ ๓', 'x\u0301\u0302\u0303', '\u0301start',
  'end\u0301', 'mixed 日本語text here', 'emoji😀inside word', 'ZWJ 👩‍💻 seq',
  'U.S. U.S.A. xU.S. (U.S.)', 'club clubs nightclub ｃｌｕｂ ＣＬＵＢ', 'a <mask> b<mask>c <mask>',
];

// Deterministic PRNG (mulberry32) so every run checks the same lines.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick(r, list) {
  return list[Math.floor(r() * list.length)];
}

// Extra word lists: CoNLL sentences with unusual words mixed in.
export function extraWordLines(sentences, n, seed = 7) {
  const r = rng(seed);
  const out = WORDS.map((w) => [w]);
  while (out.length < n) {
    const words = [...pick(r, sentences)];
    const k = 1 + Math.floor(r() * 3);
    for (let i = 0; i < k; i++)
      words.splice(Math.floor(r() * (words.length + 1)), 0, pick(r, WORDS));
    out.push(words);
  }
  return out;
}

// Extra raw text lines: the fixed lines, then sentences whose words are
// joined by random whitespace runs, with unusual words mixed in.
export function extraTextLines(sentences, n, seed = 11) {
  const r = rng(seed);
  const out = [...LINES];
  while (out.length < n) {
    const words = [...pick(r, sentences)];
    const k = 1 + Math.floor(r() * 3);
    for (let i = 0; i < k; i++)
      words.splice(Math.floor(r() * (words.length + 1)), 0, pick(r, WORDS));
    let line = r() < 0.3 ? pick(r, SPACES) : '';
    words.forEach((w, i) => {
      line += (i ? (r() < 0.5 ? ' ' : pick(r, SPACES)) : '') + w;
    });
    out.push(line);
  }
  return out;
}
