#!/usr/bin/python3
"""spm_reference.py - sentencepiece's own encoding of the parity inputs, for the converted
tokenizers of .model files (tests/tokparity/parity.mjs compares it with the C tokenizer's ids).

  spm_reference.py MODEL xlmr|deberta text|words INPUT_FILE

Prints one JSON list of ids per input line, framed and in the converted tokenizer's ids:
sentencepiece's ids are the .model's, so XLM-R's are mapped as XLMRobertaTokenizer does (fairseq:
<unk> 0 -> 3, <s> 1 -> 0, </s> 2 -> 2, others + 1) and framed <s> .. </s>; DeBERTa-v2's are kept
and framed [CLS] .. [SEP]. Word mode encodes every word alone and concatenates, as
is_split_into_words does. Needs Debian's python3-sentencepiece (scripts/setup.sh --test).
"""
import json
import sys

import sentencepiece as spm


def main():
    model, layout, mode, path = sys.argv[1:5]
    sp = spm.SentencePieceProcessor(model_file=model)
    if layout == "xlmr":
        def hf(i):
            return {0: 3, 1: 0, 2: 2}.get(i, i + 1)
        first, last = 0, 2
    else:
        def hf(i):
            return i
        first, last = sp.piece_to_id("[CLS]"), sp.piece_to_id("[SEP]")
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")[:-1]
    out = []
    for line in lines:
        parts = line.split(" ") if mode == "words" else [line]
        ids = [hf(i) for p in parts if p or mode == "text" for i in sp.encode(p)]
        out.append(json.dumps([first] + ids + [last]))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
