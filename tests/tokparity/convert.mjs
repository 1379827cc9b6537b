// convert.mjs - the slow-to-fast converters of transformers
// (convert_slow_tokenizer.py: RobertaConverter, XLMRobertaConverter,
// DebertaV2Converter, plus what PreTrainedTokenizerFast.__init__ adds: the slow
// class's special tokens and tokenizer_config.json's added_tokens_decoder),
// ported to JavaScript independently of src/tokenizer/convert*.c, with their
// own protobuf reader for the sentencepiece .model. convertFolder(dir) returns
// the tokenizer.json object transformers would save for a folder without
// tokenizer.json; the parity check loads it in the Rust crate's binding and
// compares with the C tokenizer opening the folder itself.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// ---- sentencepiece ModelProto (sentencepiece_model.proto field numbers) ----

function* fields(buf, start, end) {
  let p = start;
  const varint = () => {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (p >= end) throw new Error(`protobuf: varint past the end at byte ${p}`);
      const b = buf[p++];
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
  };
  while (p < end) {
    const key = varint();
    const num = Number(key >> 3n);
    const wt = Number(key & 7n);
    if (wt === 0) yield { num, value: varint() };
    else if (wt === 1) { yield { num, start: p, end: p + 8 }; p += 8; }
    else if (wt === 5) { yield { num, start: p, end: p + 4 }; p += 4; }
    else if (wt === 2) {
      const len = Number(varint());
      if (p + len > end) throw new Error(`protobuf: length past the end at byte ${p}`);
      yield { num, start: p, end: p + len };
      p += len;
    } else throw new Error(`protobuf: wire type ${wt}`);
  }
}

export function readSpm(buf) {
  const m = { pieces: [], modelType: 1, unkId: 0, charsmap: null };
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (const f of fields(buf, 0, buf.length)) {
    if (f.num === 1) {
      const piece = { piece: '', score: 0, type: 1 };
      for (const g of fields(buf, f.start, f.end)) {
        if (g.num === 1) piece.piece = buf.subarray(g.start, g.end).toString('utf8');
        else if (g.num === 2) piece.score = dv.getFloat32(g.start, true);
        else if (g.num === 3) piece.type = Number(g.value);
      }
      m.pieces.push(piece);
    } else if (f.num === 2) {
      for (const g of fields(buf, f.start, f.end)) {
        if (g.num === 3) m.modelType = Number(g.value);
        else if (g.num === 40) m.unkId = Number(BigInt.asIntN(32, g.value));
      }
    } else if (f.num === 3) {
      for (const g of fields(buf, f.start, f.end))
        if (g.num === 2 && g.end > g.start) m.charsmap = Buffer.from(buf.subarray(g.start, g.end));
    }
  }
  return m;
}

// ---- tokenizer_config.json / special_tokens_map.json ----

function readJson(path) {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
}

function config(dir) {
  return { cfg: readJson(join(dir, 'tokenizer_config.json')), map: readJson(join(dir, 'special_tokens_map.json')) };
}

// A special token as transformers reads it: special_tokens_map.json first.
function specialToken(c, key, dflt) {
  const v = c.map[key] ?? c.cfg[key] ?? dflt;
  if (typeof v === 'string') return { content: v };
  return { ...v };
}

// SPECIAL_TOKENS_ATTRIBUTES order of PreTrainedTokenizerBase.
const KEYS = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'];

// The added tokens of the fast tokenizer: `first` (the converter's own), then
// the slow class's specials (a content already there is kept), then
// added_tokens_decoder (which wins).
function addedTokens(c, first, defaults, lstripKey, vocabId, nextId) {
  const list = [...first];
  const has = (content) => list.findIndex((t) => t.content === content);
  KEYS.forEach((key, i) => {
    const t = specialToken(c, key, defaults[i]);
    if (has(t.content) >= 0) return;
    let id = vocabId(t.content);
    if (id === undefined) id = nextId++;
    list.push({
      id, content: t.content, single_word: t.single_word ?? false, lstrip: t.lstrip ?? key === lstripKey,
      rstrip: t.rstrip ?? false, normalized: t.normalized ?? false, special: true,
    });
  });
  for (const [id, v] of Object.entries(c.cfg.added_tokens_decoder ?? {})) {
    const special = v.special ?? true;
    const t = {
      id: Number(id), content: v.content, single_word: v.single_word ?? false, lstrip: v.lstrip ?? false,
      rstrip: v.rstrip ?? false, normalized: v.normalized ?? !special, special,
    };
    const i = has(t.content);
    if (i >= 0) list[i] = t;
    else list.push(t);
  }
  return list;
}

function template(first, firstId, last, lastId, xlmr) {
  const special = (id, t = 0) => ({ SpecialToken: { id, type_id: t } });
  const seq = (id, t = 0) => ({ Sequence: { id, type_id: t } });
  return {
    type: 'TemplateProcessing',
    single: [special(first), seq('A'), special(last)],
    pair: xlmr
      ? [special(first), seq('A'), special(last), special(last), seq('B'), special(last)]
      : [special(first), seq('A'), special(last), seq('B', 1), special(last, 1)],
    special_tokens: {
      [first]: { id: first, ids: [firstId], tokens: [first] },
      [last]: { id: last, ids: [lastId], tokens: [last] },
    },
  };
}

