"""seqeval_port.py - a line-by-line Python port of seqeval 1.2.2's classification_report,
the independent reference for ExplaiNER's metrics on the demo data (seqeval itself is not
installable here: no PyPI).

Ported, keeping seqeval's own arithmetic (numpy arrays, np.average):
  * default mode (conlleval): seqeval.metrics.sequence_labeling.get_entities with
    start_of_chunk / end_of_chunk, sentences joined with an 'O' between them, entities
    as (type, start, end) sets per type;
  * strict mode with scheme=IOB2: seqeval.scheme.IOB2 (its start/inside/end prefix
    patterns), Tokens.entities with _forward / _is_end, entities as (sentence, start,
    end, type);
  * seqeval.metrics.v1._precision_recall_fscore_support (micro sums the counts; macro
    and weighted use np.average; _prf_divide's zero division; beta = 1) and the
    StringReporter / DictReporter layouts.
Only IOB2 is ported for strict mode: the demo data and CoNLL-2003 are IOB2 (the other
schemes are covered by the hand-built cases in tests/fixtures/metrics/).

    report = classification_report(y_true, y_pred, mode=None or "strict", digits=4,
                                   output_dict=True or False)

Checked against seqeval's own numbers on CoNLL-2003 test: `gen_demo.py --validate`.
"""
from collections import defaultdict

import numpy as np


# --- default mode: seqeval.metrics.sequence_labeling -----------------------------------------

def get_entities(seq):
    """(type, start, end) of every chunk; a list of sentences is flattened with an 'O'
    after each sentence, as seqeval does (so offsets count those separators)."""
    if any(isinstance(s, list) for s in seq):
        seq = [item for sublist in seq for item in sublist + ["O"]]
    prev_tag, prev_type, begin_offset, chunks = "O", "", 0, []
    for i, chunk in enumerate(seq + ["O"]):
        tag = chunk[0]
        type_ = chunk[1:].split("-", maxsplit=1)[-1] or "_"
        if end_of_chunk(prev_tag, tag, prev_type, type_):
            chunks.append((prev_type, begin_offset, i - 1))
        if start_of_chunk(prev_tag, tag, prev_type, type_):
            begin_offset = i
        prev_tag, prev_type = tag, type_
    return chunks


def end_of_chunk(prev_tag, tag, prev_type, type_):
    chunk_end = False
    if prev_tag == "E":
        chunk_end = True
    if prev_tag == "S":
        chunk_end = True
    if prev_tag == "B" and tag == "B":
        chunk_end = True
    if prev_tag == "B" and tag == "S":
        chunk_end = True
    if prev_tag == "B" and tag == "O":
        chunk_end = True
    if prev_tag == "I" and tag == "B":
        chunk_end = True
    if prev_tag == "I" and tag == "S":
        chunk_end = True
    if prev_tag == "I" and tag == "O":
        chunk_end = True
    if prev_tag != "O" and prev_tag != "." and prev_type != type_:
        chunk_end = True
    return chunk_end


def start_of_chunk(prev_tag, tag, prev_type, type_):
    chunk_start = False
    if tag == "B":
        chunk_start = True
    if tag == "S":
        chunk_start = True
    if prev_tag == "E" and tag == "E":
        chunk_start = True
    if prev_tag == "E" and tag == "I":
        chunk_start = True
    if prev_tag == "S" and tag == "E":
        chunk_start = True
    if prev_tag == "S" and tag == "I":
        chunk_start = True
    if prev_tag == "O" and tag == "E":
        chunk_start = True
    if prev_tag == "O" and tag == "I":
        chunk_start = True
    if tag != "O" and tag != "." and prev_type != type_:
        chunk_start = True
    return chunk_start


def default_counts(y_true, y_pred):
    """sequence_labeling.precision_recall_fscore_support's extract_tp_actual_correct."""
    entities_true, entities_pred = defaultdict(set), defaultdict(set)
    for type_name, start, end in get_entities(y_true):
        entities_true[type_name].add((start, end))
    for type_name, start, end in get_entities(y_pred):
        entities_pred[type_name].add((start, end))
    target_names = sorted(set(entities_true.keys()) | set(entities_pred.keys()))
    return target_names, [(entities_true.get(t, set()), entities_pred.get(t, set()))
                          for t in target_names]


# --- strict mode: seqeval.scheme (IOB2) -------------------------------------------------------

PREFIX_ANY = "IOBESUL"


class IOB2Token:
    """seqeval.scheme.IOB2: a token's prefix and tag, and its prefix patterns
    (previous prefixes, current prefixes, tag condition)."""
    allowed_prefix = "IOB"
    start_patterns = [(PREFIX_ANY, "B", "ANY")]
    inside_patterns = [("B", "I", "SAME"), ("I", "I", "SAME")]
    end_patterns = [("I", "O", "ANY"), ("I", "I", "DIFF"), ("I", "B", "ANY"),
                    ("B", "O", "ANY"), ("B", "I", "DIFF"), ("B", "B", "ANY")]

    def __init__(self, token, delimiter="-"):
        if token[0] not in PREFIX_ANY:
            raise KeyError(token[0])  # seqeval: Prefixes[token[0]]
        self.token = token
        self.prefix = token[0]
        self.tag = token[1:].strip(delimiter) or "_"

    def is_valid(self):
        if self.prefix not in self.allowed_prefix:
            raise ValueError("Invalid token is found: %s" % self.token)
        return True

    def check_tag(self, prev, cond):
        if cond == "ANY":
            return True
        if prev.tag == self.tag and cond == "SAME":
            return True
        if prev.tag != self.tag and cond == "DIFF":
            return True
        return False

    def check_patterns(self, prev, patterns):
        for prev_prefix, current_prefix, tag_cond in patterns:
            if prev.prefix in prev_prefix and self.prefix in current_prefix and \
                    self.check_tag(prev, tag_cond):
                return True
        return False

    def is_start(self, prev):
        return self.check_patterns(prev, self.start_patterns)

    def is_inside(self, prev):
        return self.check_patterns(prev, self.inside_patterns)

    def is_end(self, prev):
        return self.check_patterns(prev, self.end_patterns)


