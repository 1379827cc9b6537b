/*
 * rewrite.h - writing a dataset file back with some words' tags changed and
 * every other byte as it was: the mirror of the CoNLL and JSONL readers
 * (dataset.h), for exporting a corrected dataset. Column layout, separators,
 * extra columns, -DOCSTART- lines, comments, blank lines, CRLF line ends
 * and the byte order mark stay; only the tag of an edited word changes.
 */
#ifndef XNR_DATA_REWRITE_H
#define XNR_DATA_REWRITE_H

#include <stddef.h>
#include <stdio.h>

#include "core/status.h"
#include "data/dataset.h"

/* Why a saved Hugging Face dataset (Arrow) is not written back. */
#define XNR_REWRITE_SAVED_MSG                                                                      \
	"a saved Hugging Face dataset cannot be written back with corrections (save it as JSON "   \
	"lines with Dataset.to_json, analyse that file, and export its corrections)"

/* Word `word` (an index into ds->words) gets tag `tag` (NUL-terminated). */
struct xnr_tag_edit {
	size_t word;
	const char *tag;
};

/*
 * Copy the file ds was read from (ds->path) to out, with each edited word's
 * tag replaced: in CoNLL the bytes of the tag column on the word's line
 * (params->tag_column, or the last), in JSONL the word's element of the
 * line's "ner_tags" (or "tags") array, as a JSON string, or as the id of
 * the tag in params->labels when the line has integer ids. params must be
 * those ds was read with. edits need not be sorted; two edits of one word
 * are XNR_ERR_INPUT.
 *
 * Errors: XNR_ERR_UNSUPPORTED (a saved Hugging Face dataset: Arrow),
 * XNR_ERR_NOT_FOUND, XNR_ERR_IO (reading the file, writing out),
 * XNR_ERR_MISMATCH (the file no longer holds the words ds read from it:
 * it changed since), XNR_ERR_INPUT (a tag with no id in params->labels, a
 * tag that is not a single column), XNR_ERR_NOMEM. On failure out holds a
 * partial copy. Thread-safe for distinct outputs.
 */
XNR_MUST_CHECK enum xnr_status xnr_dataset_rewrite(const struct xnr_dataset *ds,
                                                   const struct xnr_data_params *params,
                                                   const struct xnr_tag_edit *edits, size_t n_edits,
                                                   FILE *out, struct xnr_error *err);

#endif
