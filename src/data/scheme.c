/*
 * scheme.c - tag parsing, ill-formed transition checks, scheme detection
 * and conversion. Transition rules follow seqeval's strict-mode tables
 * (shared/reference/ner-analysis.md §2.2); decoding for conversion follows
 * conlleval's chunking (§2.1), i.e. SeqScore's "begin" repair.
 */
#include "data/scheme.h"

#include <string.h>
#include <strings.h>

static const char *const scheme_names[XNR_SCHEME_COUNT] = {
    [XNR_SCHEME_IO] = "IO",       [XNR_SCHEME_IOB1] = "IOB1", [XNR_SCHEME_IOB2] = "IOB2",
    [XNR_SCHEME_IOE1] = "IOE1",   [XNR_SCHEME_IOE2] = "IOE2", [XNR_SCHEME_IOBES] = "IOBES",
    [XNR_SCHEME_BILOU] = "BILOU",
};

/* Prefixes each scheme has besides O. */
static const char *const scheme_prefixes[XNR_SCHEME_COUNT] = {
    [XNR_SCHEME_IO] = "I",       [XNR_SCHEME_IOB1] = "BI", [XNR_SCHEME_IOB2] = "BI",
    [XNR_SCHEME_IOE1] = "IE",    [XNR_SCHEME_IOE2] = "IE", [XNR_SCHEME_IOBES] = "BIES",
    [XNR_SCHEME_BILOU] = "BILU",
};

static const char *const ill_names[XNR_ILL_KIND_COUNT] = {
    [XNR_ILL_NO_START] = "continuation without a start (I-/E-/L- after O)",
    [XNR_ILL_TYPE_SWITCH] = "type switch inside a span",
    [XNR_ILL_UNCLOSED] = "span not closed (missing E-/L-)",
    [XNR_ILL_BOUNDARY] = "boundary tag not between two spans of its type",
    [XNR_ILL_PREFIX] = "prefix not in the scheme",
};

const char *xnr_scheme_name(enum xnr_scheme scheme)
{
	if ((unsigned)scheme >= XNR_SCHEME_COUNT)
		return "?";
	return scheme_names[scheme];
}

const char *xnr_ill_kind_str(enum xnr_ill_kind kind)
{
	if ((unsigned)kind >= XNR_ILL_KIND_COUNT)
		return "?";
	return ill_names[kind];
}

enum xnr_status xnr_scheme_parse(const char *name, enum xnr_scheme *out, struct xnr_error *err)
{
	for (int s = 0; s < XNR_SCHEME_COUNT; s++) {
		if (strcasecmp(name, scheme_names[s]) == 0) {
			*out = (enum xnr_scheme)s;
			return XNR_OK;
		}
	}
	if (strcasecmp(name, "BIO") == 0) {
		*out = XNR_SCHEME_IOB2;
		return XNR_OK;
	}
	if (strcasecmp(name, "BIOES") == 0) {
		*out = XNR_SCHEME_IOBES;
		return XNR_OK;
	}
	return xnr_fail(err, XNR_ERR_INPUT,
	                "unknown tagging scheme \"%s\" (use IO, IOB1, IOB2, IOE1, IOE2, IOBES or "
	                "BILOU)",
	                name);
}

int xnr_tag_parse(const char *tag, size_t len, struct xnr_tag *out)
{
	if (len == 1 && tag[0] == 'O') {
		out->prefix = 'O';
		out->type = tag + 1;
		out->type_len = 0;
		return 0;
	}
	if (len < 3 || tag[1] != '-' || !strchr("BIESLU", tag[0]) || tag[0] == '\0')
		return -1;
	out->prefix = tag[0];
	out->type = tag + 2;
	out->type_len = len - 2;
	return 0;
}

int xnr_scheme_allows(enum xnr_scheme scheme, char prefix)
{
	if (prefix == 'O')
		return 1;
	if ((unsigned)scheme >= XNR_SCHEME_COUNT || prefix == '\0')
		return 0;
	return strchr(scheme_prefixes[scheme], prefix) != NULL;
}

static int same_type(const struct xnr_tag *a, const struct xnr_tag *b)
{
	return a->prefix != 'O' && b->prefix != 'O' && a->type_len == b->type_len &&
	       memcmp(a->type, b->type, a->type_len) == 0;
}

static int is_one_of(char prefix, const char *set)
{
	return prefix != '\0' && strchr(set, prefix) != NULL;
}