def sentence_entities(tokens, sent_id):
    """seqeval.scheme.Tokens(tokens, IOB2, sent_id=...).entities as (sent, start, end, tag)."""
    outside = IOB2Token("O")
    ext = [IOB2Token(t) for t in tokens] + [outside]

    def forward(start, prev):
        for i, token in enumerate(ext[start:], start):
            if token.is_inside(prev):
                prev = token
            else:
                return i
        return len(tokens) - 1

    i, entities, prev = 0, [], outside
    while i < len(ext):
        token = ext[i]
        token.is_valid()
        if token.is_start(prev):
            end = forward(i + 1, token)
            if ext[end].is_end(ext[end - 1]):
                entities.append((sent_id, i, end, token.tag))
            i = end
        else:
            i += 1
        prev = ext[i - 1]
    return entities


def strict_counts(y_true, y_pred):
    """v1.precision_recall_fscore_support's extract_tp_actual_correct with scheme=IOB2."""
    ents_true = [e for s, seq in enumerate(y_true) for e in sentence_entities(seq, s)]
    ents_pred = [e for s, seq in enumerate(y_pred) for e in sentence_entities(seq, s)]
    target_names = sorted({e[3] for e in ents_true} | {e[3] for e in ents_pred})
    return target_names, [({e for e in ents_true if e[3] == t}, {e for e in ents_pred if e[3] == t})
                          for t in target_names]


# --- seqeval.metrics.v1 -----------------------------------------------------------------------

def _prf_divide(numerator, denominator, zero_division="warn"):
    mask = denominator == 0.0
    denominator = denominator.copy()
    denominator[mask] = 1
    result = numerator / denominator
    if not np.any(mask):
        return result
    result[mask] = 0.0 if zero_division in ["warn", 0] else 1.0
    return result


def precision_recall_fscore_support(counts, average=None, zero_division="warn"):
    """_precision_recall_fscore_support, beta 1, on the per-type (true, pred) entity sets."""
    tp_sum = np.array([], dtype=np.int32)
    pred_sum = np.array([], dtype=np.int32)
    true_sum = np.array([], dtype=np.int32)
    for entities_true_type, entities_pred_type in counts:
        tp_sum = np.append(tp_sum, len(entities_true_type & entities_pred_type))
        pred_sum = np.append(pred_sum, len(entities_pred_type))
        true_sum = np.append(true_sum, len(entities_true_type))
    if average == "micro":
        tp_sum = np.array([tp_sum.sum()])
        pred_sum = np.array([pred_sum.sum()])
        true_sum = np.array([true_sum.sum()])
    beta2 = 1.0 ** 2
    precision = _prf_divide(tp_sum, pred_sum, zero_division)
    recall = _prf_divide(tp_sum, true_sum, zero_division)
    denom = beta2 * precision + recall
    denom[denom == 0.] = 1
    f_score = (1 + beta2) * precision * recall / denom
    if average == "weighted":
        weights = true_sum
        if weights.sum() == 0:
            zero_division_value = 0.0 if zero_division in ["warn", 0] else 1.0
            return (zero_division_value if pred_sum.sum() == 0 else 0.0, zero_division_value,
                    zero_division_value if pred_sum.sum() == 0 else 0.0, sum(true_sum))
    else:
        weights = None
    if average is not None:
        precision = np.average(precision, weights=weights)
        recall = np.average(recall, weights=weights)
        f_score = np.average(f_score, weights=weights)
        true_sum = sum(true_sum)
    return precision, recall, f_score, true_sum


def _string_report(rows, digits, width):
    """StringReporter: header, one row per type, blank, the averages, blank."""
    headers = ["precision", "recall", "f1-score", "support"]
    head_fmt = "{:>{width}s} " + " {:>9}" * len(headers)
    row_fmt = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}"
    report = head_fmt.format("", *headers, width=width) + "\n\n"
    lines = [row_fmt.format(*row, width=width, digits=digits) if row else "" for row in rows]
    return report + "\n".join(lines)


def classification_report(y_true, y_pred, mode=None, digits=2, output_dict=False,
                          zero_division="warn"):
    """seqeval.metrics.classification_report(y_true, y_pred, digits=digits, mode=mode,
    scheme=IOB2 when mode == "strict", output_dict=output_dict)."""
    if len(y_true) != len(y_pred) or any(len(a) != len(b) for a, b in zip(y_true, y_pred)):
        raise ValueError("y_true and y_pred differ in length")
    target_names, counts = strict_counts(y_true, y_pred) if mode == "strict" else \
        default_counts(y_true, y_pred)
    rows = []
    p, r, f1, s = precision_recall_fscore_support(counts, None, zero_division)
    rows += list(zip(target_names, p, r, f1, s))
    rows.append(None)
    for average in ("micro", "macro", "weighted"):
        rows.append(("{} avg".format(average),) +
                    tuple(precision_recall_fscore_support(counts, average, zero_division)))
    rows.append(None)
    if output_dict:
        return {row[0]: {"precision": float(row[1]), "recall": float(row[2]),
                         "f1-score": float(row[3]), "support": float(row[4])}
                for row in rows if row}
    width = max(max(map(len, target_names), default=0), len("weighted avg"), digits)
    return _string_report(rows, digits, width)
