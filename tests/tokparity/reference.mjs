// reference.mjs - expected encodings from Hugging Face tokenizers (the Rust
// crate through its official Node binding): ids, offsets, word ids (null for
// special tokens), and the conversion of tokdump's byte offsets into the
// binding's units.
//
// The binding reports offsets in characters (code points), like Python and
// transformers. The Rust crate computes byte offsets and converts them with its
// BytesToCharOffsetConverter: a byte inside a character maps to that character,
// an end at the end of the string to the character count, and offsets it cannot
// map stay as they are. bytesToChars applies the same rule to the C offsets,
// plus one the binding shows: an empty span at the end of the string (the
// byte-level "Ġb" after an lstrip <mask> in "é a<mask>b") is reported at the
// character count, [10, 10] there, where C reports the byte count, [11, 11].
//
// The binding's encode() refuses word lists for is_split_into_words, so word
// input is encoded the way the Rust crate does it for pre-tokenized input: every
// word on its own without special tokens (offsets relative to the word, word id
// = word index), the pieces concatenated, then framed with the post-processor's
// special tokens.

function utf8Len(cp) {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

// Character index of every byte of s, plus whether the byte starts a character.
function byteToChar(s) {
  const index = [];
  const starts = [];
  let i = 0;
  for (const ch of s) {
    const n = utf8Len(ch.codePointAt(0));
    for (let k = 0; k < n; k++) {
      index.push(i);
      starts.push(k === 0);
    }
    i++;
  }
  return { index, starts, nChars: i };
}

// Byte offsets of s -> character offsets, as the Rust crate converts them.
// Also counts offsets that fall inside a character (not on a boundary).
export function bytesToChars(s, offsets) {
  const map = byteToChar(s);
  let midChar = 0;
  const chars = offsets.map(([a, b]) => {
    const len = map.index.length;
    if ((a < len && !map.starts[a]) || (b < len && !map.starts[b])) midChar++;
    if (a === len && b === len) return [map.nChars, map.nChars];
    if (a >= len || a < 0) return [a, b];
    if (b < len && b >= 0) return [map.index[a], map.index[b]];
    const last = b - 1 < len && b - 1 >= 0 ? map.index[b - 1] : map.index[a] + 1;
    return [map.index[a], last + 1];
  });
  return { chars, midChar };
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
    offsets: e.getOffsets(),
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
      const offs = e.getOffsets();
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
