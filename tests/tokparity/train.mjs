// train.mjs - build the tokenizers compared by the parity check.
// WordPiece comes from the BERT model of the material (the demo model, or
// conll03-bert-mini; plus an uncased variant of it); byte-level BPE
// (RoBERTa-style) and Unigram + Metaspace (XLM-R-style) are trained at test
// time (plus a variant of each with other components) with the Hugging Face
// trainers on the material's training text (the demo text, or CoNLL-2003
// train), then given RoBERTa / XLM-R special tokens and post-processors.
// Everything is written under the build folder: CoNLL-2003 is research-licensed.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tk from 'tokenizers';

// BPE merges kept after training by default (RoBERTa keeps 50k; a few
// thousand train in about a second and still give multi-merge words).
const BPE_MERGES = 6000;

const SPECIALS = ['<s>', '<pad>', '</s>', '<unk>'];

function addedToken(id, content, lstrip = false) {
  return { id, content, single_word: false, lstrip, rstrip: false, normalized: false, special: true };
}

// Train a tokenizer whose model is `model` and return its tokenizer.json object.
function trainJson(model, setup, trainFile, outPath) {
  const tok = new tk.Tokenizer(model);
  setup(tok);
  tok.train([trainFile]);
  tok.save(outPath);
  return JSON.parse(readFileSync(outPath, 'utf8'));
}

// RoBERTa-style: ByteLevel(add_prefix_space, as transformers requires for
// is_split_into_words) + BPE over the full byte alphabet + RobertaProcessing.
function trainBpe(trainFile, outPath, nMerges) {
  const json = trainJson(
    tk.BPE.empty(),
    (t) => t.setPreTokenizer(tk.byteLevelPreTokenizer(true, true)),
    trainFile,
    outPath,
  );
  const trained = json.model.vocab;
  const merges = json.model.merges.slice(0, nMerges).map((m) => (Array.isArray(m) ? m : m.split(' ')));
  const alphabet = [...tk.byteLevelAlphabet()].sort((a, b) => (trained[a] ?? 1e9) - (trained[b] ?? 1e9));
  const order = [...SPECIALS, ...alphabet];
  for (const [a, b] of merges) {
    if (!(a + b in trained)) throw new Error(`BPE trainer: merge result ${a + b} not in vocab`);
    order.push(a + b);
  }
  order.push('<mask>');
  const vocab = {};
  let n = 0;
  for (const t of order) if (!(t in vocab)) vocab[t] = n++;
  json.added_tokens = [...SPECIALS.map((s, i) => addedToken(i, s)), addedToken(vocab['<mask>'], '<mask>', true)];
  json.model.vocab = vocab;
  json.model.merges = merges;
  json.post_processor = {
    type: 'RobertaProcessing',
    sep: ['</s>', 2],
    cls: ['<s>', 0],
    trim_offsets: true,
    add_prefix_space: true,
  };
  json.decoder = { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true };
  return json;
}

// XLM-R-style: NFKC + Metaspace(always) + Unigram with <s> <pad> </s> <unk>
// in front (unk_id 3), <mask> at the end, template <s> $A </s>.
function trainUnigram(trainFile, outPath) {
  const json = trainJson(
    tk.Unigram.empty(),
    (t) => {
      t.setNormalizer(tk.nfkcNormalizer());
      t.setPreTokenizer(tk.metaspacePreTokenizer('\u2581', 'always', true));
    },
    trainFile,
    outPath,
  );
  const pieces = json.model.vocab.filter(([p]) => !SPECIALS.includes(p) && p !== '<mask>');
  json.model.vocab = [...SPECIALS.map((s) => [s, 0.0]), ...pieces, ['<mask>', 0.0]];
  json.model.unk_id = 3;
  const maskId = json.model.vocab.length - 1;
  json.added_tokens = [...SPECIALS.map((s, i) => addedToken(i, s)), addedToken(maskId, '<mask>', true)];
  const special = (id) => ({ SpecialToken: { id, type_id: 0 } });
  const seq = (id) => ({ Sequence: { id, type_id: 0 } });
  json.post_processor = {
    type: 'TemplateProcessing',
    single: [special('<s>'), seq('A'), special('</s>')],
    pair: [special('<s>'), seq('A'), special('</s>'), special('</s>'), seq('B'), special('</s>')],
    special_tokens: {
      '<s>': { id: '<s>', ids: [0], tokens: ['<s>'] },
      '</s>': { id: '</s>', ids: [2], tokens: ['</s>'] },
    },
  };
  json.decoder = { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true };
  return json;
}

