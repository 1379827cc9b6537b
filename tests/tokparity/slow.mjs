// slow.mjs - model folders without tokenizer.json for the parity check (issue
// #12 item 3): the C tokenizer opens each folder and converts its slow files
// itself; the reference is the tokenizer.json that convert.mjs (a port of
// transformers' converters) makes of the same folder, loaded in the Rust
// crate's binding. Folders with a sentencepiece .model are also compared with
// sentencepiece itself (spm_reference.py, ids only: it has no HF offsets).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertFolder } from './convert.mjs';

function folder(outDir, name, files) {
  const dir = join(outDir, `slow-${name}`);
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    if (content.copy) copyFileSync(content.copy, join(dir, file));
    else writeFileSync(join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

// vocab.json + merges.txt of a trained byte-level BPE tokenizer.json.
function bpeFiles(bpePath) {
  const json = JSON.parse(readFileSync(bpePath, 'utf8'));
  const merges = json.model.merges.map((m) => (Array.isArray(m) ? m.join(' ') : m));
  return { 'vocab.json': json.model.vocab, 'merges.txt': `#version: 0.2\n${merges.join('\n')}\n` };
}

// [{name, path (folder, for tokdump), ref (tokenizer.json, for the binding),
//   spm? {model, layout}}] in comparison order.
export function buildSlowFolders(source, outDir, bpePath) {
  const fx = join(source, 'tests', 'fixtures', 'tokenizers', 'slow');
  const xlmr = join(fx, 'xlmr_unigram.model');
  const deberta = join(fx, 'deberta_unigram.model');
  const v3 = join(fx, 'deberta_v3.spm.model');
  const bpe = bpeFiles(bpePath);
  const defs = [
    ['roberta', { ...bpe, 'tokenizer_config.json': { add_prefix_space: true } }],
    ['roberta-noprefix', {
      ...bpe,
      'special_tokens_map.json': { mask_token: { content: '<mask>', lstrip: true, rstrip: true, normalized: false, single_word: false } },
    }],
    ['xlmr', { 'sentencepiece.bpe.model': { copy: xlmr } }, { model: xlmr, layout: 'xlmr' }],
    ['deberta', { 'spm.model': { copy: deberta } }, { model: deberta, layout: 'deberta' }],
    ['deberta-lower', {
      'spm.model': { copy: deberta },
      'tokenizer_config.json': {
        do_lower_case: true, split_by_punct: true,
        added_tokens_decoder: { 400: { content: '[MASK]', lstrip: true, rstrip: false, normalized: false, single_word: false, special: true } },
      },
    }],
    // no sentencepiece reference: the fixture's vocab lists "s" twice, which sentencepiece refuses
    ['deberta-v3', { 'spm.model': { copy: v3 } }],
  ];
  return defs.map(([name, files, spm]) => {
    const dir = folder(outDir, name, files);
    const ref = join(outDir, `slow-${name}.tokenizer.json`);
    writeFileSync(ref, JSON.stringify(convertFolder(dir), null, 1));
    return { name: `slow-${name}`, path: dir, ref, spm };
  });
}
