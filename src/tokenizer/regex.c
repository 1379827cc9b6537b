/*
 * regex.c - PCRE2 (UTF + UCP) patterns for Split, Replace, Whitespace and
 * ByteLevel, and the match list of Rust tokenizers' `Pattern::find_matches`
 * (every byte covered, matches flagged). Compiled code is shared read-only;
 * match data lives in the per-call work struct.
 */
#include <stdio.h>

#include "tokenizer/internal.h"

enum xnr_status xnr__regex_compile(const char *pat, size_t len, int literal, pcre2_code **out,
                                   const char *where, struct xnr_error *err)
{
	int code;
	PCRE2_SIZE erroff;
	uint32_t opts = PCRE2_UTF | (literal ? PCRE2_LITERAL : PCRE2_UCP);
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, len, opts, &code, &erroff, NULL);

	if (!re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof msg);
		return xnr_fail(err, XNR_ERR_FORMAT, "%s: bad regex at offset %zu: %s", where,
		                (size_t)erroff, (const char *)msg);
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	*out = re;
	return XNR_OK;
}

enum xnr_status xnr__regex_matches(const pcre2_code *re, const char *s, size_t len,
                                   struct xnr__work *w, struct xnr__matches *m)
{
	size_t prev = 0, pos = 0;

	m->n = 0;
	if (len == 0)
		return xnr__matches_add(m, 0, 0, 0);
	if (!w->md) {
		w->md = pcre2_match_data_create(16, NULL);
		if (!w->md)
			return XNR_ERR_NOMEM;
	}
	while (pos <= len) {
		PCRE2_SIZE *ov;
		size_t ms, me;
		int rc = pcre2_match(re, (PCRE2_SPTR)s, len, pos, PCRE2_NO_UTF_CHECK, w->md, NULL);

		if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
			return XNR_ERR_INTERNAL;
		if (rc == PCRE2_ERROR_NOMATCH)
			break;
		ov = pcre2_get_ovector_pointer(w->md);
		ms = ov[0];
		me = ov[1];
		if (ms > len || me > len || me < ms)
			break;
		if (prev != ms && xnr__matches_add(m, prev, ms, 0) != XNR_OK)
			return XNR_ERR_NOMEM;
		if (xnr__matches_add(m, ms, me, 1) != XNR_OK)
			return XNR_ERR_NOMEM;
		prev = me;
		if (me > ms) {
			pos = me;
		} else {
			int32_t cp;
			if (me >= len)
				break;
			pos = me + xnr__utf8_dec(s, len, me, &cp);
		}
	}
	if (prev != len)
		return xnr__matches_add(m, prev, len, 0);
	return XNR_OK;
}
