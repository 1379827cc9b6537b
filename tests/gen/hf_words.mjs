// hf_words.mjs - input ids and word ids of pre-split sentences from Hugging Face's
// own tokenizers (the Rust crate through its Node binding, installed in
// tests/tokparity/node_modules), the way transformers'
// tokenizer(words, is_split_into_words=True) gives them. gen_demo.py feeds the
// reference model with these ids, so the demo goldens never depend on
// ExplaiNER's tokenizer.
//
//   node tests/gen/hf_words.mjs TOKENIZER_JSON [--text] < sentences.jsonl > encodings.jsonl
//
// stdin: one JSON array of words a line; stdout: one {"input_ids": [...],
// "word_ids": [...]} a line (null word ids for the special tokens). With
// --text, stdin holds one JSON string (a raw text) a line, and each output
// also has "offsets": character offsets into it, as transformers reports them.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { referenceText, referenceWords } from '../tokparity/reference.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'tokparity', 'package.json'));
const tk = require('tokenizers');

const path = process.argv[2];
const text = process.argv[3] === '--text';
if (!path) {
  console.error('usage: node hf_words.mjs TOKENIZER_JSON [--text] < sentences.jsonl');
  process.exit(2);
}
const sentences = readFileSync(0, 'utf8')
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => JSON.parse(l));
const tok = tk.Tokenizer.fromFile(path);
const encodings = text ? await referenceText(tok, sentences) : await referenceWords(tok, sentences);
process.stdout.write(
  encodings
    .map((e) =>
      JSON.stringify(
        text
          ? { input_ids: e.ids, word_ids: e.word_ids, offsets: e.offsets }
          : { input_ids: e.ids, word_ids: e.word_ids },
      ),
    )
    .join('\n') + '\n',
);