/* The problem at tag c (between p and nx, O outside the sentence), or -1. */
static int check_one(enum xnr_scheme s, const struct xnr_tag *p, const struct xnr_tag *c,
                     const struct xnr_tag *nx)
{
	const char *cont = s == XNR_SCHEME_IOBES ? "IE" : s == XNR_SCHEME_BILOU ? "IL" : "I";

	if (!xnr_scheme_allows(s, c->prefix))
		return XNR_ILL_PREFIX;
	switch (s) {
	case XNR_SCHEME_IOB2:
	case XNR_SCHEME_IOBES:
	case XNR_SCHEME_BILOU:
		if (is_one_of(c->prefix, cont)) {
			if (!is_one_of(p->prefix, "BI") || !xnr_scheme_allows(s, p->prefix))
				return XNR_ILL_NO_START;
			if (!same_type(p, c))
				return XNR_ILL_TYPE_SWITCH;
		}
		if (s != XNR_SCHEME_IOB2 && is_one_of(c->prefix, "BI") &&
		    !is_one_of(nx->prefix, cont))
			return XNR_ILL_UNCLOSED;
		return -1;
	case XNR_SCHEME_IOE2:
		if (is_one_of(c->prefix, "IE") && p->prefix == 'I' && !same_type(p, c))
			return XNR_ILL_TYPE_SWITCH;
		if (c->prefix == 'I' && !is_one_of(nx->prefix, "IE"))
			return XNR_ILL_UNCLOSED;
		return -1;
	case XNR_SCHEME_IOB1:
		if (c->prefix == 'B' && !(is_one_of(p->prefix, "IB") && same_type(p, c)))
			return XNR_ILL_BOUNDARY;
		return -1;
	case XNR_SCHEME_IOE1:
		if (c->prefix == 'E' && !(is_one_of(nx->prefix, "IE") && same_type(c, nx)))
			return XNR_ILL_BOUNDARY;
		return -1;
	case XNR_SCHEME_IO:
	case XNR_SCHEME_COUNT:
		return -1;
	}
	return -1;
}

size_t xnr_scheme_check(enum xnr_scheme scheme, const struct xnr_tag *tags, size_t n,
                        struct xnr_ill_formed *out, size_t max_out)
{
	static const struct xnr_tag outside = {'O', "", 0};
	size_t n_found = 0;

	for (size_t i = 0; i < n; i++) {
		const struct xnr_tag *p = i > 0 ? &tags[i - 1] : &outside;
		const struct xnr_tag *nx = i + 1 < n ? &tags[i + 1] : &outside;
		int kind = check_one(scheme, p, &tags[i], nx);
		if (kind < 0)
			continue;
		if (n_found < max_out) {
			out[n_found].sentence = 0;
			out[n_found].word = i;
			out[n_found].line = 0;
			out[n_found].kind = (enum xnr_ill_kind)kind;
		}
		n_found++;
	}
	return n_found;
}

/* Decode spans conlleval-style into canonical IOB2 (B starts, I continues). */
static void decode_iob2(const struct xnr_tag *in, size_t n, struct xnr_tag *out)
{
	int open = 0; /* the previous output tag is inside a span that may go on */

	for (size_t i = 0; i < n; i++) {
		char p = in[i].prefix;
		int cont = open && is_one_of(p, "IEL") && same_type(&out[i - 1], &in[i]);

		out[i] = in[i];
		if (p == 'O' || !is_one_of(p, "BIESLU")) {
			out[i].prefix = 'O';
			out[i].type_len = 0;
			open = 0;
			continue;
		}
		out[i].prefix = cont ? 'I' : 'B';
		open = is_one_of(p, "BI");
	}
}

void xnr_scheme_convert(enum xnr_scheme to, const struct xnr_tag *in, size_t n, struct xnr_tag *out)
{
	struct xnr_tag prev = {'O', "", 0};

	decode_iob2(in, n, out);
	for (size_t i = 0; i < n; i++) {
		struct xnr_tag cur = out[i];
		int start = cur.prefix == 'B';
		int end = cur.prefix != 'O' && (i + 1 == n || out[i + 1].prefix != 'I');
		int next_adjacent =
		    end && i + 1 < n && out[i + 1].prefix == 'B' && same_type(&cur, &out[i + 1]);
		int prev_adjacent = start && prev.prefix != 'O' && same_type(&prev, &cur);

		prev = cur;
		if (cur.prefix == 'O')
			continue;
		switch (to) {
		case XNR_SCHEME_IO:
			out[i].prefix = 'I';
			break;
		case XNR_SCHEME_IOB1:
			out[i].prefix = prev_adjacent ? 'B' : 'I';
			break;
		case XNR_SCHEME_IOE1:
			out[i].prefix = next_adjacent ? 'E' : 'I';
			break;
		case XNR_SCHEME_IOE2:
			out[i].prefix = end ? 'E' : 'I';
			break;
		case XNR_SCHEME_IOBES:
			out[i].prefix = (char)(start && end ? 'S' : start ? 'B' : end ? 'E' : 'I');
			break;
		case XNR_SCHEME_BILOU:
			out[i].prefix = (char)(start && end ? 'U' : start ? 'B' : end ? 'L' : 'I');
			break;
		case XNR_SCHEME_IOB2:
		case XNR_SCHEME_COUNT:
			break;
		}
	}
}
