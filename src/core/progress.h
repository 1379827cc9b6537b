/*
 * progress.h - a progress bar with rate and ETA for long work on a terminal
 * ("[#####.....] 1,204/3,453 sentences  812/s  ETA 3s"), silent when the
 * stream is not a terminal so piped output stays clean.
 */
#ifndef XNR_CORE_PROGRESS_H
#define XNR_CORE_PROGRESS_H

#include <stdio.h>

struct xnr_progress {
	FILE *out; /* NULL: silent */
	const char *unit;
	long total;
	long done;
	double start; /* seconds, monotonic */
	double last;  /* last redraw */
};

/* Draw on out only if it is a terminal (force = 1 draws anyway). */
void xnr_progress_init(struct xnr_progress *p, FILE *out, int force, long total, const char *unit);
/* Add n done items; redraws at most 10 times a second. */
void xnr_progress_add(struct xnr_progress *p, long n);
/* Final line with the total time; ends the line. */
void xnr_progress_finish(struct xnr_progress *p);

/* Format "1,204/3,453 sentences  812/s  ETA 3s" (no bar) into buf; for tests. */
void xnr_progress_format(const struct xnr_progress *p, double now, char *buf, size_t n);

double xnr_now(void);

#endif