// ---- RobertaConverter ----

export function convertRoberta(dir) {
  const c = config(dir);
  const vocab = JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8'));
  const merges = readFileSync(join(dir, 'merges.txt'), 'utf8')
    .split('\n')
    .slice(1, -1)
    .map((l) => l.split(/[ \t\r\v\f]+/).filter((x) => x !== ''));
  const aps = c.cfg.add_prefix_space ?? false;
  const trim = c.cfg.trim_offsets ?? true;
  const cls = specialToken(c, 'cls_token', '<s>').content;
  const sep = specialToken(c, 'sep_token', '</s>').content;
  const maxId = Math.max(...Object.values(vocab));
  const defaults = ['<s>', '</s>', '<unk>', '</s>', '<pad>', '<s>', '<mask>'];
  return {
    version: '1.0',
    added_tokens: addedTokens(c, [], defaults, 'mask_token', (s) => vocab[s], maxId + 1),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: aps, trim_offsets: true, use_regex: true },
    post_processor: { type: 'RobertaProcessing', sep: [sep, vocab[sep]], cls: [cls, vocab[cls]], trim_offsets: trim, add_prefix_space: aps },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '',
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges,
    },
  };
}

// ---- SpmConverter subclasses ----

export function convertSpm(dir, file, xlmr) {
  const c = config(dir);
  const m = readSpm(readFileSync(join(dir, file)));
  if (m.modelType !== 1) throw new Error(`${file}: model type ${m.modelType} is not Unigram`);
  const vocab = xlmr
    ? [['<s>', 0], ['<pad>', 0], ['</s>', 0], ['<unk>', 0], ...m.pieces.slice(3).map((p) => [p.piece, p.score]), ['<mask>', 0]]
    : m.pieces.map((p) => [p.piece, p.score]);
  const ids = new Map();
  vocab.forEach(([p], i) => ids.has(p) || ids.set(p, i));
  const spmAdded = [];
  for (const p of m.pieces) {
    if ((p.type !== 3 && p.type !== 4) || !ids.has(p.piece) || spmAdded.some((t) => t.content === p.piece)) continue;
    spmAdded.push({ id: ids.get(p.piece), content: p.piece, single_word: false, lstrip: false, rstrip: false, normalized: false, special: p.type === 3 });
  }
  const defaults = xlmr ? ['<s>', '</s>', '<unk>', '</s>', '<pad>', '<s>', '<mask>'] : ['[CLS]', '[SEP]', '[UNK]', '[SEP]', '[PAD]', '[CLS]', '[MASK]'];
  const added = addedTokens(c, spmAdded, defaults, xlmr ? 'mask_token' : null, (s) => ids.get(s), vocab.length);
  const precompiled = m.charsmap ? [{ type: 'Precompiled', precompiled_charsmap: m.charsmap.toString('base64') }] : [];
  const metaspace = { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true };
  let normalizers, preTokenizer;
  if (xlmr) {
    normalizers = [...precompiled, { type: 'Strip', strip_left: false, strip_right: true }, { type: 'Replace', pattern: { Regex: ' {2,}' }, content: '\u2581' }];
    preTokenizer = metaspace;
  } else {
    normalizers = [
      ...(c.cfg.do_lower_case ? [{ type: 'Lowercase' }] : []),
      { type: 'Strip', strip_left: true, strip_right: true },
      ...precompiled,
      { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' },
    ];
    preTokenizer = { type: 'Sequence', pretokenizers: [...(c.cfg.split_by_punct ? [{ type: 'Punctuation', behavior: 'Isolated' }] : []), metaspace] };
  }
  const [cls, sep] = xlmr ? ['<s>', '</s>'] : ['[CLS]', '[SEP]'];
  return {
    version: '1.0',
    added_tokens: added,
    normalizer: { type: 'Sequence', normalizers },
    pre_tokenizer: preTokenizer,
    post_processor: template(cls, ids.get(cls), sep, ids.get(sep), xlmr),
    model: { type: 'Unigram', unk_id: xlmr ? 3 : m.unkId, vocab, byte_fallback: false },
  };
}

// The folder's files in the engine's order of preference (after tokenizer.json).
export function convertFolder(dir) {
  if (existsSync(join(dir, 'vocab.json')) && existsSync(join(dir, 'merges.txt'))) return convertRoberta(dir);
  if (existsSync(join(dir, 'sentencepiece.bpe.model'))) return convertSpm(dir, 'sentencepiece.bpe.model', true);
  if (existsSync(join(dir, 'spm.model'))) return convertSpm(dir, 'spm.model', false);
  throw new Error(`${dir}: no slow tokenizer files`);
}
