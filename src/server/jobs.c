/*
 * jobs.c - (being written for issue #4) background jobs.
 */
#include "server/internal.h"

const struct xnr__route *xnr__routes_jobs(size_t *n)
{
	*n = 0;
	return NULL;
}

enum xnr_status xnr__jobs_open(struct xnr__app *app, struct xnr_error *err)
{
	(void)err;
	app->jobs = NULL;
	return XNR_OK;
}

void xnr__jobs_close(struct xnr__app *app)
{
	(void)app;
}
