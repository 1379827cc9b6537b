/*
 * lines.c - capped line reader over stdio (line ends: lines.h). A "\r" ends
 * its line at once and the "\n" that may follow is skipped at the next call,
 * so a reader of a pipe never waits for the byte after a "\r".
 */
#include "core/lines.h"

#include <stdlib.h>
#include <string.h>

void xnr_lines_init(struct xnr_lines *lr, FILE *f, const char *name, size_t max_len)
{
	memset(lr, 0, sizeof *lr);
	lr->f = f;
	lr->name = name;
	lr->max_len = max_len;
}

void xnr_lines_free(struct xnr_lines *lr)
{
	if (lr) {
		free(lr->buf);
		lr->buf = NULL;
		lr->cap = 0;
	}
}

static int grow(struct xnr_lines *lr)
{
	size_t cap = lr->cap ? lr->cap * 2 : 256;
	char *p;
	if (cap > lr->max_len + 1)
		cap = lr->max_len + 1;
	p = realloc(lr->buf, cap);
	if (!p)
		return -1;
	lr->buf = p;
	lr->cap = cap;
	return 0;
}

/* The next byte, skipping the "\n" of a "\r\n" whose "\r" ended the last line. */
static int next_byte(struct xnr_lines *lr)
{
	int c = getc_unlocked(lr->f);
	if (lr->after_cr && c == '\n')
		c = getc_unlocked(lr->f);
	lr->after_cr = 0;
	return c;
}

enum xnr_status xnr_lines_next(struct xnr_lines *lr, const char **line, size_t *len,
                               struct xnr_error *err)
{
	size_t n = 0;
	int c;

	*line = NULL;
	while ((c = next_byte(lr)) != EOF && c != '\n' && c != '\r') {
		if (n >= lr->max_len)
			return xnr_fail_at(err, XNR_ERR_LIMIT, lr->name, lr->line_no + 1,
			                   "line longer than %zu bytes (split the input)",
			                   lr->max_len);
		if (n + 1 >= lr->cap && grow(lr) != 0)
			return xnr_fail_at(err, XNR_ERR_NOMEM, lr->name, lr->line_no + 1,
			                   "out of memory");
		lr->buf[n++] = (char)c;
	}
	if (ferror(lr->f))
		return xnr_fail_at(err, XNR_ERR_IO, lr->name, lr->line_no + 1, "read error");
	if (c == EOF && n == 0)
		return XNR_OK;
	if (!lr->buf && grow(lr) != 0)
		return xnr_fail_at(err, XNR_ERR_NOMEM, lr->name, lr->line_no + 1, "out of memory");
	lr->after_cr = c == '\r';
	lr->buf[n] = '\0';
	lr->line_no++;
	*line = lr->buf;
	*len = n;
	return XNR_OK;
}