// The shared BERT tokenizer with lowercase (and so strip_accents) switched on:
// exercises full lowercasing, NFD and accent stripping on a real vocab.
function uncasedWordPiece(path) {
  const json = JSON.parse(readFileSync(path, 'utf8'));
  json.normalizer = { ...json.normalizer, lowercase: true, strip_accents: null };
  return json;
}

// RoBERTa's own default: no prefix space (offset trimming of the first token
// and of words then differ).
function bpeNoPrefix(bpe) {
  const json = structuredClone(bpe);
  json.pre_tokenizer = { ...json.pre_tokenizer, add_prefix_space: false };
  json.post_processor = { ...json.post_processor, add_prefix_space: false };
  json.decoder = { ...json.decoder, add_prefix_space: false };
  json.added_tokens = json.added_tokens.map((t) => (t.content === '<mask>' ? { ...t, rstrip: true } : t));
  return json;
}

// DeBERTa-v3-like pipeline on the trained Unigram pieces: Strip, NFKC, collapse
// space runs (regex Replace), Punctuation + Metaspace(prepend "first"); plus
// two non-special added tokens matched on normalized text ("U.S." only as a
// whole word; "ｃｌｕｂ", NFKC "club", anywhere).
function unigramVariant(unigram) {
  const json = structuredClone(unigram);
  json.normalizer = {
    type: 'Sequence',
    normalizers: [
      { type: 'Strip', strip_left: true, strip_right: true },
      { type: 'NFKC' },
      { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' },
    ],
  };
  json.pre_tokenizer = {
    type: 'Sequence',
    pretokenizers: [
      { type: 'Punctuation', behavior: 'Isolated' },
      { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'first', split: true },
    ],
  };
  const n = json.model.vocab.length;
  const plain = { lstrip: false, rstrip: false, normalized: true, special: false };
  json.added_tokens.push({ id: n, content: 'U.S.', single_word: true, ...plain });
  json.added_tokens.push({ id: n + 1, content: '\uff43\uff4c\uff55\uff42', single_word: false, ...plain });
  return json;
}

// Write the training text (one sentence a line) and every tokenizer.json into
// outDir; BPE keeps the first bpeMerges merges. Returns [{name, path}] in
// comparison order.
export function buildTokenizers(sentences, wordpiecePath, outDir, bpeMerges = BPE_MERGES) {
  const trainFile = join(outDir, 'train_text.txt');
  writeFileSync(trainFile, sentences.map((s) => s.join(' ')).join('\n') + '\n');
  const list = [{ name: 'wordpiece', path: wordpiecePath }];
  const make = (name, json) => {
    const path = join(outDir, `${name}.tokenizer.json`);
    writeFileSync(path, JSON.stringify(json, null, 1));
    list.push({ name, path });
  };
  make('wordpiece-uncased', uncasedWordPiece(wordpiecePath));
  const bpe = trainBpe(trainFile, join(outDir, 'bpe.trained.json'), bpeMerges);
  make('bpe', bpe);
  make('bpe-noprefix', bpeNoPrefix(bpe));
  const unigram = trainUnigram(trainFile, join(outDir, 'unigram.trained.json'));
  make('unigram', unigram);
  make('unigram-strip', unigramVariant(unigram));
  return list;
}
