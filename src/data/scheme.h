/*
 * scheme.h - tagging schemes (IO, IOB1, IOB2, IOE1, IOE2, IOBES, BILOU):
 * parsing a tag, checking a tag sequence for ill-formed transitions,
 * detecting a dataset's scheme, and converting between schemes.
 *
 * Prefixes mean the same thing in every scheme (B begins, I continues, E/L
 * ends, S/U is a single-token span); what differs is which are allowed and
 * which transitions are legal (seqeval's scheme.py tables, see
 * shared/reference/ner-analysis.md §2.2). Conversion decodes spans the way
 * conlleval does (SeqScore's "begin" repair: an I-X, E-X or L-X that cannot
 * continue a span opens a new one; an unclosed B-X still ends where the next
 * tag stops continuing it) and re-encodes them. All functions are pure and
 * thread-safe.
 */
#ifndef XNR_DATA_SCHEME_H
#define XNR_DATA_SCHEME_H

#include <stddef.h>

#include "core/status.h"

enum xnr_scheme {
	XNR_SCHEME_IO,
	XNR_SCHEME_IOB1,
	XNR_SCHEME_IOB2,
	XNR_SCHEME_IOE1,
	XNR_SCHEME_IOE2,
	XNR_SCHEME_IOBES,
	XNR_SCHEME_BILOU,
	XNR_SCHEME_COUNT
};

/* A parsed tag: prefix 'O' (type empty) or one of B I E S L U, and the
 * entity type, pointing into the tag string (not NUL-terminated). */
struct xnr_tag {
	char prefix;
	const char *type;
	size_t type_len;
};

enum xnr_ill_kind {
	XNR_ILL_NO_START,    /* I-X/E-X/L-X after O or at sentence start */
	XNR_ILL_TYPE_SWITCH, /* I-Y/E-Y/L-Y right after a span of type X */
	XNR_ILL_UNCLOSED, /* a span that needs an end tag (B in IOBES, I in IOE2) is not closed */
	XNR_ILL_BOUNDARY, /* IOB1 B-X not after an X span; IOE1 E-X not before one */
	XNR_ILL_PREFIX,   /* a prefix the scheme does not have (S- in IOB2) */
	XNR_ILL_KIND_COUNT
};

/* One ill-formed transition, reported at word `word` of its sentence
 * (for an unclosed span: the span's last word). */
struct xnr_ill_formed {
	size_t sentence;
	size_t word;
	long line; /* source line of that word (0 when not from a file) */
	enum xnr_ill_kind kind;
};

/* "IOB2"...; "?" for an out-of-range value. */
const char *xnr_scheme_name(enum xnr_scheme scheme);
/* Short description of an ill-formed kind ("I- after O"). */
const char *xnr_ill_kind_str(enum xnr_ill_kind kind);

/* Parse a scheme name, case-insensitive; BIO = IOB2, BIOES = IOBES, BMES is
 * not supported. Errors: XNR_ERR_INPUT listing the names. */
XNR_MUST_CHECK enum xnr_status xnr_scheme_parse(const char *name, enum xnr_scheme *out,
                                                struct xnr_error *err);

/* Parse a tag of len bytes: "O", or one of B I E S L U, then '-', then a
 * non-empty type ("B-PER", "I-ARGM-LOC"). Returns 0 and fills *out, or -1
 * for anything else ("B_PER", "X-PER", "B-", "PER"). */
int xnr_tag_parse(const char *tag, size_t len, struct xnr_tag *out);

/* 1 if the scheme has this prefix ('O' always). */
int xnr_scheme_allows(enum xnr_scheme scheme, char prefix);

/*
 * Check one sentence of n tags against scheme. Writes the first max_out
 * problems to out (may be NULL when max_out is 0; sentence and line are
 * left 0 for the caller) and returns the total number found.
 */
size_t xnr_scheme_check(enum xnr_scheme scheme, const struct xnr_tag *tags, size_t n,
                        struct xnr_ill_formed *out, size_t max_out);

/*
 * Rewrite n tags into scheme `to`: decode spans (conlleval "begin" repair,
 * see the file comment) and encode them. out[i].type points to the type of
 * the input tag it came from. in and out must not overlap. IO output merges
 * adjacent spans of the same type (IO cannot mark the boundary).
 */
void xnr_scheme_convert(enum xnr_scheme to, const struct xnr_tag *in, size_t n,
                        struct xnr_tag *out);

#endif
