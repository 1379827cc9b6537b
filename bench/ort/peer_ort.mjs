// peer_ort.mjs - the ONNX Runtime peer of the engine benchmark: tokens per second of an
// ONNX token classifier (bench/export_onnx.py) over the same token ids as the PyTorch peer
// (a JSON list of id lists, bench/peer_torch.py --dump-ids), batched the same way: sorted by
// length, --batch-size sentences a batch, padded with --pad and an attention mask. Timed: the
// session runs and the argmax over labels; best of --repeats after one warm-up batch. All
// graph optimisations on, --threads intra-op threads, 1 inter-op thread, sequential mode.
//
// Prints one JSON line: {"impl":"ort","tokens_per_s":..,"peak_rss_mb":..,...}; with
// --labels OUT.json also writes every sentence's argmax labels (for the int8 agreement).
//
// usage: node bench/ort/peer_ort.mjs MODEL.onnx IDS.json [--batch-size 32] [--threads 2]
//        [--repeats 1] [--pad 0] [--labels OUT.json]
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";

const require = createRequire(import.meta.url);
const ort = require("onnxruntime-node");

function parse(argv) {
	const a = { batchSize: 32, threads: 2, repeats: 1, pad: 0, labels: null, pos: [] };
	for (let i = 0; i < argv.length; i++) {
		const v = argv[i];
		if (v === "--batch-size") a.batchSize = Number(argv[++i]);
		else if (v === "--threads") a.threads = Number(argv[++i]);
		else if (v === "--repeats") a.repeats = Number(argv[++i]);
		else if (v === "--pad") a.pad = Number(argv[++i]);
		else if (v === "--labels") a.labels = argv[++i];
		else a.pos.push(v);
	}
	if (a.pos.length !== 2) throw new Error("usage: peer_ort.mjs MODEL.onnx IDS.json [options]");
	return a;
}

// Padded int64 ids and mask tensors per batch, over the sequences sorted by length.
function batches(seqs, size, pad) {
	const order = seqs.map((_, i) => i).sort((x, y) => seqs[x].length - seqs[y].length || x - y);
	const out = [];
	for (let b = 0; b < order.length; b += size) {
		const rows = order.slice(b, b + size);
		const n = Math.max(...rows.map((i) => seqs[i].length));
		const ids = new BigInt64Array(rows.length * n).fill(BigInt(pad));
		const mask = new BigInt64Array(rows.length * n);
		rows.forEach((i, r) => {
			seqs[i].forEach((t, j) => {
				ids[r * n + j] = BigInt(t);
				mask[r * n + j] = 1n;
			});
		});
		out.push({
			rows,
			n,
			feeds: {
				input_ids: new ort.Tensor("int64", ids, [rows.length, n]),
				attention_mask: new ort.Tensor("int64", mask, [rows.length, n]),
			},
		});
	}
	return out;
}

function argmax(logits, rows, n, seqs, labels) {
	const k = logits.dims[2];
	const d = logits.data;
	rows.forEach((i, r) => {
		const lab = [];
		for (let j = 0; j < seqs[i].length; j++) {
			let best = 0;
			const o = (r * n + j) * k;
			for (let c = 1; c < k; c++) if (d[o + c] > d[o + best]) best = c;
			lab.push(best);
		}
		if (labels) labels[i] = lab;
	});
}

async function runAll(session, bs, seqs, labels) {
	const t0 = performance.now();
	for (const b of bs) {
		const res = await session.run(b.feeds);
		argmax(res.logits, b.rows, b.n, seqs, labels);
	}
	return (performance.now() - t0) / 1000;
}

async function main() {
	const a = parse(process.argv.slice(2));
	const seqs = JSON.parse(readFileSync(a.pos[1], "utf8")).map((s) => s.input_ids || s);
	const session = await ort.InferenceSession.create(a.pos[0], {
		graphOptimizationLevel: "all",
		intraOpNumThreads: a.threads,
		interOpNumThreads: 1,
		executionMode: "sequential",
	});
	const bs = batches(seqs, a.batchSize, a.pad);
	await session.run(bs[0].feeds);
	const labels = a.labels ? new Array(seqs.length) : null;
	let best = Infinity;
	for (let r = 0; r < a.repeats; r++) best = Math.min(best, await runAll(session, bs, seqs, labels));
	if (labels) writeFileSync(a.labels, JSON.stringify(labels));
	const tokens = seqs.reduce((s, x) => s + x.length, 0);
	const pkg = JSON.parse(readFileSync(require.resolve("onnxruntime-node/package.json"), "utf8"));
	console.log(
		JSON.stringify({
			impl: "ort",
			ort: pkg.version,
			onnx: a.pos[0],
			sentences: seqs.length,
			tokens,
			threads: a.threads,
			batch_size: a.batchSize,
			seconds: Number(best.toFixed(3)),
			tokens_per_s: Number((tokens / best).toFixed(1)),
			peak_rss_mb: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
		}),
	);
}

main().catch((e) => {
	console.error(`peer_ort: ${e.message}`);
	process.exit(1);
});
