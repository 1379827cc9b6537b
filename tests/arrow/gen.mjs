// gen.mjs - saved Hugging Face datasets written by a second, independent
// Arrow writer (Apache Arrow's JavaScript implementation, npm apache-arrow),
// laid out as `datasets` lays them out, from CoNLL files: the fixtures of
// tests/cli/test_cli_arrow.sh. No Python `datasets` is needed (or reachable
// offline): dataset_info.json, state.json and dataset_dict.json are written
// as datasets 2.x-4.x write them (huggingface.co/docs/datasets: "Main
// classes", DatasetInfo and Features; Dataset.save_to_disk).
//
// Usage: node gen.mjs --out DIR --test FILE [--train FILE] [--validation FILE]
//        [--batch N]   (N rows a record batch everywhere, for small fixtures)
// Writes under DIR (see each function): int/, str/, dict/, cache/..., noinfo/,
// badtype/, badtags/, range/, nulltok/.
import fs from 'node:fs';
import path from 'node:path';
import {
  Field, Float64, Int8, Int32, Int64, LargeList, LargeUtf8, List, RecordBatch,
  RecordBatchFileWriter, RecordBatchStreamWriter, Schema, Struct, Table, Utf8,
  makeData, vectorFromArray,
} from 'apache-arrow';

function args() {
  const a = {};
  for (let i = 2; i < process.argv.length; i += 2) a[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
  if (!a.out || !a.test) throw new Error('usage: node gen.mjs --out DIR --test FILE [--train FILE] [--validation FILE]');
  return a;
}

// CoNLL: word first, tag last; blank lines end sentences; -DOCSTART- lines are dropped
// (a saved dataset has no documents).
function readConll(file) {
  const rows = [];
  let tokens = [], tags = [];
  const flush = () => { if (tokens.length) rows.push({ tokens, tags }); tokens = []; tags = []; };
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const cols = line.trim().split(/[ \t]+/);
    if (line.trim() === '') { flush(); continue; }
    if (cols[0] === '-DOCSTART-') { flush(); continue; }
    tokens.push(cols[0]);
    tags.push(cols[cols.length - 1]);
  }
  flush();
  return rows;
}

// The ClassLabel names: CoNLL-2003's order on the Hub where the tags fit it, the
// rest after (so ids differ from the CoNLL reader's order of first use).
function classNames(rowsList) {
  const hub = ['O', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG', 'B-LOC', 'I-LOC', 'B-MISC', 'I-MISC'];
  const seen = new Set(rowsList.flatMap((rows) => rows.flatMap((r) => r.tags)));
  return [...hub, ...[...seen].filter((t) => !hub.includes(t)).sort()];
}

let batchRows = 0; // --batch

const strings = (item = new Utf8()) => new List(new Field('item', item, true));
const ints = (item = new Int64()) => new List(new Field('item', item, true));

// One record batch of a schema from columns of plain JS values.
function batch(schema, cols) {
  const length = cols[schema.fields[0].name].length;
  const children = schema.fields.map((f) => vectorFromArray(cols[f.name], f.type).data[0]);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, children }));
}

// datasets' Features JSON of the columns (Sequence before datasets 4, List since).
function features(names, seq, tagsAs) {
  const s = (feature) => (seq === 'List' ? { feature, _type: 'List' } : { feature, _type: 'Sequence' });
  const tagFeature = tagsAs === 'int' ? { names, _type: 'ClassLabel' } : { dtype: 'string', _type: 'Value' };
  return {
    id: { dtype: 'string', _type: 'Value' },
    tokens: s({ dtype: 'string', _type: 'Value' }),
    pos_tags: s({ dtype: 'int64', _type: 'Value' }),
    ner_tags: s(tagFeature),
    score: { dtype: 'float64', _type: 'Value' },
  };
}

function info(feats, split, n) {
  return {
    builder_name: 'conll_fixture', citation: '', config_name: 'default', dataset_name: 'conll_fixture',
    dataset_size: 0, description: '', download_checksums: {}, download_size: 0, features: feats,
    homepage: '', license: '', size_in_bytes: 0,
    splits: { [split]: { name: split, num_bytes: 0, num_examples: n, dataset_name: 'conll_fixture' } },
    version: { version_str: '0.0.0', major: 0, minor: 0, patch: 0 },
  };
}

// rows -> Arrow bytes. opts: tags ('int' | 'str'), tagType, tokType, format ('stream' | 'file'),
// batchRows, feats (schema metadata "huggingface" as datasets writes it).
function arrowBytes(rows, names, opts) {
  if (batchRows) opts = { ...opts, batchRows };
  const tagField = opts.tags === 'int' ? ints(opts.tagType) : strings();
  const fields = [
    new Field('id', new Utf8(), true),
    new Field('tokens', opts.tokType ?? strings(), true),
    new Field('pos_tags', ints(), true),
    new Field('ner_tags', opts.tagField ?? tagField, true),
    new Field('score', new Float64(), true),
  ];
  const meta = new Map([['huggingface', JSON.stringify({ info: { features: opts.feats } })]]);
  const schema = new Schema(fields, meta);
  const big = opts.tagType === undefined || opts.tagType instanceof Int64;
  const batches = [];
  for (let i = 0; i < rows.length; i += opts.batchRows) {
    const part = rows.slice(i, i + opts.batchRows);
    const id = names.indexOf.bind(names);
    batches.push(batch(schema, {
      // nulls where datasets allows them: a missing id or score
      id: part.map((r, k) => ((i + k) % 7 === 3 ? null : String(i + k))),
      tokens: opts.tokensOverride ? part.map(opts.tokensOverride) : part.map((r) => r.tokens),
      pos_tags: part.map((r) => r.tokens.map((t) => BigInt(t.length))),
      ner_tags: opts.tagsOverride ? part.map(opts.tagsOverride)
        : part.map((r) => (opts.tags === 'int' ? r.tags.map((t) => (big ? BigInt(id(t)) : id(t))) : r.tags)),
      score: part.map((r, k) => ((i + k) % 5 === 1 ? null : r.tokens.length / 10)),
    }));
  }
  const table = new Table(schema, batches);
  const W = opts.format === 'file' ? RecordBatchFileWriter : RecordBatchStreamWriter;
  return W.writeAll(table).toUint8Array(true);
}

