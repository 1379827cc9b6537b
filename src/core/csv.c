/* csv.c - RFC 4180 fields (csv.h). */
#include "core/csv.h"

#include <string.h>

int xnr_csv_needs_quotes(const char *s, size_t n)
{
	/* memchr, not strpbrk: a field may hold NUL bytes, and a comma after one
	 * still ends it. */
	return n > 0 &&
	       (memchr(s, ',', n) || memchr(s, '"', n) || memchr(s, '\r', n) || memchr(s, '\n', n));
}

void xnr_csv_field(FILE *out, const char *s, size_t n)
{
	const char *end, *q;

	if (!s || n == 0)
		return;
	if (!xnr_csv_needs_quotes(s, n)) {
		fwrite(s, 1, n, out);
		return;
	}
	end = s + n;
	fputc('"', out);
	/* Each run up to and including a quote, that quote written twice. */
	while ((q = memchr(s, '"', (size_t)(end - s))) != NULL) {
		fwrite(s, 1, (size_t)(q - s) + 1, out);
		fputc('"', out);
		s = q + 1;
	}
	fwrite(s, 1, (size_t)(end - s), out);
	fputc('"', out);
}
