/* progress.c - terminal progress bar with rate and ETA. */
#include "core/progress.h"

#include <time.h>
#include <unistd.h>

#define BAR_WIDTH 24

double xnr_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void xnr_progress_init(struct xnr_progress *p, FILE *out, int force, long total, const char *unit)
{
	p->out = out && (force || isatty(fileno(out))) ? out : NULL;
	p->unit = unit;
	p->total = total;
	p->done = 0;
	p->start = xnr_now();
	p->last = 0.0;
}

/* "1,234,567" */
static int group(char *buf, size_t n, long v)
{
	char digits[32];
	int len = snprintf(digits, sizeof digits, "%ld", v < 0 ? 0 : v), i, o = 0;
	for (i = 0; i < len && (size_t)o + 2 < n; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return o;
}

void xnr_progress_format(const struct xnr_progress *p, double now, char *buf, size_t n)
{
	char done[32], total[32];
	double dt = now - p->start, rate = dt > 0 ? (double)p->done / dt : 0.0;
	double eta = rate > 0 ? (double)(p->total - p->done) / rate : 0.0;

	group(done, sizeof done, p->done);
	group(total, sizeof total, p->total);
	if (p->done >= p->total)
		snprintf(buf, n, "%s/%s %s  %.0f/s  %.1fs", done, total, p->unit, rate, dt);
	else
		snprintf(buf, n, "%s/%s %s  %.0f/s  ETA %.0fs", done, total, p->unit, rate, eta);
}

static void draw(struct xnr_progress *p, double now)
{
	char text[160], bar[BAR_WIDTH + 1];
	int i,
	    fill = p->total > 0 ? (int)((double)BAR_WIDTH * (double)p->done / (double)p->total) : 0;

	for (i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	xnr_progress_format(p, now, text, sizeof text);
	fprintf(p->out, "\r[%s] %s\033[K", bar, text);
	fflush(p->out);
	p->last = now;
}

void xnr_progress_add(struct xnr_progress *p, long n)
{
	double now;
	p->done += n;
	if (!p->out)
		return;
	now = xnr_now();
	if (now - p->last >= 0.1)
		draw(p, now);
}

void xnr_progress_finish(struct xnr_progress *p)
{
	if (!p->out)
		return;
	draw(p, xnr_now());
	fputc('\n', p->out);
}