function write(file, data) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof data === 'string' ? data : data);
}

// A Dataset.save_to_disk folder: data-NNNNN-of-NNNNN.arrow shards, state.json, dataset_info.json.
function saveToDisk(dir, rows, names, split, opts) {
  const shards = opts.shards ?? 1, per = Math.ceil(rows.length / shards), files = [];
  const feats = features(names, opts.seq ?? 'Sequence', opts.tags);
  for (let s = 0; s < shards; s++) {
    const f = `data-${String(s).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.arrow`;
    write(path.join(dir, f), arrowBytes(rows.slice(s * per, (s + 1) * per), names, { ...opts, feats }));
    files.push({ filename: f });
  }
  write(path.join(dir, 'state.json'), JSON.stringify({
    _data_files: files, _fingerprint: '3f2c7a1d9e8b6c54', _format_columns: null, _format_kwargs: {},
    _format_type: null, _output_all_columns: false, _split: split,
  }, null, 2));
  if (opts.info !== false) write(path.join(dir, 'dataset_info.json'), JSON.stringify(info(feats, split, rows.length), null, 2));
}



function main() {
  const a = args();
  batchRows = Number(a.batch ?? 0);
  const splits = { test: readConll(a.test) };
  if (a.train) splits.train = readConll(a.train);
  if (a.validation) splits.validation = readConll(a.validation);
  const names = classNames(Object.values(splits));
  const test = splits.test;
  // int64 ClassLabel tags, two shards, batches of 50 rows, datasets 2.x/3.x features
  saveToDisk(path.join(a.out, 'int'), test, names, 'test', { tags: 'int', shards: 2, batchRows: 50 });
  // string tags, IPC file format, large_list<large_string> tokens, datasets 4 "List" features
  saveToDisk(path.join(a.out, 'str'), test, names, 'test', {
    tags: 'str', seq: 'List', format: 'file', batchRows: 64,
    tokType: new LargeList(new Field('item', new LargeUtf8(), true)),
  });
  // a DatasetDict: train / validation / test (splits not given are slices of test)
  const dict = {
    train: splits.train ?? test.slice(0, Math.ceil(test.length / 2)),
    validation: splits.validation ?? test.slice(Math.ceil(test.length / 2)),
    test,
  };
  for (const [s, rows] of Object.entries(dict)) saveToDisk(path.join(a.out, 'dict', s), rows, names, s, { tags: 'int', batchRows: 100 });
  write(path.join(a.out, 'dict', 'dataset_dict.json'), JSON.stringify({ splits: Object.keys(dict) }));
  // the datasets cache: <name>-<split>[-NNNNN-of-NNNNN].arrow, int8 tags, and a cache-*.arrow of map()
  const cache = path.join(a.out, 'cache', 'conll_fixture', 'default', '0.0.0', '9a1b2c3d4e5f');
  const half = Math.ceil(test.length / 2), feats = features(names, 'Sequence', 'int');
  const int8 = { tags: 'int', tagType: new Int8(), batchRows: 40, feats };
  write(path.join(cache, 'conll_fixture-test-00000-of-00002.arrow'), arrowBytes(test.slice(0, half), names, int8));
  write(path.join(cache, 'conll_fixture-test-00001-of-00002.arrow'), arrowBytes(test.slice(half), names, int8));
  write(path.join(cache, 'conll_fixture-train.arrow'), arrowBytes(dict.train, names, int8));
  write(path.join(cache, 'cache-5e6f7a8b9c0d1e2f.arrow'), 'not read: a map() cache of the builder');
  write(path.join(cache, 'dataset_info.json'), JSON.stringify(info(feats, 'test', test.length)));
  // bad input
  const few = test.slice(0, 30);
  saveToDisk(path.join(a.out, 'noinfo'), few, names, 'test', { tags: 'int', batchRows: 10, info: false });
  saveToDisk(path.join(a.out, 'badtype'), few, names, 'test', {
    tags: 'int', batchRows: 10, tokType: ints(new Int32()), tokensOverride: (r) => r.tokens.map((t) => t.length),
  });
  saveToDisk(path.join(a.out, 'badtags'), few, names, 'test', {
    tags: 'int', batchRows: 10, tagField: new List(new Field('item', new Float64(), true)),
    tagsOverride: (r) => r.tags.map(() => 0.5),
  });
  saveToDisk(path.join(a.out, 'range'), few, names.slice(0, 3), 'test', { tags: 'int', batchRows: 10,
    tagsOverride: (r) => r.tags.map((t) => BigInt(names.indexOf(t))) });
  saveToDisk(path.join(a.out, 'nulltok'), few, names, 'test', {
    tags: 'str', batchRows: 10, tokensOverride: (r, k) => (k === 4 ? null : r.tokens),
  });
}

main();
