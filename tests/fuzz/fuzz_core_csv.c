/*
 * fuzz_core_csv.c - libFuzzer target for the CSV field writer (core/csv.h)
 * that the server's downloads and `explainer export --issues` use: the
 * input's parts (split at FUZZ_SEP) are fields, three to a row; they are
 * written as CSV, then read back with a strict RFC 4180 reader, which must
 * give every row and every field back byte for byte, and a field must be
 * quoted exactly when it holds a comma, quote, CR or LF. Seeds:
 * tests/fuzz/corpus/core_csv/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "util.h"

#define FIELDS_MAX 64
#define PER_ROW    3

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next field of the CSV text at *pos (end: one past its last byte) into
 * buf (cap bytes): its length, and whether it was quoted; the byte after it
 * is ',' or "\r\n", which *pos is left at. Anything else breaks RFC 4180. */
static size_t read_field(const char *csv, size_t end, size_t *pos, char *buf, size_t cap,
                         int *quoted)
{
	size_t i = *pos, n = 0;

	*quoted = i < end && csv[i] == '"';
	if (*quoted) {
		for (i++;; i++) {
			FUZZ_CHECK(i < end); /* a quoted field is closed */
			if (csv[i] == '"' && !(i + 1 < end && csv[i + 1] == '"'))
				break;
			FUZZ_CHECK(n < cap);
			buf[n++] = csv[i];
			i += csv[i] == '"'; /* a doubled quote is one */
		}
		i++;
	} else {
		for (; i < end && csv[i] != ',' && csv[i] != '\r'; i++) {
			FUZZ_CHECK(csv[i] != '"' && csv[i] != '\n');
			FUZZ_CHECK(n < cap);
			buf[n++] = csv[i];
		}
	}
	FUZZ_CHECK(i < end &&
	           (csv[i] == ',' || (csv[i] == '\r' && i + 1 < end && csv[i + 1] == '\n')));
	*pos = i;
	return n;
}

static int special(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part f[FIELDS_MAX];
	int n = fuzz_split(data, size, f, FIELDS_MAX), i, quoted;
	char *csv = NULL, *buf = malloc(size + 1);
	size_t len = 0, pos = 0, got;
	FILE *out = open_memstream(&csv, &len);

	if (!out || !buf)
		abort();
	for (i = 0; i < n; i++) {
		xnr_csv_field(out, f[i].s, f[i].len);
		fputs(i % PER_ROW == PER_ROW - 1 || i == n - 1 ? "\r\n" : ",", out);
	}
	FUZZ_CHECK(fclose(out) == 0);
	for (i = 0; i < n; i++) {
		got = read_field(csv, len, &pos, buf, size + 1, &quoted);
		FUZZ_CHECK(got == f[i].len && memcmp(buf, f[i].s, got) == 0);
		FUZZ_CHECK(quoted == special(f[i].s, f[i].len));
		FUZZ_CHECK(quoted == xnr_csv_needs_quotes(f[i].s, f[i].len));
		/* the row ends where the writer ended it */
		FUZZ_CHECK((csv[pos] == '\r') == (i % PER_ROW == PER_ROW - 1 || i == n - 1));
		pos += csv[pos] == '\r' ? 2 : 1;
	}
	FUZZ_CHECK(pos == len);
	free(csv);
	free(buf);
	return 0;
}
