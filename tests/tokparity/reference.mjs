// reference.mjs - expected encodings from Hugging Face tokenizers (the Rust
// crate through its official Node binding), in tokdump's shape: ids, BYTE
// offsets, word ids (null for special tokens).
//
// The binding reports offsets in characters (code points); they are turned into
// UTF-8 byte offsets of the same string here. Its encode() refuses word lists
// for is_split_into_words, so word input is encoded the way the Rust crate does
// it for pre-tokenized input: every word on its own without special tokens
// (offsets relative to the word, word id = word index), the pieces
// concatenated, then framed with the post-processor's special tokens.

function utf8Len(cp) {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

// Byte offset of every code point index of s (one extra entry for the end).
function charToByte(s) {
  const map = [0];
  let b = 0;
  for (const ch of s) {
    b += utf8Len(ch.codePointAt(0));
    map.push(b);
  }
  return map;
}

function byteOffsets(s, offsets) {
  const map = charToByte(s);
  return offsets.map(([a, b]) => [map[a] ?? -1, map[b] ?? -1]);
}

// The special tokens the single-sequence post-processor puts before and after
// the body, found by encoding a probe word with and without them.
async function frameOf(tok) {
  const probe = 'the';
  const full = await tok.encode(probe, null, { addSpecialTokens: true });
  const body = await tok.encode(probe, null, { addSpecialTokens: false });
  const f = full.getIds();
  const b = body.getIds();
  const mask = full.getSpecialTokensMask();
  for (let i = 0; i + b.length <= f.length; i++) {
    const pre = mask.slice(0, i);
    const post = mask.slice(i + b.length);
    if (b.every((id, k) => f[i + k] === id) && [...pre, ...post].every((m) => m === 1))
      return { before: f.slice(0, i), after: f.slice(i + b.length) };
  }
  throw new Error('reference: cannot find the post-processor frame around a probe word');
}

function special(id) {
  return { id, offset: [0, 0], word: null };
}

// Raw text lines, special tokens added.
export async function referenceText(tok, lines) {
  const encs = await tok.encodeBatch(lines, { addSpecialTokens: true });
  return encs.map((e, i) => ({
    ids: e.getIds(),
    offsets: byteOffsets(lines[i], e.getOffsets()),
    word_ids: e.getWordIds().map((w) => (w === undefined ? null : w)),
  }));
}

// Lists of words (is_split_into_words), special tokens added.
export async function referenceWords(tok, sentences) {
  const frame = await frameOf(tok);
  const flat = sentences.flat();
  const encs = await tok.encodeBatch(flat, { addSpecialTokens: false });
  const out = [];
  let k = 0;
  for (const words of sentences) {
    const toks = frame.before.map(special);
    words.forEach((word, w) => {
      const e = encs[k++];
      const offs = byteOffsets(word, e.getOffsets());
      e.getIds().forEach((id, t) => toks.push({ id, offset: offs[t], word: w }));
    });
    toks.push(...frame.after.map(special));
    out.push({
      ids: toks.map((t) => t.id),
      offsets: toks.map((t) => t.offset),
      word_ids: toks.map((t) => t.word),
    });
  }
  return out;
}
